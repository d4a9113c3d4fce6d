#!/usr/bin/env bash
# --trigger exec: an outside fault as the user's own command. psql, started at 2 s with the
# run's own connection string, terminates every worker session of the database: its exit
# status, window and output are recorded, the workers reconnect, and the verdict judges it
# like any trigger. A command that exits 3 is recorded as failed (not judged, the gate
# fails); one that cannot be started is not injected. Their output stays off the terminal
# and the connection string's password out of everything. Two instances of one run run it
# once, and each result holds how it ended.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_trigger_exec
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 200 --balance 100000
cat >"$work/kill.sql" <<'SQL'
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND application_name = 'txstorm-worker';
SQL

kill="psql -X -q -At -d $DSN -f $work/kill.sql"
expect_exit 4 "$txstorm" run --workers 4 --hot 20 --duration 7s --progress-every 250ms \
    --trigger "exec@2s:$kill" --trigger "exec@4500ms:sh -c echo exec-marker: failing >&2; exit 3" \
    --trigger "exec@6s:/nonexistent/command --flag" --json "$work/exec.json" \
    --assert 'recover_s<60'
jq -e --arg kill "$kill" '.triggers[0] | .kind == "exec" and .exit_status == 0
       and .output == "4" and .released == "exited" and .planned_start_s == 2
       and .start_s - 2 < 0.5 and .start_s >= 2 and .end_s > .start_s and .end_s - .start_s < 30
       and (.arg | startswith("psql -X -q -At -d postgresql://txstorm:***@"))
       and (.spec | startswith("exec@2s:psql -X")) and (.outcome | IN("failed", "not_injected") | not)
       and has("baseline_per_s") and (.verdict | length > 0)' \
    "$work/exec.json" >/dev/null || fail "exec psql: $(jq -c '.triggers[0]' "$work/exec.json")"
# The workers it ended came back, and none was lost.
jq -e '.connection.losses >= 4 and .connection.reconnects == .connection.losses
       and .workers_lost == 0 and .connects >= 4' "$work/exec.json" >/dev/null ||
    fail "reconnects: $(jq -c '{connection, workers_lost, connects}' "$work/exec.json")"
jq -e '.triggers[1] | .exit_status == 3 and .output == "exec-marker: failing"
       and .outcome == "failed" and .verdict == "failed: exit status 3" and .recovered == false
       and .recovery_s == null and .start_s >= 4.5 and .end_s >= .start_s' \
    "$work/exec.json" >/dev/null || fail "exec exit 3: $(jq -c '.triggers[1]' "$work/exec.json")"
jq -e '.triggers[2] | .outcome == "not_injected" and .start_s == null
       and .error == "cannot run '"'/nonexistent/command'"': No such file or directory"
       and (has("exit_status") | not)' \
    "$work/exec.json" >/dev/null || fail "exec not started: $(jq -c '.triggers[2]' "$work/exec.json")"
# The report: the window, how it ended, its exit and output; the gate fails on the failed one.
assert_match "$work/out" "^  exec@2s:psql .* planned 2\.0 s, held [0-9.]+\.\.[0-9.]+ s \(its command ended\), baseline"
assert_match "$work/out" '^    exit status 0, its output.s tail:$'
assert_match "$work/out" '^    \| 4$'
assert_match "$work/out" "^  exec@4500ms:sh -c echo exec-marker: failing >&2; exit 3 +planned 4\.5 s, held .*: failed: exit status 3$"
assert_match "$work/out" '^    \| exec-marker: failing$'
assert_match "$work/out" "exec@6s:/nonexistent/command --flag +not injected \(cannot run '/nonexistent/command': No such file or directory\)"
assert_match "$work/out" "FAIL +recover_s<60"
# Its output is the result's, never the progress lines'; no password anywhere.
assert_in "$work/err" "TRIGGER exec"
assert_not_in "$work/err" "exec-marker"
for f in "$work/out" "$work/err" "$work/exec.json"; do assert_not_in "$f" "$TXSTORM_TEST_PASSWORD"; done
# The saved result reprints it all and judges the gate the same way.
expect_exit 4 "$txstorm" report "$work/exec.json" --assert 'recover_s<60'
assert_match "$work/out" '^    \| exec-marker: failing$'

# A command past its deadline is ended with everything it started: the window ends there.
expect_exit 0 "$txstorm" run --workers 2 --duration 4s --progress-every 250ms \
    --trigger "exec@1s+1s:sh -c sleep 60 & echo started \$!; wait" --json "$work/deadline.json"
jq -e '.triggers[0] | .released == "timed_out" and .exit_signal == 15 and .outcome == "failed"
       and .end_s - .start_s >= 0.99 and .end_s - .start_s < 2.5
       and (.output | startswith("started "))' "$work/deadline.json" >/dev/null ||
    fail "exec deadline: $(jq -c '.triggers[0]' "$work/deadline.json")"
sleeper=$(jq -r '.triggers[0].output | ltrimstr("started ")' "$work/deadline.json")
gone() { ! kill -0 "$sleeper" 2>/dev/null; }
poll 10 gone || fail "the command's child $sleeper outlived its deadline"

# Two instances of one run: instance 0 runs the command once for both, and each result (and
# their merge) holds its window, exit status and output.
pids=()
for i in 0 1; do
    "$txstorm" run --instance "$i/2" --seed 7 --workers 2 --duration 4s --progress-every 0 \
        --trigger "exec@1s:sh -c echo ran >>$work/ran; echo exec-instance-marker; exit 3" \
        --json "$work/i$i.json" >"$work/i$i.out" 2>&1 &
    pids+=($!)
done
for i in 0 1; do wait "${pids[$i]}" || fail "instance $i: $(cat "$work/i$i.out")"; done
[[ $(wc -l <"$work/ran") == 1 ]] || fail "the command ran $(wc -l <"$work/ran") times, not once"
expect_exit 0 "$txstorm" merge "$work/i0.json" "$work/i1.json" --json "$work/merged.json"
for f in i0 i1 merged; do
    jq -e '.triggers[0] | .injected_by == 0 and .exit_status == 3 and .outcome == "failed"
           and .output == "exec-instance-marker" and .released == "exited" and .end_s >= .start_s' \
        "$work/$f.json" >/dev/null || fail "$f: $(jq -c '.triggers[0]' "$work/$f.json")"
done
expect_exit 0 "$txstorm" check
