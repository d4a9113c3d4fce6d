#!/usr/bin/env bash
# txstorm compare on hand-made results: exact means, ranges, standard deviations, pooled
# percentiles, verdicts (ties, no commits, one repetition, every policy left out, the
# pgbench baseline) and the noise line. Needs no server.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
txstorm=${TXSTORM_BUILD:-$root/build}/txstorm
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

# result NAME BACKOFF BUDGET HOT WORKERS COMMITTED RETRIES FAILED BACKOFF_MS LATENCIES: a
# txstorm result of a 1 s run, its latency histogram holding LATENCIES ("N x US, ..."; every
# value under 2048 us, where sig_figs 3 keeps each microsecond in a bucket of its own).
made=0
result() {
    made=$((made + 1)) # each made run a seed of its own: two runs, not one given twice
    jq -n --argjson seed "$made" --arg backoff "$2" --argjson budget "$3" --argjson hot "$4" --argjson workers "$5" \
        --argjson committed "$6" --argjson retries "$7" --argjson failed "$8" \
        --argjson backoff_ms "$9" --arg lat "${10}" '
        def hist(values): {sig_figs: 3, highest: 3600000000, unit: "us",
            total_count: (values | length), min: (values | min // 0), max: (values | max // 0),
            sum: (values | add // 0), clamped: 0,
            counts: (values | group_by(.) | map([.[0], length]))};
        ([$lat | split(",")[] | select(. != "") | split("x") | map(tonumber)
            | . as [$n, $v] | range($n) | $v]) as $values
        | ($values | length) as $n
        | if $n != $committed then error("latencies for \($n), committed \($committed)") else . end
        | {tool: "txstorm", start_unix_us: 1000000000000000, end_unix_us: 1000000001000000,
           duration_s: 1, merged_from: 0, workers_lost: 0,
           committed: $committed, failed: $failed, insufficient: 0, ambiguous: 0,
           retried_txns: 0, attempts: ($committed + $retries + $failed), retries: $retries,
           retries_in_place: 0, budget_denied: 0, backoff_us_total: ($backoff_ms * 1000),
           config: {backoff: $backoff, retry_budget: $budget, skew: "hot:\($hot)",
                    workers: $workers, seed: $seed},
           histograms: ({latency_us: hist($values), latency_uncorrected_us: hist($values)} + ([
               "attempt_us", "backoff_sleep_us", "retries_per_txn",
               "schedule_lag_us"] | map({key: ., value: hist([])}) | from_entries))}' \
        >"$runs/$1.json"
}

# Hot set 10, 16 workers: full-jitter wins goodput clearly; none gives up on more than 1%
# and is left out of the p99 ranking. exponential's second run has 20 slow commits: 1.7% of
# that run (its p99 is 2 ms) but 0.9% of both runs pooled (the cell's p99 is 1 ms).
result none-h10-r1 none 0 10 16 1000 3000 30 0 "1000x800"
result none-h10-r2 none 0 10 16 1100 3300 50 0 "1100x900"
result fj-h10-r1 full-jitter 0 10 16 1200 1800 0 1500 "1200x1500"
result fj-h10-r2 full-jitter 0 10 16 1260 2268 0 2500 "1260x1700"
result exp-h10-r1 exponential 0 10 16 1150 1725 0 2000 "1150x1000"
result exp-h10-r2 exponential 0 10 16 1170 1755 0 2200 "1150x1000,20x2000"
# The pgbench baseline in its small form, with only its own percentiles.
jq -n '{tool: "pgbench", committed: 2700, failed: 60, retries: 8100, throughput_tps: 900,
        latency_ms: {p50: 3, p99: 40, p999: 80}, config: {hot: 10, workers: 16}}' \
    >"$runs/pgbench-h10-r1.json"
# Hot set 2: none commits nothing at all.
result none-h2-r1 none 0 2 16 0 5000 500 0 ""
result none-h2-r2 none 0 2 16 0 4000 400 0 ""
result fj-h2-r1 full-jitter 0 2 16 620 930 0 800 "620x1000"
result fj-h2-r2 full-jitter 0 2 16 640 960 0 900 "640x1200"
# Hot set 5, 64 workers: a tie in goodput; everyone gives up on more than 1%.
result none-h5-r1 none 0 5 64 1000 5000 100 0 "1000x1000"
result exp-h5-r1 exponential 0 5 64 1000 800 20 900 "1000x2000"
# Hot set 100, 4 workers: one repetition; the budget variant is a policy of its own.
result none-h100-r1 none 0 100 4 3000 900 0 0 "3000x500"
result fjb-h100-r1 full-jitter 20 100 4 2900 870 0 300 "2900x400"

"$txstorm" compare --format csv "$runs"/*.json >"$work/csv"
"$txstorm" compare "$runs"/*.json >"$work/text"
"$txstorm" compare --format markdown "$runs"/*.json >"$work/md"
"$txstorm" compare --format verdicts "$runs"/*.json >"$work/verdicts"

# CSV: a header and one row per cell, sorted by hot set, workers, then policy.
[[ $(head -n 1 "$work/csv" | cut -d, -f1-9) == policy,hot,workers,reps,goodput_per_s_mean,goodput_per_s_min,goodput_per_s_max,goodput_per_s_sd,retries_per_committed_mean ]] ||
    fail "csv header: $(head -n 1 "$work/csv")"
[[ $(head -n 1 "$work/csv" | cut -d, -f37-) == failed_pct_mean,failed_pct_min,failed_pct_max,failed_pct_sd,cell_retries_per_committed,cell_failed_pct,cell_p50_ms,cell_p99_ms,cell_p999_ms,latency_from ]] ||
    fail "csv header: $(head -n 1 "$work/csv")"
[[ $(tail -n +2 "$work/csv" | cut -d, -f1-3 | paste -sd' ') == "none,2,16 full-jitter,2,16 none,5,64 exponential,5,64 none,10,16 exponential,10,16 full-jitter,10,16 pgbench (no backoff),10,16 none,100,4 full-jitter+budget,100,4" ]] ||
    fail "csv rows: $(cut -d, -f1-3 "$work/csv" | paste -sd' ')"
assert_line "$work/csv" "exponential,10,16,2,1160.0,1150.0,1170.0,14.1,1.5000,1.5000,1.5000,0.0000,0.0,0.0,0.0,0.0,1740.0,1725.0,1755.0,21.2,2.100,2.000,2.200,0.141,1.000,1.000,1.000,0.000,1.500,1.000,2.000,0.707,1.500,1.000,2.000,0.707,0.00,0.00,0.00,0.00,1.5000,0.00,1.000,1.000,2.000,histograms"
assert_line "$work/csv" "none,2,16,2,0.0,0.0,0.0,0.0,-,-,-,-,450.0,400.0,500.0,70.7,4950.0,4400.0,5500.0,777.8,0.000,0.000,0.000,0.000,-,-,-,-,-,-,-,-,-,-,-,-,100.00,100.00,100.00,0.00,-,100.00,-,-,-,-"
assert_line "$work/csv" "pgbench (no backoff),10,16,1,900.0,900.0,900.0,0.0,3.0000,3.0000,3.0000,0.0000,60.0,60.0,60.0,0.0,8160.0,8160.0,8160.0,0.0,0.000,0.000,0.000,0.000,3.000,3.000,3.000,0.000,40.000,40.000,40.000,0.000,80.000,80.000,80.000,0.000,2.17,2.17,2.17,0.00,3.0000,2.17,3.000,40.000,80.000,run-means"

# Text and Markdown tables: the cell's percentiles pooled, the p99 range across its runs.
assert_line "$work/text" "policy hot workers reps goodput/s goodput_range retries/txn failed failed% wasted backoff_s p50_ms p99_ms p99_range_ms p99.9_ms"
assert_line "$work/text" "exponential 10 16 2 1160 1150-1170 1.500 0.0 0.00 1740.0 2.100 1.000 1.000 1.0-2.0 2.000"
assert_line "$work/text" "none 2 16 2 0 0-0 - 450.0 100.00 4950.0 0.000 - - - -"
assert_line "$work/text" "pgbench (no backoff) 10 16 1 900 900-900 3.000 60.0 2.17 8160.0 0.000 3.000* 40.000* 40.0-40.0 80.000*"
assert_in "$work/text" "* the mean of the runs' own percentiles"
assert_line "$work/md" "| exponential | 10 | 16 | 2 | 1160 | 1150–1170 | 1.500 | 0.0 | 0.00 | 1740.0 | 2.100 | 1.000 | 1.000 | 1.0–2.0 | 2.000 |"
# Columns line up: every row of the text table is as long as its header.
awk 'NR == 1 { w = length($0) } /^$/ || /^\*/ { exit } length($0) != w { bad = 1 } END { exit bad }' "$work/text" ||
    fail "text table is not aligned: $(cat "$work/text")"

# Verdicts, one paragraph per contention level, then the noise.
assert_line "$work/verdicts" "hot 2, 16 workers: by goodput full-jitter is best at 630/s, ahead of none, which committed nothing; the margin of 630/s exceeds the run-to-run spread of 20/s. By p99 only full-jitter has commits to rank: 1.20 ms. Not ranked by p99, for committing nothing: none."
assert_line "$work/verdicts" "hot 5, 64 workers: by goodput none and exponential tie at 1000/s. p99 is not ranked: every policy gave up on more than 1.0% of its transactions; the fewest, exponential, gave up on 2.0%, at a p99 of 2.00 ms."
assert_line "$work/verdicts" "hot 10, 16 workers: by goodput full-jitter is best at 1230/s, 6.0% above exponential (1160/s); the margin of 70/s exceeds the run-to-run spread of 60/s. Without backoff (none) goodput is 1050/s, 14.6% below the best. By p99 exponential is best at 1.00 ms, 41.2% below full-jitter (1.70 ms); the margin of 0.70 ms is within the run-to-run spread of 1.00 ms: not a clear win. Left out of the p99 ranking for giving up on more than 1.0%: none (3.7% failed). Baseline pgbench (no backoff): 900/s, p99 40.0 ms (the mean of its runs' p99), 3.000 retries per committed, gave up on 2.2%."
assert_line "$work/verdicts" "hot 100, 4 workers: by goodput none is best at 3000/s, 3.4% above full-jitter+budget (2900/s); with one repetition the run-to-run spread is unknown. By p99 full-jitter+budget is best at 0.40 ms, 20.0% below none (0.50 ms); with one repetition the run-to-run spread is unknown."
assert_line "$work/verdicts" "Noise: across the 4 cells with repeated runs, the range (max-min) of goodput is 4.0% of its mean at the median cell and 9.5% at the worst; of the runs' p99, 15.3% and 66.7%."
[[ $(grep -c '^hot ' "$work/verdicts") == 4 ]] || fail "expected 4 verdicts: $(cat "$work/verdicts")"
if grep -qiE 'inf|nan' "$work/verdicts" "$work/csv" "$work/text"; then fail "an infinite or undefined figure"; fi
# The default format is the table and then the verdicts.
assert_in "$work/text" "hot 10, 16 workers: by goodput full-jitter is best at 1230/s"

# A looser --max-failed lets none back into the p99 ranking at hot set 10, where it wins.
"$txstorm" compare --format verdicts --max-failed 5 "$runs"/*.json >"$work/verdicts"
assert_in "$work/verdicts" "By p99 none is best at 0.90 ms (but it gave up on 3.7% of its transactions), 10.0% below exponential (1.00 ms)"

# Usage errors exit 2 with one line.
expect_usage() {
    local rc=0
    "$txstorm" compare "$@" >/dev/null 2>"$work/err" || rc=$?
    ((rc == 2)) || fail "compare $* exited $rc"
    [[ $(wc -l <"$work/err") == 1 ]] || fail "compare $*: $(cat "$work/err")"
}
expect_usage --format pdf "$runs"/none-h2-r1.json
expect_usage --max-failed lots "$runs"/none-h2-r1.json
expect_usage "$work/nothing.json"
expect_usage
echo '{"tool": "pgbench", "committed": 1}' >"$work/bad.json"
expect_usage "$work/bad.json"
assert_in "$work/err" "bad.json: pgbench result"
echo "compare_summary: ok"
