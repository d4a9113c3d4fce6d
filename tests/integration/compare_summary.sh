#!/usr/bin/env bash
# scripts/compare-summary on hand-made results: exact means, ranges, standard deviations,
# verdicts and the noise line. Needs no server.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
summary=$root/scripts/compare-summary
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=$work/runs
mkdir "$runs"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# assert_line FILE TEXT: FILE has a line that is TEXT once runs of blanks are squeezed.
assert_line() {
    awk '{ $1 = $1; print }' "$1" | grep -qxF -- "$2" || { cat "$1" >&2; fail "$1 lacks the line '$2'"; }
}

assert_in() {
    grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks '$2'"; }
}

# result NAME TOOL BACKOFF BUDGET HOT WORKERS TPS COMMITTED RETRIES FAILED ATTEMPTS BACKOFF_MS
#        P50 P99 P999: a result holding only the keys the summary reads.
result() {
    jq -n --arg tool "$2" --arg backoff "$3" --argjson budget "$4" --argjson hot "$5" \
        --argjson workers "$6" --argjson tps "$7" --argjson committed "$8" --argjson retries "$9" \
        --argjson failed "${10}" --argjson attempts "${11}" --argjson backoff_ms "${12}" \
        --argjson p50 "${13}" --argjson p99 "${14}" --argjson p999 "${15}" '{
            tool: $tool, throughput_tps: $tps, committed: $committed, retries: $retries,
            failed: $failed, attempts: $attempts, insufficient: 0, backoff_ms_total: $backoff_ms,
            latency_ms: {p50: $p50, p99: $p99, p999: $p999},
            config: {backoff: $backoff, retry_budget: $budget, hot: $hot, workers: $workers}}' \
        >"$runs/$1.json"
}

# Hot set 10, 16 workers: full-jitter wins goodput clearly; none gives up on more than 1%,
# so it is left out of the p99 ranking, where exponential's lead is within the noise.
result none-h10-r1 txstorm none 0 10 16 1000 3000 9000 30 12030 0 2 30 50
result none-h10-r2 txstorm none 0 10 16 1100 3300 9900 50 13250 0 4 34 70
result fj-h10-r1 txstorm full-jitter 0 10 16 1200 3600 1800 0 5400 1500 1 100 200
result fj-h10-r2 txstorm full-jitter 0 10 16 1260 3780 2268 0 6048 2500 1.5 120 300
result exp-h10-r1 txstorm exponential 0 10 16 1150 3450 1725 0 5175 2000 1 90 150
result exp-h10-r2 txstorm exponential 0 10 16 1170 3510 1755 0 5265 2200 1 96 170
result pgbench-h10-r1 pgbench none 0 10 16 900 2700 8100 60 10860 0 3 40 80
# Hot set 2: the budget variant wins goodput while giving up on 5%, and is left out of the
# p99 ranking.
result none-h2-r1 txstorm none 0 2 16 500 1500 3000 10 4510 0 1 20 40
result none-h2-r2 txstorm none 0 2 16 700 2100 4200 10 6310 0 1 22 40
result fj-h2-r1 txstorm full-jitter 0 2 16 620 1860 930 0 2790 800 1 50 90
result fj-h2-r2 txstorm full-jitter 0 2 16 640 1920 960 0 2880 900 1 60 90
result fjb-h2-r1 txstorm full-jitter 20 2 16 650 1950 195 100 2245 100 1 15 30
result fjb-h2-r2 txstorm full-jitter 20 2 16 660 1980 198 120 2298 100 1 16 30
# Hot set 5, 64 workers: everyone gives up on more than 1%, so p99 is not ranked.
result none-h5-r1 txstorm none 0 5 64 300 1000 5000 100 6100 0 10 200 300
result exp-h5-r1 txstorm exponential 0 5 64 330 1000 800 20 1820 900 10 400 500
# Hot set 100, 4 workers: one repetition, so no spread.
result none-h100-r1 txstorm none 0 100 4 3000 9000 900 0 9900 0 1 5 9
result fj-h100-r1 txstorm full-jitter 0 100 4 2900 8700 870 0 9570 300 1 8 12

