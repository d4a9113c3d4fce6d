#!/usr/bin/env bash
# A failover under synchronous replication (scripts/cluster, one standby): the primary is
# stopped at once (-m immediate) mid-run and the standby promoted. The run goes on against
# the new primary through the cluster's multi-host DSN (target_session_attrs=read-write),
# sees its connections lost and re-established, and ends with every acknowledged transfer
# there (a commit waited for the standby's flush), conservation and the ledger PASS, exit 0.
source "$(dirname "$0")/lib.sh"
cluster=$root/scripts/cluster
C=$work/c
chmod 755 "$work" # the servers run as another user when the tests run as root
trap '"$cluster" destroy "$C" >/dev/null 2>&1 || true; finish_work' EXIT

export PG_FAST=1
expect_exit 0 "$cluster" start "$C" --standbys 1 --sync
# shellcheck disable=SC1091
source "$C/env" # DATABASE_URL: every node, read-write
expect_exit 0 "$txstorm" init --accounts 200

q() { timeout 30 psql -X -q -At -d "$DATABASE_URL" -c "$1"; }
# wait_transfers N: polls until the writable node holds more than N transfers.
wait_transfers() {
    local deadline=$((SECONDS + 40)) n
    until n=$(q "SELECT count(*) FROM transfers" 2>/dev/null) && ((n > $1)); do
        ((SECONDS < deadline)) || fail "transfers never exceeded $1 (last: ${n:-none})"
        sleep 0.1 # polling the server's table, bounded by the deadline
    done
    echo "$n"
}

start_run --ledger --workers 4 --hot 20 --duration 60s --json "$work/run.json"
wait_transfers 50 >/dev/null
expect_exit 0 "$cluster" failover "$C"
# The run commits on the new primary: its transfers grow past what it held at the failover.
after=$(wait_transfers 0)
wait_transfers $((after + 100)) >/dev/null
kill -INT "$RUN_PID"
finish_run 0

assert_nothing_lost "$work/run.json"
jq -e '.check.total_ok and .check.ledger.lost_transfers == []
       and .check.ledger.invented_failed_transfers == []
       and .connection.losses > 0 and .connection.reconnects > 0' "$work/run.json" >/dev/null ||
    fail "failover: $(jq -c '{connection, ledger: .check.ledger}' "$work/run.json")"
assert_not_in "$work/run.out" "missing from the server"
