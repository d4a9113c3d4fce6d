#!/usr/bin/env bash
# Measurement: open loop against a deliberate stall, warmup, the interval series,
# hgrm, report and merge of concurrent processes, and the --assert gates.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_measurement
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 1000 --balance 100000

# --- Open loop against a 1 s stall: corrected latency shows it, uncorrected hides it.
mkfifo "$work/progress"
"$txstorm" run --workers 2 --skew uniform --rate 100 --duration 4s --progress-every 100ms \
    --json "$work/rate.json" >"$work/rate.out" 2>"$work/progress" &
pid=$!
exec 3<"$work/progress"
IFS= read -r -t 30 _ <&3 || fail "no progress header" # header
IFS= read -r -t 30 _ <&3 || fail "no progress line"   # the run is under way
psql -X -q -d "$DB_NAME" -c "BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;
                             SELECT pg_sleep(1); COMMIT;" >/dev/null
cat <&3 >"$work/rate.err" &
wait "$pid" || fail "rate run failed: $(cat "$work/rate.out")"
wait
jq -e '.latency_ms.p99 >= 800 and .latency_uncorrected_ms.p99 < .latency_ms.p99 / 2
       and .schedule_lag_ms.max >= 800 and .check.ok' "$work/rate.json" >/dev/null ||
    fail "stall: $(jq -c '{c: .latency_ms.p99, u: .latency_uncorrected_ms.p99, lag: .schedule_lag_ms.max}' "$work/rate.json")"
jq -e '.committed > 300 and .committed < 500 and .config.rate == 100' "$work/rate.json" >/dev/null ||
    fail "open loop should offer ~400 transactions: $(jq .committed "$work/rate.json")"
assert_in "$work/rate.out" "committed, uncorrected"
assert_in "$work/rate.err" "lag_ms"

# --- Warmup is shown and excluded; the series, CSV and hgrm files are written.
expect_exit 0 "$txstorm" run --workers 4 --warmup 1s --duration 2s --progress-every 250ms \
    --json "$work/w.json" --csv "$work/w.csv" --hgrm "$work/w.hgrm"
assert_in "$work/err" "  warmup"
jq -e '([.intervals[] | select(.warmup)] | length) >= 3
       and ([.intervals[] | select(.warmup | not) | .committed] | add) == .committed
       and .duration_s >= 2 and .duration_s < 3' "$work/w.json" >/dev/null ||
    fail "warmup: $(jq -c '{committed, duration_s, n: (.intervals | length)}' "$work/w.json")"
head -1 "$work/w.csv" | grep -q '^elapsed_s,interval_s,warmup,committed,' || fail "csv header"
[[ $(($(wc -l <"$work/w.csv") - 1)) == $(jq '.intervals | length' "$work/w.json") ]] ||
    fail "csv rows differ from the JSON series"
assert_in "$work/w.hgrm" "       Value   Percentile   TotalCount 1/(1-Percentile)"
assert_in "$work/w.hgrm" "#[Mean    ="
assert_in "$work/w.hgrm" "#[Max     ="
grep -q "Total count    = *$(jq .committed "$work/w.json")\]" "$work/w.hgrm" ||
    fail "hgrm total count differs from committed"

# --- report re-prints the run's text report from its JSON.
expect_exit 0 "$txstorm" run --workers 4 --duration 1s --progress-every 0 --json "$work/r.json"
cp "$work/out" "$work/run.txt"
expect_exit 0 "$txstorm" report "$work/r.json"
diff "$work/run.txt" "$work/out" >&2 || fail "report differs from the run's own report"

