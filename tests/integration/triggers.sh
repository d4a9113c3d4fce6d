#!/usr/bin/env bash
# Built-in triggers: a hot-row lock stops commits inside its window and the run
# reports its recovery; a terminate is survived with the ledger clean and
# touches no session but the run's workers; bad specs exit 2 with one line.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_triggers
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 200 --balance 100000

# 1. lock-rows on the hot set (accounts 1..20, every account a transfer touches),
#    in open loop well below capacity: goodput is the offered rate when healthy,
#    so the verdict does not hang on the machine's noise; the backlog drains after.
expect_exit 0 "$txstorm" run --workers 4 --hot 20 --rate 150 --duration 10s \
    --progress-every 500ms --trigger lock-rows@3s+3s --json "$work/lock.json" \
    --assert 'recover_s<4'
assert_in "$work/err" "TRIGGER lock-rows"
assert_match "$work/out" "lock-rows@3s\+3s +planned 3\.0\.\.6\.0 s, held [0-9.]+\.\.[0-9.]+ s, baseline [0-9.]+/s, .*: recovered in [0-9.]+ s"
assert_match "$work/out" "PASS +recover_s<4"
# Every interval wholly inside the held window committed nothing, and there are some.
jq -e '.triggers[0] as $t
       | [.intervals[] | select(.elapsed_s - .interval_s >= $t.start_s and .elapsed_s <= $t.end_s)]
       | length >= 4 and all(.committed == 0 and .trigger == "lock-rows")' \
    "$work/lock.json" >/dev/null ||
    fail "lock window: $(jq -c '{t: .triggers[0], i: [.intervals[] | [.elapsed_s, .committed, .trigger]]}' "$work/lock.json")"
jq -e '.triggers | length == 1 and .[0].kind == "lock-rows" and .[0].arg == "20 rows"
       and .[0].planned_start_s == 3 and .[0].planned_end_s == 6 and .[0].released == "as_planned"
       and .[0].recovered and .[0].outcome == "recovered" and .[0].recovery_s >= 0
       and .[0].baseline_per_s > 0 and .[0].end_s - .[0].start_s > 2.5
       and (.[0].amplification | has("before") and has("during") and has("after"))' \
    "$work/lock.json" >/dev/null || fail "lock verdict: $(jq -c '.triggers' "$work/lock.json")"
# The saved result reprints the verdict and judges the gate again.
expect_exit 0 "$txstorm" report "$work/lock.json" --assert 'recover_s<4'
assert_match "$work/out" "lock-rows@3s\+3s .*: recovered in [0-9.]+ s"
expect_exit 4 "$txstorm" report "$work/lock.json" --assert 'recover_s<0'
assert_match "$work/out" "FAIL +recover_s<0"

# 2. terminate half the workers' sessions: they reconnect, nothing is lost, and a
#    bystander session on the same database (any name but the workers') is untouched.
psql -X -q -At -d "$DB_NAME" -c "SET application_name = 'bystander'; SELECT pg_sleep(6)" \
    >"$work/bystander.out" 2>&1 &
bystander=$!
expect_exit 0 "$txstorm" run --ledger --workers 6 --hot 20 --duration 5s --progress-every 1s \
    --trigger terminate@2s:0.5 --json "$work/kill.json"
wait "$bystander" || fail "the bystander's session was ended: $(cat "$work/bystander.out")"
assert_in "$work/err" "TRIGGER terminate"
assert_nothing_lost "$work/kill.json"
jq -e '.connection.reconnects >= 1 and .workers_lost == 0 and .check.ledger.lost == 0
       and .check.ledger.invented_failed == 0 and .check.ledger.invented_unknown == 0 and .triggers[0].terminated == 3
       and .triggers[0].start_s == .triggers[0].end_s
       and ([.intervals[] | select(.trigger == "terminate")] | length == 1)' \
    "$work/kill.json" >/dev/null ||
    fail "terminate: $(jq -c '{connection, t: .triggers, ledger: .check.ledger}' "$work/kill.json")"

# 3. A spike raises the offered rate over its window, on --rate and on --load alike.
spike_ok() { # spike_ok NAME: intervals wholly inside the window offer 500/s, wholly outside
    # 100/s, and the window's commits keep up with its offer (the first interval may lag a bit)
    jq -e '.triggers[0] as $t | [.intervals[] | select(.interval_s > 0.2)] as $iv
           | ([$iv[] | select(.elapsed_s - .interval_s >= $t.start_s and .elapsed_s <= $t.end_s)]) as $in
           | ([$iv[] | select(.elapsed_s <= $t.start_s or .elapsed_s - .interval_s >= $t.end_s)]) as $out
           | ($in | length) >= 2 and ($out | length) >= 4
             and all($in[]; .offered_per_s > 450 and .offered_per_s < 550)
             and ([$in[].committed] | add) / ([$in[].interval_s] | add) > 400
             and all($out[]; .offered_per_s > 90 and .offered_per_s < 110)' \
        "$work/$1.json" >/dev/null ||
        fail "$1: $(jq -c '{t: .triggers[0], i: [.intervals[] | [.elapsed_s, .offered_per_s, .committed_per_s]]}' "$work/$1.json")"
}
expect_exit 0 "$txstorm" run --workers 4 --rate 100 --duration 4s --progress-every 250ms \
    --trigger spike@1s+1500ms:500/s --json "$work/spike.json"
assert_in "$work/err" "TRIGGER spike"
spike_ok spike
expect_exit 0 "$txstorm" run --workers 4 --load 'a=100/s:2s,b=100/s:2s' --progress-every 250ms \
    --trigger spike@1s+1500ms:500/s --json "$work/spike_load.json"
spike_ok spike_load

# 4. Bad specs: exit 2, one line, before anything runs.
bad() { # bad MESSAGE FLAGS...
    local want=$1
    shift
    expect_exit 2 "$txstorm" run --workers 2 --duration 5s "$@"
    assert_one_line_stderr
    assert_in "$work/err" "$want"
}
bad "unknown kind 'lock'" --trigger lock@1s+1s
bad "time '1' is not a duration" --trigger lock-rows@1+1s
bad "starts at or after the run's end" --trigger lock-table@5s+1s
bad "overlaps 'lock-rows@1s+2s'" --trigger lock-rows@1s+2s --trigger lock-rows@2s+2s
bad "share of the workers in (0,1]" --trigger terminate@1s:0
bad "needs --rate or --load" --trigger spike@1s+1s:500/s

# 5. compare shows each policy's time to recover beside goodput and p99.
expect_exit 0 "$txstorm" compare "$work/lock.json" "$work/kill.json"
assert_in "$work/out" "time to recover after the runs' triggers"
assert_match "$work/out" "^full-jitter +20 +4 +1 of 1 +[0-9.]+ +[0-9.]+-[0-9.]+ +[0-9]+ +[0-9.]+$"
