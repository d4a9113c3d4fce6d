#!/usr/bin/env bash
# The contention model: every shape x isolation keeps the total, lock order decides
# deadlocks, injected retries, the savepoint protocol, the retry budget, and the skews.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_contention
fresh_db $DB_NAME
export DATABASE_URL=$DSN

# Balances far above the amounts: no isolation level can overdraw, so every run must pass.
expect_exit 0 "$txstorm" init --accounts 200 --balance 1000000

run_json() { # run_json NAME FLAGS...: a run that must pass its check; JSON in $work/NAME.json
    local name=$1
    shift
    expect_exit 0 "$txstorm" run --progress-every 0 --json "$work/$name.json" "$@"
    jq -e '.check.ok and .committed > 0' "$work/$name.json" >/dev/null ||
        fail "$name: $(jq -c '{committed, check}' "$work/$name.json")"
}

for shape in interactive for-update single pipelined; do
    for iso in serializable repeatable-read read-committed; do
        run_json "$shape-$iso" --shape "$shape" --isolation "$iso" --workers 4 --hot 5 \
            --transactions 150
        jq -e --arg s "$shape" --arg i "$iso" \
            '.config.shape == $s and .config.isolation == $i and
             .committed + .failed + .insufficient + .ambiguous == 150' "$work/$shape-$iso.json" \
            >/dev/null || fail "$shape $iso: $(jq -c '{config, committed, failed}' "$work/$shape-$iso.json")"
    done
done

# Two hot accounts: updates in transfer order deadlock, in id order they cannot.
run_json random --hot 2 --workers 4 --duration 2s --lock-order random
run_json ordered --hot 2 --workers 4 --duration 2s --lock-order ordered
jq -e '.errors_by_class.deadlock > 0' "$work/random.json" >/dev/null ||
    fail "random lock order gave no deadlock: $(jq -c .errors_by_class "$work/random.json")"
jq -e '.errors_by_class.deadlock == 0' "$work/ordered.json" >/dev/null ||
    fail "ordered lock order deadlocked: $(jq -c .errors_by_class "$work/ordered.json")"

# Injected retries without contention: about half the attempts raise 40001.
run_json inject --skew uniform --workers 2 --transactions 400 --inject-retry 0.5
# (Two workers over 200 accounts still collide now and then: count only the injected.)
jq -e '(.retries_by_reason.injected / .attempts) as $r | $r > 0.4 and $r < 0.6' \
    "$work/inject.json" >/dev/null ||
    fail "inject: $(jq -c '{attempts, retries, retries_by_reason}' "$work/inject.json")"

# The savepoint protocol: deadlocks retried in place, to completion.
run_json savepoint --retry-protocol savepoint --hot 2 --workers 4 --duration 2s
jq -e '.retries > 0 and .retries_in_place > 0 and .config.retry_protocol == "savepoint"' \
    "$work/savepoint.json" >/dev/null ||
    fail "savepoint: $(jq -c '{retries, retries_in_place}' "$work/savepoint.json")"
run_json savepoint-fu --retry-protocol savepoint --shape for-update --workers 4 --transactions 200

# A retry budget with no refund runs dry and then fails fast.
run_json budget --hot 2 --workers 4 --duration 2s --retry-budget 5 --retry-budget-refund 0
jq -e '.budget_denied > 0 and .retries <= 5' "$work/budget.json" >/dev/null ||
    fail "budget: $(jq -c '{retries, budget_denied}' "$work/budget.json")"

# Skews, amount modes and think time.
run_json hotspot --skew hotspot:5:0.9 --workers 4 --transactions 200
run_json zipf --skew zipf:1.1 --workers 4 --transactions 200 --backoff decorrelated-jitter
run_json fraction --amount-mode fraction --amount-fraction 0.5 --workers 4 --transactions 200
run_json fraction-single --shape single --amount-mode fraction --workers 4 --transactions 200
run_json think --think-time 2ms --workers 4 --transactions 100 --backoff equal-jitter
jq -e '.config.skew == "zipf:1.1" and .config.backoff == "decorrelated-jitter"' \
    "$work/zipf.json" >/dev/null || fail "zipf config"
[[ $(sql "SELECT sum(balance) FROM accounts") == 200000000 ]] || fail "sum changed"

# Combinations that cannot work are refused before anything runs.
expect_exit 2 "$txstorm" run --shape single --retry-protocol savepoint
assert_one_line_stderr
expect_exit 2 "$txstorm" run --shape pipelined --think-time 1ms
assert_one_line_stderr
expect_exit 2 "$txstorm" run --shape pipelined --amount-mode fraction
assert_one_line_stderr
expect_exit 2 "$txstorm" run --skew hot:500
assert_in "$work/err" "hot set 500 is larger than the bank (200 accounts)"

# A transaction still retrying when the run ends gives up instead of holding it open:
# every attempt fails here, a million retries are allowed, and the run still ends.
expect_exit 0 timeout 60 "$txstorm" run --inject-retry 1 --max-retries 1000000 --backoff constant \
    --backoff-base 20ms --workers 2 --duration 1s --progress-every 0 --json "$work/stop.json"
jq -e '.committed == 0 and .failed == 2 and .duration_s < 5 and .retries > 10 and .check.ok' \
    "$work/stop.json" >/dev/null ||
    fail "stop during retries: $(jq -c '{committed, failed, retries, duration_s}' "$work/stop.json")"