# --- Two processes at once, merged: counts and histograms add, time is the union.
"$txstorm" run --workers 3 --duration 2s --seed 1 --progress-every 0 --json "$work/a.json" >/dev/null &
pa=$!
"$txstorm" run --workers 5 --duration 2s --seed 2 --progress-every 0 --json "$work/b.json" >/dev/null &
pb=$!
wait "$pa" || fail "process a failed"
wait "$pb" || fail "process b failed"
expect_exit 0 "$txstorm" merge "$work/a.json" "$work/b.json" --json "$work/m.json"
assert_in "$work/out" "txstorm merge: 8 workers"
assert_in "$work/out" "merged from 2 results"
jq -s -e '.[0] as $a | .[1] as $b | .[2] as $m |
    $m.committed == $a.committed + $b.committed and $m.retries == $a.retries + $b.retries and
    $m.failed == $a.failed + $b.failed and
    $m.latency_ms.count == $a.latency_ms.count + $b.latency_ms.count and
    $m.latency_ms.max == ([$a.latency_ms.max, $b.latency_ms.max] | max) and
    $m.duration_s >= ([$a.duration_s, $b.duration_s] | max) and
    $m.duration_s <= $a.duration_s + $b.duration_s and $m.merged_from == 2' \
    "$work/a.json" "$work/b.json" "$work/m.json" >/dev/null ||
    fail "merge: $(jq -c '{committed, retries, duration_s}' "$work/a.json" "$work/b.json" "$work/m.json")"
# A result re-formatted by jq (0.0 written as 0) is the same result.
jq . "$work/b.json" >"$work/b-jq.json"
expect_exit 0 "$txstorm" merge "$work/a.json" "$work/b-jq.json"
expect_exit 2 "$txstorm" merge "$work/a.json" "$work/w.json"
assert_one_line_stderr
assert_in "$work/err" "differ in"
# An output that fails after the merge is said once, with nothing else on stderr.
mkdir "$work/adir"
expect_exit 2 "$txstorm" merge "$work/a.json" "$work/b.json" --json "$work/adir"
assert_one_line_stderr
expect_exit 2 "$txstorm" report "$work/no-such.json"
assert_one_line_stderr
# Hand-edited results whose figures contradict each other are refused, not printed.
jq '.attempts = 0' "$work/a.json" >"$work/edited.json"
expect_exit 2 "$txstorm" report "$work/edited.json"
assert_one_line_stderr
assert_in "$work/err" "attempts below committed"
expect_exit 2 "$txstorm" merge "$work/a.json" "$work/edited.json"
assert_one_line_stderr
jq '.check.ok = false' "$work/a.json" >"$work/edited.json"
expect_exit 2 "$txstorm" report "$work/edited.json"
assert_in "$work/err" "the check's verdicts do not follow from its figures"

# --- CI gates: PASS/FAIL lines, exit 4 on a failure, 1 when the bank is broken too.
expect_exit 0 "$txstorm" report "$work/r.json" --assert 'tps>1' --assert 'failed_rate<=1'
assert_in "$work/out" "PASS tps>1"
expect_exit 4 "$txstorm" run --workers 2 --duration 1s --progress-every 0 \
    --assert 'p99<1us' --assert 'committed>0'
assert_in "$work/out" "FAIL p99<1us"
assert_in "$work/out" "PASS committed>0"
# A gate on a figure with nothing under it fails and says why.
expect_exit 4 "$txstorm" run --workers 2 --transactions 10 --progress-every 0 --inject-retry 1 \
    --max-retries 0 --assert 'p99<50ms' --assert 'retry_rate<100' --assert 'failed_rate<=1'
assert_in "$work/out" "FAIL p99<50ms"
assert_in "$work/out" "no data: nothing committed"
assert_in "$work/out" "FAIL retry_rate<100"
assert_in "$work/out" "PASS failed_rate<=1"
expect_exit 2 "$txstorm" run --assert 'p99<50'
assert_one_line_stderr
sql "UPDATE accounts SET balance = balance + 1 WHERE id = 1"
expect_exit 1 "$txstorm" run --workers 2 --duration 1s --progress-every 0 --assert 'p99<1us'
assert_in "$work/out" "FAIL p99<1us"
assert_in "$work/out" "check: FAIL"
