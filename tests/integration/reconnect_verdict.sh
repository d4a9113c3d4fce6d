#!/usr/bin/env bash
# Each trigger's verdict says when every worker was connected again: every interval row
# counts the workers connected at its close, terminate@3s:1 ends all four sessions, and
# reconnect_s (from the trigger to the last connect of the interval by which all four were
# back, not that interval's close) is present, small and gated, with the peak of connection attempts per second; the saved
# result and a merge judge it the same way. Workers that may not reconnect
# (--reconnect-timeout 0s) are never all connected again: no figure, the gate fails.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_reconnect_verdict
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 200 --balance 100000

expect_exit 0 "$txstorm" run --workers 4 --duration 6s --progress-every 100ms \
    --trigger terminate@3s:1 --json "$work/kill.json" --csv "$work/kill.csv" \
    --assert 'reconnect_s<2'
assert_match "$work/out" "PASS +reconnect_s<2 +measured [0-9.]+"
assert_match "$work/out" "^  terminate@3s:1 .*; workers connected again in [0-9.]+ s \(at most [0-9.]+ connection attempts/s\)$"
jq -e '.triggers[0] | .terminated == 4 and .reconnect_s >= 0 and .reconnect_s <= 1
       and .connect_attempts_peak_per_s >= 4' "$work/kill.json" >/dev/null ||
    fail "reconnect verdict: $(jq -c '.triggers[0]' "$work/kill.json")"
# Every row knows its four workers; every row with connects knows when its last was made,
# within it; the reconnect ends at a row's last connect (not its close, which is later)
# with all four connected at that close, after every other connect.
jq -e '(.intervals | all(.workers == 4 and .workers_connected <= 4))
       and ([.intervals[] | select((.connects // 0) > 0)] | length >= 1
            and all(.last_connect_s > .elapsed_s - .interval_s - 0.000001
                    and .last_connect_s <= .elapsed_s))
       and (.triggers[0] as $t | [.intervals[] | select((.connects // 0) > 0)]
            | all(.last_connect_s <= $t.end_s + $t.reconnect_s + 0.000001))
       and (.triggers[0] as $t | [.intervals[]
            | select(.last_connect_s and ((.last_connect_s - $t.end_s - $t.reconnect_s) | fabs < 0.000001))]
            | length == 1 and all(.workers_connected == 4))' "$work/kill.json" >/dev/null ||
    fail "rows: $(jq -c '{t: .triggers[0], i: [.intervals[] | select(.elapsed_s > 2.8 and .elapsed_s < 4.5)
        | [.elapsed_s, .connect_attempts, .connects, .last_connect_s, .workers_connected, .workers]]}' "$work/kill.json")"
head -n 1 "$work/kill.csv" | grep -q ',workers_connected,workers' || fail "no workers columns in the CSV"
# Reprinted and gated again from the saved result and from a merge of it.
expect_exit 4 "$txstorm" report "$work/kill.json" --assert 'reconnect_s<0'
assert_match "$work/out" "FAIL +reconnect_s<0"
expect_exit 0 "$txstorm" merge "$work/kill.json" --json "$work/merged.json" --assert 'reconnect_s<2'
jq -e --slurpfile run "$work/kill.json" '.triggers[0].reconnect_s == $run[0].triggers[0].reconnect_s
       and (.intervals | all(.workers == 4))' "$work/merged.json" >/dev/null ||
    fail "merge: $(jq -c '.triggers[0]' "$work/merged.json")"

# Workers that may not reconnect: never all connected again, no figure, the gate fails.
expect_exit 4 "$txstorm" run --workers 4 --duration 5s --progress-every 100ms \
    --reconnect-timeout 0s --trigger terminate@3s:0.5 --json "$work/lost.json" \
    --assert 'reconnect_s<60'
assert_match "$work/out" "FAIL +reconnect_s<60 +no data: workers not all connected again"
assert_match "$work/out" "^  terminate@3s:0.5 .*; workers not all connected again$"
jq -e '.workers_lost == 2 and .triggers[0].reconnect_s == null
       and (.triggers[0] | has("connect_attempts_peak_per_s"))
       and (.intervals | last | .workers_connected == 2)' "$work/lost.json" >/dev/null ||
    fail "lost: $(jq -c '{workers_lost, t: .triggers[0]}' "$work/lost.json")"