"$summary" --format csv "$runs" >"$work/csv"
"$summary" "$runs" >"$work/text"
"$summary" --format markdown "$runs" >"$work/md"
"$summary" --format verdicts "$runs" >"$work/verdicts"

# CSV: a header and one row per cell, sorted by hot set, workers, then policy.
[[ $(head -n 1 "$work/csv" | cut -d, -f1-9) == policy,hot,workers,reps,goodput_per_s_mean,goodput_per_s_min,goodput_per_s_max,goodput_per_s_sd,retries_per_committed_mean ]] ||
    fail "csv header: $(head -n 1 "$work/csv")"
[[ $(head -n 1 "$work/csv" | cut -d, -f37-) == failed_pct_mean,failed_pct_min,failed_pct_max,failed_pct_sd ]] ||
    fail "csv header: $(head -n 1 "$work/csv")"
[[ $(tail -n +2 "$work/csv" | cut -d, -f1-3 | paste -sd' ') == "none,2,16 full-jitter,2,16 full-jitter+budget,2,16 none,5,64 exponential,5,64 none,10,16 exponential,10,16 full-jitter,10,16 pgbench (no backoff),10,16 none,100,4 full-jitter,100,4" ]] ||
    fail "csv rows: $(cut -d, -f1-3 "$work/csv" | paste -sd' ')"
assert_line "$work/csv" "none,10,16,2,1050.0,1000.0,1100.0,70.7,3.0000,3.0000,3.0000,0.0000,40.0,30.0,50.0,14.1,9490.0,9030.0,9950.0,650.5,0.000,0.000,0.000,0.000,3.000,2.000,4.000,1.414,32.000,30.000,34.000,2.828,60.000,50.000,70.000,14.142,1.24,0.99,1.49,0.36"
assert_line "$work/csv" "full-jitter,10,16,2,1230.0,1200.0,1260.0,42.4,0.5500,0.5000,0.6000,0.0707,0.0,0.0,0.0,0.0,2034.0,1800.0,2268.0,330.9,2.000,1.500,2.500,0.707,1.250,1.000,1.500,0.354,110.000,100.000,120.000,14.142,250.000,200.000,300.000,70.711,0.00,0.00,0.00,0.00"
assert_line "$work/csv" "none,100,4,1,3000.0,3000.0,3000.0,0.0,0.1000,0.1000,0.1000,0.0000,0.0,0.0,0.0,0.0,900.0,900.0,900.0,0.0,0.000,0.000,0.000,0.000,1.000,1.000,1.000,0.000,5.000,5.000,5.000,0.000,9.000,9.000,9.000,0.000,0.00,0.00,0.00,0.00"

# Text and Markdown tables: the same figures, ranges min-max.
assert_line "$work/text" "policy hot workers reps goodput/s goodput_range retries/txn failed failed% wasted backoff_s p50_ms p99_ms p99_range_ms p99.9_ms"
assert_line "$work/text" "none 10 16 2 1050 1000-1100 3.000 40.0 1.24 9490.0 0.000 3.000 32.000 30.0-34.0 60.000"
assert_line "$work/text" "full-jitter+budget 2 16 2 655 650-660 0.100 110.0 5.30 306.5 0.100 1.000 15.500 15.0-16.0 30.000"
assert_line "$work/text" "pgbench (no backoff) 10 16 1 900 900-900 3.000 60.0 2.17 8160.0 0.000 3.000 40.000 40.0-40.0 80.000"
assert_line "$work/md" "| none | 10 | 16 | 2 | 1050 | 1000–1100 | 3.000 | 40.0 | 1.24 | 9490.0 | 0.000 | 3.000 | 32.000 | 30.0–34.0 | 60.000 |"
# Columns line up: every row of the text table is as long as its header.
awk 'NR == 1 { w = length($0) } /^$/ { exit } length($0) != w { bad = 1 } END { exit bad }' "$work/text" ||
    fail "text table is not aligned: $(cat "$work/text")"

