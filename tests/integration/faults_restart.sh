#!/usr/bin/env bash
# The server restarted under the run (immediate, i.e. a crash) and stopped for 3 s:
# workers reconnect, the run goes on, and no acknowledged transfer is lost.
source "$(dirname "$0")/lib.sh"
own_server
expect_exit 0 "$txstorm" init --accounts 200

# 1. pg_ctl restart -m immediate in the middle of a run.
start_run --ledger --workers 8 --hot 20 --duration 6s --json "$work/crash.json"
"$root/scripts/pg" ctl "$OWN" restart -m immediate -w -l "$OWN/server.log" >/dev/null
finish_run 0
assert_nothing_lost "$work/crash.json"
jq -e '.connection.losses > 0 and .connection.reconnects > 0 and .workers_lost == 0' \
    "$work/crash.json" >/dev/null || fail "no reconnects seen: $(jq -c .connection "$work/crash.json")"
assert_in "$work/run.out" "connections lost"

# 2. The server stopped for 3 s, then started again (the 3 s are the fault itself).
start_run --ledger --workers 8 --hot 20 --duration 8s --json "$work/down.json"
"$root/scripts/pg" ctl "$OWN" stop -m fast -w >/dev/null
sleep 3
"$root/scripts/pg" ctl "$OWN" start -w -l "$OWN/server.log" >/dev/null
finish_run 0
assert_nothing_lost "$work/down.json"
jq -e '.connection.disconnected_ms >= 2000 and .workers_lost == 0' "$work/down.json" >/dev/null ||
    fail "downtime not accounted: $(jq -c .connection "$work/down.json")"

# 3. Down for longer than --reconnect-timeout: the workers give up, the run ends
#    cleanly with partial results and exits 3 (its check cannot reach the server).
start_run --ledger --workers 4 --hot 20 --duration 30s --reconnect-timeout 1s \
    --json "$work/gone.json"
"$root/scripts/pg" ctl "$OWN" stop -m fast -w >/dev/null
finish_run 3
assert_in "$work/run.out" "4 workers gave up"
assert_in "$work/run.out" "check: not run"
jq -e '.workers_lost == 4 and .duration_s < 30 and .committed > 0 and .check == null' \
    "$work/gone.json" >/dev/null ||
    fail "partial run: $(jq -c '{workers_lost, duration_s, committed}' "$work/gone.json")"
# Back up, the bank is whole.
"$root/scripts/pg" ctl "$OWN" start -w -l "$OWN/server.log" >/dev/null
expect_exit 0 "$txstorm" check --ledger --result "$work/gone.json"
