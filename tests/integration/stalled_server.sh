#!/usr/bin/env bash
# A server that stops answering mid-statement (a partition: scripts/relay stall keeps the
# connections open and relays nothing more, and takes the stop's cancel requests without
# ever answering them). The run still stops: its cancels go out from a thread of their
# own, and once they have had their time the loops hang up on the silent server; the
# transfers cut off are counted (ambiguous when cut off in COMMIT) and, with --ledger,
# recorded so that the check accuses nobody: the first endpoint, direct, checks the bank.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_stalled_server
fresh_db $DB_NAME
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 1000 --balance 1000000

start_relay stall
stalled="$RELAY_DSN"

start_run --db "$DSN" --db "$stalled" --workers 4 --skew uniform --duration 2s --stop-grace 200ms \
    --ledger --json "$work/run.json"
touch "$work/fault"
finish_run 0

# The stalled endpoint's workers were cut off, each transfer counted once and the ledger
# agrees with the table: nothing lost, nothing invented.
jq -e '.endpoints[1].ambiguous + .endpoints[1].failed >= 1
       and .check.ok and .check.ledger.ok and .check.ledger.lost == 0
       and .check.ledger.invented_unknown == 0 and .check.ledger.invented_failed == 0
       and (.check.ledger.ambiguous_transfers | length) == .check.ledger.ambiguous' \
    "$work/run.json" >/dev/null ||
    fail "after the stall: $(jq -c '{endpoints: [.endpoints[] | {committed, failed, ambiguous}], ledger: .check.ledger | del(.workers)}' "$work/run.json")"
