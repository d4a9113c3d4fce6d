#!/usr/bin/env bash
# --transactions finishes exactly that many, and --seed makes the choices reproducible.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_transactions
fresh_db $DB_NAME

expect_exit 0 "$txstorm" init --db "$DSN" --accounts 100 --balance 1000
expect_exit 0 "$txstorm" run --db "$DSN" --workers 7 --hot 20 --transactions 250 \
    --progress-every 0 --json "$work/r.json"
jq -e '.committed + .failed + .insufficient + .ambiguous == 250' "$work/r.json" >/dev/null ||
    fail "expected 250 transactions: $(jq -c '{committed, failed, insufficient, ambiguous}' "$work/r.json")"
[[ ! -s $work/err ]] || fail "progress was off, stderr should be empty: $(cat "$work/err")"

# Several event loops share the workers unevenly (7 over 3) and still finish exactly,
# each transfer in the ledger once.
expect_exit 0 "$txstorm" run --db "$DSN" --workers 7 --threads 3 --hot 20 --transactions 301 \
    --ledger --think-time 1ms --progress-every 0 --json "$work/t.json"
jq -e '.config.threads == 3 and .committed + .failed + .insufficient + .ambiguous == 301' \
    "$work/t.json" >/dev/null || fail "3 threads: $(jq -c '{config: .config.threads, committed}' "$work/t.json")"
jq -e '.check.ok and .client_cpu_us > 0' "$work/t.json" >/dev/null ||
    fail "3 threads: check or CPU: $(jq -c '{check: .check.ok, client_cpu_us}' "$work/t.json")"
[[ $(sql "SELECT count(*) FROM transfers") == "$(jq .committed "$work/t.json")" ]] ||
    fail "ledger rows differ from commits"

# A stop cuts backoffs short, never think pauses: the transfers in flight when the 1 s
# run ends (every closed-loop worker has one) pause 3 x 300 ms like the rest.
expect_exit 0 "$txstorm" run --db "$DSN" --workers 2 --hot 20 --think-time 300ms --duration 1s \
    --progress-every 0 --json "$work/think.json"
jq -e '.committed >= 2 and .latency_ms.p0 >= 900' "$work/think.json" >/dev/null ||
    fail "think pauses cut at stop: $(jq -c '{committed, p0: .latency_ms.p0}' "$work/think.json")"

# One worker means no contention, so the final balances follow from the seed alone.
balances_after_seed() {
    expect_exit 0 "$txstorm" init --db "$DSN" --drop --accounts 30 --balance 50
    expect_exit 0 "$txstorm" run --db "$DSN" --workers 1 --hot 30 --amount 1..40 \
        --transactions 200 --seed "$1" --progress-every 0
    assert_in "$work/out" "seed $1"
    sql "SELECT string_agg(balance::text, ',' ORDER BY id) FROM accounts"
}
a=$(balances_after_seed 7)
b=$(balances_after_seed 7)
c=$(balances_after_seed 8)
[[ $a == "$b" ]] || fail "same seed, different balances: $a vs $b"
[[ $a != "$c" ]] || fail "different seeds gave the same balances"
# Insufficient funds happen with these amounts and end without a transfer.
expect_exit 0 "$txstorm" init --db "$DSN" --drop --accounts 2 --balance 10
expect_exit 0 "$txstorm" run --db "$DSN" --workers 1 --hot 2 --amount 30 --transactions 5 \
    --progress-every 0 --json "$work/i.json"
jq -e '.insufficient == 5 and .committed == 0' "$work/i.json" >/dev/null || fail "insufficient"
