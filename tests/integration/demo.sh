#!/usr/bin/env bash
# demo: the seed samples' hello-world, balances before and after one transfer.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_demo
fresh_db $DB_NAME
for _ in 1 2; do # twice: the demo resets its own table each time
    expect_exit 0 "$txstorm" demo --db "$DSN"
    assert_in "$work/out" "Balances at start (table txstorm_demo_accounts):"
    assert_in "$work/out" "  account 1: 1000"
    assert_in "$work/out" "  account 2: 250"
    assert_in "$work/out" "Transfer of 100 from account 1 to account 2: committed after 0 retries"
    grep -A2 "Balances after:" "$work/out" | grep -qx "  account 1: 900" || fail "after 1"
    grep -A2 "Balances after:" "$work/out" | grep -qx "  account 2: 350" || fail "after 2"
done
# The demo never touches a bank under test.
[[ $(sql "SELECT to_regclass('accounts') IS NULL") == t ]] || fail "demo created accounts"
