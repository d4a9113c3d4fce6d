#!/usr/bin/env bash
# Backends terminated under the run, and SIGINT: the run survives or stops cleanly,
# and no acknowledged transfer is lost.
source "$(dirname "$0")/lib.sh"
own_server
expect_exit 0 "$txstorm" init --accounts 200

# 1. pg_terminate_backend on a random third of the workers' sessions, every second for 10 s.
start_run --ledger --workers 8 --hot 20 --duration 12s --json "$work/kill.json"
for _ in $(seq 10); do
    psql -X -q -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                       WHERE application_name = 'txstorm-worker' AND random() < 0.33" >/dev/null
    sleep 1 # the fault's own schedule: one round of terminations a second
done
finish_run 0
assert_nothing_lost "$work/kill.json"
# (A session killed in the run's last moments may end without reconnecting: that is
# not a lost worker, the run was over.)
jq -e '.connection.losses >= 5 and .connection.reconnects >= .connection.losses / 2
       and .workers_lost == 0 and (.worker_faults | length) > 0' "$work/kill.json" >/dev/null ||
    fail "terminations: $(jq -c '{connection, n: (.worker_faults | length)}' "$work/kill.json")"

# 2. SIGINT mid-run: in-flight transactions finish, partial report, check, usual exit.
start_run --ledger --workers 8 --hot 20 --duration 10m --json "$work/int.json"
kill -INT "$RUN_PID"
finish_run 0
assert_in "$work/run.out" "txstorm run (interrupted)"
assert_nothing_lost "$work/int.json"
jq -e '.interrupted and .duration_s < 60' "$work/int.json" >/dev/null || fail "SIGINT result"
