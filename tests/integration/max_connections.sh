#!/usr/bin/env bash
# max_connections exhausted mid-run, on a throwaway server of the test's own holding 10
# connections, 3 of them kept for superusers (so this test's own queries always get in).
# The run's four workers connect as an ordinary role. Mid-run that role may not log in
# and its sessions are ended; sessions of another role then take every free slot (the
# one after them is refused: the server is full). The role may log in again: every
# reconnect now meets 53300 (here "remaining connection slots are reserved"), until the
# sessions are released (a row they wait for); then all four workers connect again.
# (A run refuses to start when a worker cannot connect, so the exhaustion is mid-run.)
source "$(dirname "$0")/lib.sh"
own_server max_connections=10 superuser_reserved_connections=3
ROLE=t_storm
HOLDER=t_holder
DB_NAME=t_max_connections
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE $ROLE LOGIN PASSWORD 'storm-pw-1'" \
    -c "CREATE ROLE $HOLDER LOGIN PASSWORD 'holder-pw-1'" -c "CREATE DATABASE $DB_NAME OWNER $ROLE"
sql "CREATE TABLE released (at timestamptz); GRANT SELECT ON released TO $HOLDER"
DSN="postgresql://$ROLE:storm-pw-1@127.0.0.1:$PGPORT/$DB_NAME"
HOLDER_DSN="postgresql://$HOLDER:holder-pw-1@127.0.0.1:$PGPORT/$DB_NAME"
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 1000 --balance 1000000

# Should the test fail midway, the run and the sessions end with it.
trap 'kill -KILL "${RUN_PID:-}" 2>/dev/null || true; "$root/scripts/pg" destroy "$OWN"; finish_work' EXIT
start_run --db "$DSN" --workers 4 --skew uniform --duration 120s --reconnect-timeout 60s \
    --metrics-addr "127.0.0.1:0" --json "$work/run.json"
metrics_port
sql "ALTER ROLE $ROLE NOLOGIN"
sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '$ROLE'" >/dev/null
sessions() { sql "SELECT count(*) FROM pg_stat_activity WHERE usename = '$1'"; }
none_left() { [[ $(sessions $ROLE) == 0 ]]; }
poll 60 none_left || fail "the role's sessions did not end: $(sessions $ROLE) left"

# Seven ordinary slots (10 less the 3 kept for superusers), each taken by a session that
# waits until a row is in `released`. One at a time, each seen connected; one refused (a
# slot still held by a query of this test's that has ended) is started again.
hold='DO $$ BEGIN WHILE NOT EXISTS (SELECT FROM released) LOOP PERFORM pg_sleep(0.05); END LOOP; END $$'
holders=()
connected_or_gone() { (($(sessions $HOLDER) > ${#holders[@]})) || ! kill -0 "$1" 2>/dev/null; }
deadline=$((SECONDS + 60))
while ((${#holders[@]} < 7)); do
    ((SECONDS < deadline)) || fail "holders: $(sessions $HOLDER) of 7 connected: $(cat "$work/holders.out")
$(sql "SELECT usename, backend_type, state FROM pg_stat_activity")"
    psql -X -q -d "$HOLDER_DSN" -c "$hold" >>"$work/holders.out" 2>&1 &
    pid=$!
    poll 60 connected_or_gone "$pid" || fail "a holder neither connected nor ended"
    if kill -0 "$pid" 2>/dev/null; then holders+=("$pid"); fi
done
expect_exit 2 psql -X -d "$HOLDER_DSN" -c "SELECT 1"
assert_in "$work/err" "remaining connection slots are reserved"

sql "ALTER ROLE $ROLE LOGIN"
until_metric 'txstorm_connect_failures_total{txstorm_instance="0/1",reason="53300"}' 4
[[ $(metric 'txstorm_workers_connected{txstorm_instance="0/1"}') == 0 ]] ||
    fail "a worker connected to a full server"
sql "INSERT INTO released VALUES (now())"
for pid in "${holders[@]}"; do wait "$pid" || fail "a holder failed: $(cat "$work/holders.out")"; done
until_metric 'txstorm_workers_connected{txstorm_instance="0/1"}' 4
kill -INT "$RUN_PID"
finish_run 0

jq -e '.connect_failures["53300"] >= 4 and .connects == 4 and .connection.reconnects == 4
       and .workers_lost == 0
       and .connect_attempts == .connects + ([.connect_failures[]] | add)
       and ([.intervals[].connect_attempts // 0] | add) == .connect_attempts
       and (.intervals | last | .workers_connected == 4)' "$work/run.json" >/dev/null ||
    fail "exhaustion: $(jq -c '{connect_attempts, connects, connect_failures, connection,
        workers_lost, last: (.intervals | last | .workers_connected)}' "$work/run.json")"
assert_match "$work/run.out" '^connect attempts +[0-9]+ +[0-9.]+ +4 connected, failed: 53300 [0-9]+'
expect_exit 0 "$txstorm" check --db "$DSN"
