#!/usr/bin/env bash
# scripts/compare-backoff end to end on a tiny matrix (2 policies x 2 hot-set sizes, 4
# workers, one repetition of 1 s, the pgbench baseline and the storm runs): every run's
# JSON is kept, the tables have the four cells, the plots are real PNG and SVG files.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_compare
fresh_db $DB_NAME
compare=$root/scripts/compare-backoff
out=$work/study
export TXSTORM=$txstorm

expect_exit 0 "$compare" --db "$DSN" --policies none,full-jitter --hot 2,10 --workers 4 \
    --repeat 1 --duration 1s --storm-duration 2s --pgbench --out "$out"
assert_in "$work/err" "2 policies x 2 cells (hot:workers 2:4 10:4) x 1 repetitions = 4 runs of 1s"
assert_in "$work/err" "planned time: about"
# Progress: before each run, which it is, how many follow and the time left; the first
# from the plan, the later ones from the runs finished so far.
assert_match "$work/err" "^compare-backoff: run 1/5: none at hot 2, 4 workers, repetition 1; 4 after it; about [0-9]+ s left \(1\.4 s a run, planned\)$"
assert_match "$work/err" "^compare-backoff: run 4/5: full-jitter at hot 10, 4 workers, repetition 1; 1 after it; about [0-9]+ s left \([0-9.]+ s a run so far\)$"
assert_match "$work/err" "^compare-backoff: run 5/5: pgbench at hot 10, 4 workers, repetition 1; 0 after it; about [0-9]+ s left"
assert_match "$work/err" "^compare-backoff: storm 2/2: full-jitter at [0-9]+/s for 2s; about [0-9]+ s left$"

# Every run's result is kept, and every bank check passed.
for policy in none full-jitter; do
    for hot in 2 10; do
        json=$out/runs/$policy-h$hot-w4-r1.json
        [[ -s $json ]] || fail "missing $json"
        jq -e --arg p "$policy" --argjson h "$hot" '.check.ok and .committed > 0 and
            .config.backoff == $p and .config.hot == $h and .config.workers == 4 and
            .config.lock_order == "ordered" and .config.seed == "1"' "$json" >/dev/null ||
            fail "$json: $(jq -c '{committed, check: .check.ok, config}' "$json")"
        [[ -s ${json%.json}.hgrm ]] || fail "missing the hgrm of $json"
    done
done
jq -e '.tool == "pgbench" and .committed > 0 and .retries >= 0 and (.latency_us | length) == .committed' \
    "$out/runs/pgbench-h10-w4-r1.json" >/dev/null ||
    fail "pgbench result: $(cat "$out/runs/pgbench-h10-w4-r1.json")"
assert_in "$out/runs/pgbench-h10-w4-r1.txt" "maximum number of tries: 11"
for policy in none full-jitter; do
    jq -e '.config.rate > 0 and (.intervals | length) >= 4' "$out/storm/$policy.json" >/dev/null ||
        fail "storm $policy: $(jq -c '{rate: .config.rate, n: (.intervals | length)}' "$out/storm/$policy.json")"
done
[[ $(wc -l <"$out/storm/locks.tsv") == 3 ]] || fail "locks.tsv: $(cat "$out/storm/locks.tsv")"

# The CSV: the four cells and the baseline, with numbers.
csv=$out/summary.csv
[[ $(tail -n +2 "$csv" | cut -d, -f1-4 | paste -sd' ') == "none,2,4,1 full-jitter,2,4,1 none,10,4,1 full-jitter,10,4,1 pgbench (no backoff),10,4,1" ]] ||
    fail "summary.csv cells: $(cut -d, -f1-4 "$csv")"
awk -F, 'NR > 1 && !($5 > 0 && $9 ~ /^[0-9.]+$/ && $29 > 0) { exit 1 }' "$csv" ||
    fail "summary.csv has a cell without goodput, retries or p99: $(cat "$csv")"
# Every cell's percentiles, the baseline's too, pooled from histograms.
[[ $(tail -n +2 "$csv" | awk -F, '{ print $NF }' | sort -u) == histograms ]] ||
    fail "summary.csv has a cell whose percentiles are not pooled: $(cat "$csv")"