# Verdicts, one paragraph per contention level, then the noise.
assert_line "$work/verdicts" "hot 2, 16 workers: by goodput full-jitter+budget is best at 655/s (but it gave up on 5.3% of its transactions), 4.0% above full-jitter (630/s); the margin of 25/s exceeds the run-to-run spread of 20/s. Without backoff (none) goodput is 600/s, 8.4% below the best. By p99 none is best at 21.0 ms (but it gave up on 0.57% of its transactions), 61.8% below full-jitter (55.0 ms); the margin of 34.0 ms exceeds the run-to-run spread of 10.0 ms. Left out of the p99 ranking for giving up on more than 1.0%: full-jitter+budget (5.3% failed)."
assert_line "$work/verdicts" "hot 5, 64 workers: by goodput exponential is best at 330/s (but it gave up on 2.0% of its transactions), 10.0% above none (300/s); with one repetition the run-to-run spread is unknown. p99 is not ranked: every policy gave up on more than 1.0% of its transactions; the fewest, exponential, gave up on 2.0%, at a p99 of 400.0 ms."
assert_line "$work/verdicts" "hot 10, 16 workers: by goodput full-jitter is best at 1230/s, 6.0% above exponential (1160/s); the margin of 70/s exceeds the run-to-run spread of 60/s. Without backoff (none) goodput is 1050/s, 14.6% below the best. By p99 exponential is best at 93.0 ms, 15.5% below full-jitter (110.0 ms); the margin of 17.0 ms is within the run-to-run spread of 20.0 ms: not a clear win. Left out of the p99 ranking for giving up on more than 1.0%: none (1.2% failed). Baseline pgbench (no backoff): 900/s, p99 40.0 ms, 3.000 retries per committed, gave up on 2.2%."
assert_line "$work/verdicts" "hot 100, 4 workers: by goodput none is best at 3000/s, 3.4% above full-jitter (2900/s); with one repetition the run-to-run spread is unknown. By p99 none is best at 5.00 ms, 37.5% below full-jitter (8.00 ms); with one repetition the run-to-run spread is unknown."
assert_line "$work/verdicts" "Noise: across the 6 cells with repeated runs, the range (max-min) of goodput is 4.0% of its mean at the median cell and 33.3% at the worst; of p99, 11.0% and 18.2%."
[[ $(grep -c '^hot ' "$work/verdicts") == 4 ]] || fail "expected 4 verdicts: $(cat "$work/verdicts")"
# The default format is the table and then the verdicts.
assert_in "$work/text" "hot 10, 16 workers: by goodput full-jitter is best at 1230/s"

# A stricter --max-failed leaves one policy to rank by p99.
"$summary" --format verdicts --max-failed 0.1 "$runs" >"$work/verdicts"
assert_in "$work/verdicts" "By p99 only full-jitter gave up on at most 0.10% of its transactions: 55.0 ms. Left out of the p99 ranking for giving up on more than 0.10%: none (0.57% failed), full-jitter+budget (5.3% failed)."

# A margin inside the spread is called so: drop the budget variant from hot set 2.
rm "$runs"/fjb-h2-*.json
"$summary" --format verdicts "$runs" >"$work/verdicts"
assert_in "$work/verdicts" "hot 2, 16 workers: by goodput full-jitter is best at 630/s, 5.0% above none (600/s); the margin of 30/s is within the run-to-run spread of 200/s: not a clear win. By p99"

# Usage errors exit 2.
rc=0
"$summary" --format pdf "$runs" >/dev/null 2>&1 || rc=$?
((rc == 2)) || fail "unknown format exited $rc"
rc=0
"$summary" --max-failed lots "$runs" >/dev/null 2>&1 || rc=$?
((rc == 2)) || fail "a bad --max-failed exited $rc"
rc=0
"$summary" "$work/nothing" >/dev/null 2>&1 || rc=$?
((rc == 2)) || fail "missing directory exited $rc"
mkdir "$work/empty"
rc=0
"$summary" "$work/empty" >/dev/null 2>&1 || rc=$?
((rc == 2)) || fail "empty directory exited $rc"
echo "compare_summary: ok"
