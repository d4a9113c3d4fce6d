#!/usr/bin/env bash
# check exits 1 and names the invariant when the bank is damaged behind its back.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_corruption
fresh_db $DB_NAME
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 50 --balance 100
expect_exit 0 "$txstorm" check --db "$DSN"

sql "UPDATE accounts SET balance = balance + 7 WHERE id = 3"
expect_exit 1 "$txstorm" check --db "$DSN"
assert_in "$work/out" "conservation (total)         FAIL            5000          5007   off by +7"
assert_in "$work/out" "check: FAIL"

sql "UPDATE accounts SET balance = balance - 7 WHERE id = 3"
sql "UPDATE accounts SET balance = -5 WHERE id = 4; UPDATE accounts SET balance = balance + 105 WHERE id = 5"
expect_exit 1 "$txstorm" check --db "$DSN"
assert_in "$work/out" "conservation (total)         PASS"
assert_in "$work/out" "no overdraft (negatives)     FAIL               0             1"

sql "UPDATE accounts SET balance = 100 WHERE id IN (4, 5); DELETE FROM accounts WHERE id = 50"
expect_exit 1 "$txstorm" check --db "$DSN"
assert_in "$work/out" "accounts (ids 1..N)          FAIL              50            49"

# A run ends with the same check: damage made before it is caught at its end.
expect_exit 1 "$txstorm" run --db "$DSN" --workers 2 --hot 5 --transactions 20 --progress-every 0
assert_in "$work/out" "check: FAIL"