# The text table agrees with the CSV.
for policy in none full-jitter; do
    for hot in 2 10; do
        goodput=$(awk -F, -v p="$policy" -v h="$hot" '$1 == p && $2 == h { print $5 }' "$csv")
        # Rounded to whole transactions in the table: a half may round either way.
        awk -v p="$policy" -v h="$hot" -v g="$goodput" '$1 == p && $2 == h && $3 == 4 &&
            $5 - g <= 1 && g - $5 <= 1 { ok = 1 } END { exit !ok }' "$out/summary.txt" ||
            fail "summary.txt lacks $policy hot $hot at $goodput/s"
    done
done
assert_in "$out/verdicts.txt" "hot 2, 4 workers: by goodput"
assert_in "$out/verdicts.txt" "hot 10, 4 workers: by goodput"
assert_in "$out/verdicts.txt" "with one repetition the run-to-run spread is unknown"
assert_in "$out/verdicts.txt" "Baseline pgbench (no backoff):"

# Four plots, each a PNG and an SVG with labelled axes.
for plot in goodput-vs-hot retries-vs-workers latency-cdf storm-timeseries; do
    png=$out/plots/$plot.png svg=$out/plots/$plot.svg
    [[ -s $png && $(head -c 8 "$png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
        fail "$png is not a PNG"
    { [[ -s $svg ]] && grep -q '<svg' "$svg"; } || fail "$svg is not an SVG"
    [[ -s $out/plots/$plot.gp ]] || fail "missing $plot.gp"
done
grep -q 'goodput (committed transactions/s)' "$out/plots/goodput-vs-hot.svg" || fail "goodput axis label"
grep -q 'retries per committed transaction' "$out/plots/retries-vs-workers.svg" || fail "retries axis label"
grep -q 'latency (ms, log scale)' "$out/plots/latency-cdf.svg" || fail "cdf axis label"
grep -q 'retries/s' "$out/plots/storm-timeseries.svg" || fail "storm axis label"
grep -q 'full-jitter' "$out/plots/goodput-vs-hot.svg" || fail "goodput legend"

# The README, the command and the machine; the password nowhere.
for f in README.md command.txt machine.txt study.json; do [[ -s $out/$f ]] || fail "missing $f"; done
assert_in "$out/README.md" "| none | 2 | 4 | 1 |"
assert_in "$out/machine.txt" "server:    PostgreSQL 15"
assert_in "$out/command.txt" "user=txstorm password=***"
if grep -rqF -- "$TXSTORM_TEST_PASSWORD" "$out"; then fail "the password is in $out"; fi

# The bank is whole after the last run.
expect_exit 0 "$txstorm" check --db "$DSN"

# Without --db or $DATABASE_URL it runs on a throwaway server of its own.
expect_exit 0 "$compare" --policies none --hot 2 --workers 2 --repeat 1 --duration 500ms \
    --storm-duration 0 --out "$work/own"
assert_match "$work/err" "postgres [0-9]+\\.[0-9]+ on 127\\.0\\.0\\.1"
jq -e '.check.ok and .committed > 0' "$work/own/runs/none-h2-w2-r1.json" >/dev/null ||
    fail "own server run: $(jq -c '{committed, check: .check.ok}' "$work/own/runs/none-h2-w2-r1.json")"
assert_in "$work/own/machine.txt" "a throwaway server started by scripts/pg"

# Usage errors: one line, exit 2, before anything runs.
expect_exit 2 "$compare" --db "$DSN" --policies none,linear --out "$work/x"
assert_in "$work/err" "unknown policy 'linear'"
assert_one_line_stderr
expect_exit 2 "$compare" --db "$DSN" --out "$out"
assert_in "$work/err" "is not empty"
assert_one_line_stderr
expect_exit 2 "$compare" --db "$DSN" --duration 3 --out "$work/x"
assert_in "$work/err" "--duration: '3' is not a duration"
assert_one_line_stderr
# txstorm judges the hot set against the bank, at the first run that uses it.
expect_exit 2 "$compare" --db "$DSN" --policies none --hot 5000 --workers 2 --repeat 1 \
    --duration 500ms --storm-duration 0 --out "$work/x"
assert_in "$work/err" "hot set 5000 is larger than the bank"
[[ ! -e $work/x ]] || fail "a refused study wrote $work/x"
