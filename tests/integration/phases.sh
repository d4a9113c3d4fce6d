#!/usr/bin/env bash
# Load phases: a step of the open-loop rate is followed within a tolerance,
# each phase is named in the series and summed in the result; bad notations
# exit 2 with one line.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_phases
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 10000 --balance 100000

# --- Bad notations: exit 2, one line naming the piece.
for bad in '200/s' '200:3s' '200/s:3' '-1/s:3s' '200/s:0s' 'a=1/s:1s,,b=2/s:1s' 'x/s:1s' \
    'a=1/s:1s,a=2/s:1s'; do
    expect_exit 2 "$txstorm" run --load "$bad"
    assert_one_line_stderr
    assert_in "$work/err" "--load: phase"
done
expect_exit 2 "$txstorm" run --load '100/s:1s' --rate 100
assert_one_line_stderr
expect_exit 2 "$txstorm" run --load '100/s:1s' --warmup 1s
assert_one_line_stderr

# --- A step, 200/s for 3 s then 600/s for 3 s: the run lasts their sum, and
# each phase's committed rate is within 15% of what it offered.
expect_exit 0 "$txstorm" run --workers 8 --skew uniform --load 'low=200/s:3s,high=600/s:3s' \
    --progress-every 400ms --json "$work/step.json" --csv "$work/step.csv"
assert_in "$work/err" "  low 200/s"
assert_in "$work/err" "  high 600/s"
assert_in "$work/out" "phases (measured)"
jq -e '.duration_s >= 6 and .duration_s < 7.5 and .check.ok' "$work/step.json" >/dev/null ||
    fail "step duration: $(jq .duration_s "$work/step.json")"
for ph in low:200 high:600; do
    name=${ph%:*} rate=${ph#*:}
    jq -e --arg n "$name" --argjson r "$rate" '
        [.phases[] | select(.name == $n)][0] as $p
        | ($p.offered_per_s - $r | fabs) < 0.05 * $r
          and ($p.goodput_per_s - $r | fabs) < 0.15 * $r
          and ($p.end_s - $p.start_s) >= 2.9' "$work/step.json" >/dev/null ||
        fail "phase $name: $(jq -c --arg n "$name" '.phases[] | select(.name == $n)' "$work/step.json")"
done
# Every interval lies in one phase: none spans the step at 3 s (ticks at 2.8 and 3.2 s).
jq -e '[.intervals[] | select(.phase == "low") | .elapsed_s] | max <= 3.1' "$work/step.json" \
    >/dev/null || fail "an interval of 'low' ends after the step"
jq -e '[.intervals[] | select(.phase == "high")] | length >= 6' "$work/step.json" >/dev/null ||
    fail "too few 'high' intervals"
head -1 "$work/step.csv" | grep -q ',phase,offered_per_s$' || fail "csv header lacks the phase"
grep -q ',high,600$' "$work/step.csv" || fail "csv rows lack the phase"

# --- report re-prints the per-phase table; merge tallies it again from the merged series.
expect_exit 0 "$txstorm" report "$work/step.json"
assert_in "$work/out" "phases (measured)"
assert_match "$work/out" "^  high +3\.0 +6\.[0-9]"
expect_exit 0 "$txstorm" merge "$work/step.json" --json "$work/merged.json"
assert_match "$work/out" "^  high +3\.0 +6\.[0-9]"
jq -s -e '[.[0].phases[] | .offered, .goodput_per_s, .failed] == [.[1].phases[] | .offered, .goodput_per_s, .failed]' \
    "$work/step.json" "$work/merged.json" >/dev/null || fail "one result merged alone changed its phases: $(jq -c .phases "$work/merged.json")"
echo ok
