#!/usr/bin/env bash
# init, a contended run with retries, and a check that conservation held.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_roundtrip
fresh_db $DB_NAME

expect_exit 0 "$txstorm" init --db "$DSN" --accounts 1000 --balance 1000
assert_in "$work/out" "bank created: 1000 accounts of 1000, total 1000000"

expect_exit 0 "$txstorm" run --db "$DSN" --workers 16 --hot 10 --duration 4s \
    --progress-every 1s --json "$work/r.json"
assert_in "$work/out" "check: PASS"
assert_in "$work/err" "committed/s"

jq -e '.committed > 0 and .retries > 0 and .retried_txns > 0' "$work/r.json" >/dev/null ||
    fail "expected commits and retries: $(jq -c '{committed, retries}' "$work/r.json")"
jq -e '.check.ok and .check.total_expected == 1000000 and .check.total_actual == 1000000
       and .check.negative_accounts == 0' "$work/r.json" >/dev/null || fail "check in JSON"
jq -e '.retries == (.retries_by_sqlstate | add)' "$work/r.json" >/dev/null ||
    fail "retries by SQLSTATE do not add up"
jq -e '.config.workers == 16 and .config.hot == 10 and .config.backoff == "full-jitter"
       and (.latency_ms | .p50 <= .p90 and .p90 <= .p99 and .p99 <= .p999 and .p999 <= .max)
       and .duration_s >= 4 and .throughput_tps > 0' "$work/r.json" >/dev/null ||
    fail "config or latency keys: $(jq -c '{config, latency_ms}' "$work/r.json")"

# The database agrees with the report: the sum is the initial total.
[[ $(sql "SELECT sum(balance) FROM accounts") == 1000000 ]] || fail "sum changed"
expect_exit 0 "$txstorm" check --db "$DSN"
assert_in "$work/out" "conservation (total)         PASS"
echo "roundtrip: $(jq -c '{committed, retries, retries_by_sqlstate, throughput_tps}' "$work/r.json")"
