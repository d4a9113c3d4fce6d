#!/usr/bin/env bash
# The end-of-run check outlives a server that is down when the run stops (a failover under
# the run, a proxy still routing to the old primary for a moment): it reconnects for as
# long as a worker would (--reconnect-timeout), says so on stderr, and checks once the
# server is back. scripts/relay bounce stands in for the server: it drops every connection
# and refuses new ones while $work/fault exists, then relays again on the same port.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_check_reconnect
fresh_db $DB_NAME
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 100 --balance 1000000

start_relay bounce
start_run --db "$RELAY_DSN" --workers 2 --skew uniform --duration 120s --reconnect-timeout 60s \
    --ledger --json "$work/run.json"
touch "$work/fault"
kill -INT "$RUN_PID"

# The check is waiting for the server: only then does it come back.
deadline=$((SECONDS + 60))
until grep -q "the check lost its connection; reconnecting" "$work/run.err"; do
    ((SECONDS < deadline)) || { cat "$work/run.err" >&2; fail "the check never said it was reconnecting"; }
    sleep 0.1 # polling the run's stderr, bounded by the deadline
done
rm "$work/fault"
finish_run 0

jq -e '.check.ok and .check.ledger.ok and .check.ledger.lost == 0 and .committed > 0' \
    "$work/run.json" >/dev/null || fail "after the bounce: $(jq -c '{committed, check: (.check | del(.ledger.workers))}' "$work/run.json")"
