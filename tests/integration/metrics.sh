#!/usr/bin/env bash
# --metrics-addr against a real Prometheus (Debian's, scraping every second): the committed
# total it last scraped equals the run's JSON figure within one scrape interval's worth of
# commits; promtool accepts the exposition, a Latin-1 DSN in its labels too; no password in
# it; a bad address or a port in use is one line and exit 2 before any worker connects.
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null && command -v promtool >/dev/null ||
    { echo "SKIP: no prometheus/promtool"; exit 0; }
DB_NAME=t_metrics
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 100

# Prometheus runs as the test server's (non-root) owner, in a directory of its own; it is
# started from a subshell, so that finish_run's wait for the run's jobs does not wait for it,
# and through setpriv, which execs it (its pid is Prometheus's own).
owner=$(stat -c %U "$(cat "$build/pgdir")/data")
as_owner=()
((EUID == 0)) && as_owner=(setpriv --reuid="$owner" --regid="$(id -g "$owner")" --clear-groups --)
chmod 755 "$work"
prom=$work/prometheus
mkdir -m 755 "$prom"
cat >"$prom/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: txstorm
    file_sd_configs:
      - files: ['$prom/targets.json']
YML
# The run's port is known once it runs (--metrics-addr :0 lets the system pick it, so no
# other test can take it first); Prometheus reads its target from this file when it changes.
echo '[]' >"$prom/targets.json"
((EUID == 0)) && chown -R "$owner" "$prom"
(
    cd "$prom"
    "${as_owner[@]}" prometheus --config.file="$prom/prometheus.yml" --storage.tsdb.path="$prom/data" \
        --web.listen-address=127.0.0.1:0 >"$prom/log" 2>&1 &
    echo $! >"$work/prometheus.pid"
)
RUN_PID=
cleanup() {
    local pid
    pid=$(cat "$work/prometheus.pid")
    kill $RUN_PID "$pid" 2>/dev/null
    poll 10 eval '! kill -0 "$pid" 2>/dev/null' # it writes its data as it stops
    finish_work
}
trap cleanup EXIT
# Prometheus too listens on a port the system picks, and names it in its log.
prom_port() {
    pport=$(sed -n 's/.*msg="Listening on" address=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$prom/log")
    [[ -n $pport ]]
}
poll 20 prom_port || { tail "$prom/log" >&2; fail "prometheus did not say where it listens"; }
api=http://127.0.0.1:$pport
poll 20 curl -sf "$api/-/ready" -o /dev/null || { tail "$prom/log" >&2; fail "prometheus did not start"; }

# query PROMQL: the first result's value ("" when there is none).
query() {
    curl -sf --get "$api/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // ""'
}

# The address is refused before the run starts: with the database out of reach (exit 3 if
# the run got as far as connecting) and with it in reach (no transfer then).
expect_exit 2 "$txstorm" run --duration 2s --metrics-addr "127.0.0.1:$pport" \
    --db "postgresql://txstorm@127.0.0.1:1/none"
assert_one_line_stderr
assert_in "$work/err" "--metrics-addr: cannot listen on 127.0.0.1 port $pport: Address already in use"
expect_exit 2 "$txstorm" run --duration 2s --workers 4 --metrics-addr "127.0.0.1:$pport"
assert_one_line_stderr
expect_exit 2 "$txstorm" run --duration 2s --metrics-addr "127.0.0.1"
assert_one_line_stderr
assert_in "$work/err" "is not HOST:PORT"
expect_exit 2 "$txstorm" run --duration 2s --metrics-addr "no-such-host.invalid:9650" \
    --db "postgresql://txstorm@127.0.0.1:1/none"
assert_one_line_stderr
[[ $(sql "SELECT count(*) FROM accounts WHERE balance <> 1000") == 0 ]] ||
    fail "a transfer ran although the metrics address was refused"

# The run, scraped every second; progress (and so the metrics) every 200 ms. It lasts until
# Prometheus has scraped a commit (a loaded machine may start Prometheus's scrapes late),
# then an interrupt ends it as a user would, with its report and results.
# Its DSN names the application in Latin-1 (café): a byte that is not UTF-8 in a label would
# make Prometheus drop the whole scrape, and promtool refuse the exposition.
start_run --duration 120s --workers 4 --metrics-addr "127.0.0.1:0" --json "$work/run.json" \
    --db "$DSN?application_name=caf%E9"
mport=$(sed -n 's|^txstorm: serving http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$work/run.head")
[[ -n $mport ]] || fail "the run did not say which port it serves on: $(cat "$work/run.head")"
echo "[{\"targets\": [\"127.0.0.1:$mport\"]}]" >"$prom/targets.json.new"
mv "$prom/targets.json.new" "$prom/targets.json"
curl -sf "http://127.0.0.1:$mport/metrics" -o "$work/metrics.txt" || fail "no /metrics"
curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' -D "$work/om.head" \
    "http://127.0.0.1:$mport/metrics" -o "$work/metrics.om" || fail "no OpenMetrics /metrics"
scraped() { [[ $(query 'up{job="txstorm"}') == 1 && $(query 'txstorm_transactions_total{outcome="committed"}') -gt 0 ]]; }
poll 60 scraped || fail "prometheus never scraped a commit: $(curl -s "$api/api/v1/targets")"
kill -INT "$RUN_PID"
finish_run 0
promtool check metrics <"$work/metrics.txt" >"$work/promtool.out" 2>&1 ||
    { cat "$work/promtool.out" >&2; fail "promtool check metrics"; }
assert_not_in "$work/metrics.txt" "$TXSTORM_TEST_PASSWORD"
assert_in "$work/metrics.txt" "application_name=caf?"
assert_match "$work/metrics.txt" '^txstorm_latency_seconds_bucket\{txstorm_instance="0/1",le="\+Inf"\} [0-9]+$'
assert_match "$work/metrics.txt" '^txstorm_endpoint_transactions_total\{txstorm_instance="0/1",endpoint="[^"]*password=\*\*\*[^"]*",outcome="committed"\} [0-9]+$'
assert_in "$work/om.head" "application/openmetrics-text; version=1.0.0"
[[ $(tail -n 1 "$work/metrics.om") == "# EOF" ]] || fail "the OpenMetrics exposition does not end in # EOF"

# The last committed total Prometheus scraped, against the run's own: the run may have
# gone on for up to a scrape interval (and the 200 ms the exposition lags) after it. On a
# loaded machine a scrape or the collector can come late, so what the run committed after
# Prometheus's last scrape is allowed too (and that scrape must be a recent one).
sample=$(curl -sf --get "$api/api/v1/query" \
    --data-urlencode 'query=txstorm_transactions_total{outcome="committed"}[5m]' |
    jq -r '.data.result[0].values | last | "\(.[0]) \(.[1])"')
read -r last_ts last <<<"$sample"
committed=$(jq .committed "$work/run.json")
since=$(jq --argjson ts "${last_ts:-0}" '.end_unix_us / 1e6 - $ts' "$work/run.json")
slack=$(jq --argjson since "$since" '(.throughput_tps * (1.2 + ([$since, 0] | max))) | ceil' "$work/run.json")
echo "prometheus: $last committed, scraped ${since} s before the run's end; the run: $committed (slack $slack)"
jq -en --argjson since "$since" '$since < 4' >/dev/null ||
    fail "prometheus's last scrape came ${since} s before the run's end"
[[ -n $last ]] && ((committed - slack <= last && last <= committed)) ||
    fail "prometheus last saw $last committed, the run says $committed (slack $slack)"
latency_count=$(query 'max_over_time(txstorm_latency_seconds_count[5m])')
((committed - slack <= latency_count && latency_count <= committed)) ||
    fail "latency histogram count $latency_count, $committed committed"
echo "ok"
