#!/usr/bin/env bash
# SIGINT (and SIGHUP) mid-run: in-flight transactions finish, the partial report and the check
# are printed.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_sigint
fresh_db $DB_NAME
expect_exit 0 "$txstorm" init --db "$DSN"

mkfifo "$work/progress"
"$txstorm" run --db "$DSN" --workers 8 --duration 10m --progress-every 100ms --audit-every 50ms \
    --json "$work/r.json" >"$work/out" 2>"$work/progress" &
pid=$!
exec 3<"$work/progress"
# The run is under way once a progress line with commits shows up.
started=
while IFS= read -r -t 60 line <&3; do
    if [[ $line =~ ^\ *[0-9.]+\ +[0-9.]+ ]] && [[ $(awk '{print $2}' <<<"$line") != 0.0 ]]; then
        started=1
        break
    fi
done
[[ -n $started ]] || fail "run never made progress"
kill -INT "$pid"
cat <&3 >"$work/err" &
rc=0
wait "$pid" || rc=$?
wait
((rc == 0)) || { cat "$work/out" "$work/err" >&2; fail "exit $rc after SIGINT"; }
assert_in "$work/out" "txstorm run (interrupted)"
assert_in "$work/out" "check: PASS"
assert_in "$work/err" "stopping: in-flight transactions get 5.0 s to finish"
jq -e '.interrupted and .committed > 0 and .check.ok and .duration_s < 600' "$work/r.json" >/dev/null ||
    fail "JSON after SIGINT: $(jq -c '{interrupted, committed, duration_s}' "$work/r.json")"

# SIGHUP (a closed terminal, a lost SSH session) ends the run as SIGTERM does: the report,
# the check and the result are still written, and the exit code is the usual one.
start_run --db "$DSN" --workers 4 --duration 10m --json "$work/hup.json"
kill -HUP "$RUN_PID"
finish_run 0
assert_in "$work/run.out" "txstorm run (interrupted)"
assert_in "$work/run.out" "check: PASS"
jq -e '.interrupted and .committed > 0 and .check.ok and .duration_s < 600' "$work/hup.json" >/dev/null ||
    fail "JSON after SIGHUP: $(jq -c '{interrupted, committed, duration_s}' "$work/hup.json")"
