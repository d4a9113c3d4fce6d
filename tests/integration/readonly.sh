#!/usr/bin/env bash
# A read-only server (here: default_transaction_read_only on, as a standby refuses writes
# with the same SQLSTATE 25006) is a connection fault, never a failed transfer: the workers
# reconnect with backoff and retry; if it stays read-only past --reconnect-timeout the run
# ends like one whose server went away (exit 3).
source "$(dirname "$0")/lib.sh"
own_server
expect_exit 0 "$txstorm" init --accounts 200
read_only() {
    psql -X -q -d "$DSN" -c "ALTER SYSTEM SET default_transaction_read_only = $1" \
        -c "SELECT pg_reload_conf()" >/dev/null
}

# 1. Read-only for a while in the middle of a run: transfers that hit it reconnect and are
#    retried; none fails, none counts as `other`, nothing acknowledged is lost. The run is
#    a number of transfers, not a duration, so none can be cut short by the end of the run
#    while its worker still waits to reconnect (that one would count as failed at the stop).
start_run --ledger --workers 6 --skew uniform --max-retries 100 --transactions 3000 \
    --reconnect-timeout 30s --json "$work/window.json"
read_only on
sleep 1.5 # the fault itself
read_only off
finish_run 0
assert_nothing_lost "$work/window.json"
jq -e '.connection.losses > 0 and .connection.reconnects > 0 and .workers_lost == 0
       and .failed == 0 and .errors_by_class.other == 0 and .errors_by_class.connection > 0
       and .retries_by_class.connection > 0' "$work/window.json" >/dev/null ||
    fail "read-only window: $(jq -c '{failed, errors_by_class, connection, workers_lost}' \
        "$work/window.json")"

# 2. Read-only for good: after --reconnect-timeout the workers give up, exit 3, and what
#    failed is counted as connection faults, not `other`.
start_run --ledger --workers 4 --hot 20 --duration 30s --reconnect-timeout 1s \
    --json "$work/gone.json"
read_only on
finish_run 3
assert_in "$work/run.out" "4 workers gave up"
jq -e '.workers_lost == 4 and .duration_s < 30 and .errors_by_class.other == 0
       and .errors_by_class.connection > 0' "$work/gone.json" >/dev/null ||
    fail "read-only for good: $(jq -c '{workers_lost, duration_s, errors_by_class}' "$work/gone.json")"

# 3. Read-only from the start: the run refuses at once, one line, exit 3.
expect_exit 3 "$txstorm" run --workers 2 --duration 1s
assert_one_line_stderr
assert_in "$work/err" "read-only"

read_only off
expect_exit 0 "$txstorm" check --ledger --result "$work/gone.json"
