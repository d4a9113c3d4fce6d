#!/usr/bin/env bash
# A lock the server ends early: the injector's session idles in its transaction, and the
# database's idle_in_transaction_session_timeout ends it 1 s into a 5 s window. The result
# keeps the planned window beside the one held, says how it ended and what the server said,
# marks no interval after the real end as inside the trigger, and judges recovery from it.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_trigger_release
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 200 --balance 100000
sql "ALTER DATABASE $DB_NAME SET idle_in_transaction_session_timeout = '1s'"

expect_exit 0 "$txstorm" run --workers 4 --hot 20 --rate 150 --duration 10s \
    --progress-every 500ms --trigger lock-table@3s+5s --json "$work/early.json"
held='lock-table@3s\+5s +planned 3\.0\.\.8\.0 s, held [0-9.]+\.\.[0-9.]+ s \(ended by the server: FATAL: +terminating connection due to idle-in-transaction timeout\)'
assert_match "$work/out" "$held"
jq -e '.triggers[0] | .released == "ended_by_server" and .planned_start_s == 3
       and .planned_end_s == 8 and (.release_error | test("idle-in-transaction timeout"))
       and .end_s - .start_s > 0.8 and .end_s - .start_s < 3' \
    "$work/early.json" >/dev/null || fail "the window held: $(jq -c '.triggers' "$work/early.json")"
# Intervals from the real end on are not the trigger's, and commit again before the plan's end.
jq -e '.triggers[0] as $t
       | [.intervals[] | select(.elapsed_s - .interval_s >= $t.end_s - 0.001)] as $after
       | ($after | all(.trigger == null))
         and ([$after[] | select(.elapsed_s <= $t.planned_end_s) | .committed] | add) > 0' \
    "$work/early.json" >/dev/null ||
    fail "intervals after the real end: $(jq -c '{t: .triggers[0], i: [.intervals[] | [.elapsed_s, .committed, .trigger]]}' "$work/early.json")"
# Judged from the real end: back well before the planned end (the backlog drains in 0.5-2 s).
jq -e '.triggers[0] | .recovered and .end_s + .recovery_s < .planned_end_s' "$work/early.json" \
    >/dev/null || fail "the verdict: $(jq -c '.triggers' "$work/early.json")"
# The saved result reprints both windows and how it ended.
expect_exit 0 "$txstorm" report "$work/early.json"
assert_match "$work/out" "$held"
