#!/usr/bin/env bash
# The workers' connection attempts, counted by outcome. Mid-run the role the run connects as
# is held to CONNECTION LIMIT 0 and its worker sessions are terminated: every reconnect is
# refused with 53300 (seen live in /metrics) until the limit is lifted; then the workers
# connect again. The result counts the attempts, the connects and the 53300s, each interval
# row its share, the histogram its connects; the report, the CSV and a merge say the same.
# (A role of the test's own: the shared server's own role is a superuser, whom no limit holds.)
source "$(dirname "$0")/lib.sh"
DB_NAME=t_connect_figures
ROLE=t_connect_figures
PW=figures-pw-1
fresh_db $DB_NAME
sql "DROP ROLE IF EXISTS $ROLE; CREATE ROLE $ROLE LOGIN PASSWORD '$PW';
     ALTER DATABASE $DB_NAME OWNER TO $ROLE"
DSN="postgresql://$ROLE:$PW@127.0.0.1:$PGPORT/$DB_NAME"
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 100 --balance 1000000

# Port 0: the system picks a free one and the run says which (no race with other tests).
start_run --db "$DSN" --workers 2 --skew uniform --duration 120s --reconnect-timeout 60s \
    --metrics-addr "127.0.0.1:0" --json "$work/run.json" --csv "$work/run.csv"
metrics_port
sql "ALTER ROLE $ROLE CONNECTION LIMIT 0"
sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
     WHERE usename = '$ROLE' AND application_name = 'txstorm-worker'" >/dev/null

until_metric 'txstorm_connect_failures_total{txstorm_instance="0/1",reason="53300"}' 2
sql "ALTER ROLE $ROLE CONNECTION LIMIT -1"
until_metric 'txstorm_connects_total{txstorm_instance="0/1"}' 2
# The one endpoint's connect figures, in the same scrape, are the run's.
scrape=$(curl -sf "http://127.0.0.1:$MPORT/metrics")
sum_of() { # the values of the samples whose line starts with $1 and holds $2
    awk -v p="$1" -v h="$2" 'index($0, p) == 1 && index($0, h) { s += $NF } END { print s + 0 }' <<<"$scrape"
}
for figure in connect_attempts connects; do
    [[ $(sum_of "txstorm_endpoint_${figure}_total{" '') == $(sum_of "txstorm_${figure}_total{" '') ]] ||
        fail "endpoint $figure: $(grep "_${figure}_total" <<<"$scrape")"
done
[[ $(sum_of 'txstorm_endpoint_connect_failures_total{' 'reason="53300"') -ge 2 &&
    $(sum_of 'txstorm_endpoint_connect_failures_total{' 'reason="53300"') == $(sum_of 'txstorm_connect_failures_total{' 'reason="53300"') ]] ||
    fail "endpoint 53300: $(grep "connect_failures_total" <<<"$scrape")"
kill -INT "$RUN_PID"
finish_run 0

jq -e '.connect_failures["53300"] >= 2 and .connects == 2 and .connection.reconnects == 2
       and .connect_attempts == .connects + ([.connect_failures[]] | add)
       and .histograms.connect_us.total_count == .connects and .connect_ms.count == .connects
       and ([.intervals[].connect_attempts // 0] | add) == .connect_attempts
       and ([.intervals[].connects // 0] | add) == .connects
       and .config.reconnect_backoff == "full-jitter"' "$work/run.json" >/dev/null ||
    fail "connect figures: $(jq -c '{connect_attempts, connects, connect_failures, connection,
        rows: [.intervals[] | select(.connect_attempts) | [.elapsed_s, .connect_attempts, .connects]]}' \
        "$work/run.json")"
assert_match "$work/run.out" '^connect attempts +[0-9]+ +[0-9.]+ +2 connected, failed: 53300 [0-9]+$'
assert_in "$work/run.out" "each connect"
assert_in "$work/run.err" "CONNECTS 0/"
head -n 1 "$work/run.csv" | grep -q ',connect_attempts,connects' || fail "no connect columns in the CSV"
expect_exit 0 "$txstorm" merge "$work/run.json" --json "$work/merged.json"
jq -e --slurpfile run "$work/run.json" '.connect_attempts == $run[0].connect_attempts
       and .connect_failures == $run[0].connect_failures
       and .histograms.connect_us.total_count == $run[0].connects' "$work/merged.json" >/dev/null ||
    fail "merge: $(jq -c '{connect_attempts, connects, connect_failures}' "$work/merged.json")"
expect_exit 0 "$txstorm" check --db "$DSN"

# The endpoint's connect figures are the run's; a result edited so they are not is refused,
# naming the key. One whose endpoints lack them (written before they were counted per
# endpoint) is read, and a merge of it leaves them out and is read again.
jq -e '.endpoints[0] | .connect_attempts > 0 and .connects == 2' "$work/run.json" >/dev/null ||
    fail "endpoint connects: $(jq -c '.endpoints[0] | del(.latency_us)' "$work/run.json")"
jq '.endpoints[0].connect_attempts += 1' "$work/run.json" >"$work/edited.json"
expect_exit 2 "$txstorm" report "$work/edited.json"
assert_in "$work/err" "edited.json: inconsistent counters: the endpoints' 'connect_attempts' do not add up to the total"
[[ $(wc -l <"$work/err") == 1 ]] || fail "more than one line: $(cat "$work/err")"
jq '.endpoints[0].connect_failures["53300"] -= 1 | .endpoints[0].connect_failures.refused = 1' \
    "$work/run.json" >"$work/edited.json"
expect_exit 2 "$txstorm" report "$work/edited.json"
assert_in "$work/err" "the endpoints' 'connect_failures' do not add up to the total"
jq '.endpoints[0] |= del(.connect_attempts, .connects, .connect_failures)' "$work/run.json" >"$work/older.json"
expect_exit 0 "$txstorm" report "$work/older.json"
expect_exit 0 "$txstorm" merge "$work/older.json" --json "$work/merged-older.json"
expect_exit 0 "$txstorm" report "$work/merged-older.json"
jq -e '(.endpoints | length) == 1 and (.endpoints[0] | has("connect_attempts") | not)' \
    "$work/merged-older.json" >/dev/null || fail "merged with an older result: $(jq -c '.endpoints[0] | del(.latency_us)' "$work/merged-older.json")"
rm "$work/edited.json" "$work/older.json" # hand-made, not results of this txstorm
