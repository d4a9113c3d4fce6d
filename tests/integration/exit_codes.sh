#!/usr/bin/env bash
# Every documented exit code path, each with one clear line on stderr.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_exit_codes
fresh_db $DB_NAME

# 2: usage errors, before anything touches the database.
expect_exit 2 "$txstorm" run --db "$DSN" --wrokers 3
assert_one_line_stderr
assert_in "$work/err" "txstorm: unknown flag '--wrokers' for 'txstorm run'"
expect_exit 2 "$txstorm" run --db "$DSN" --duration 10
assert_one_line_stderr
expect_exit 2 "$txstorm"
assert_one_line_stderr
expect_exit 0 "$txstorm" --help
assert_in "$work/out" "exit codes"
expect_exit 0 "$txstorm" run --help
assert_in "$work/out" "--backoff P"

# 3: the bank is not there.
expect_exit 3 "$txstorm" check --db "$DSN"
assert_one_line_stderr
assert_in "$work/err" "no bank here; run 'txstorm init' first"
expect_exit 3 "$txstorm" run --db "$DSN" --duration 1s
assert_one_line_stderr

# 3: a table named accounts that another tool made.
sql "CREATE TABLE accounts (id INT PRIMARY KEY, balance NUMERIC)"
expect_exit 3 "$txstorm" check --db "$DSN"
assert_in "$work/err" "not created by txstorm"
# 2: init refuses to replace it without --drop, and nothing changes.
expect_exit 2 "$txstorm" init --db "$DSN"
assert_one_line_stderr
assert_in "$work/err" "pass --drop to replace it"
[[ $(sql "SELECT to_regclass('txstorm_bank') IS NULL") == t ]] || fail "init wrote despite refusing"
expect_exit 0 "$txstorm" init --db "$DSN" --drop --accounts 20
expect_exit 0 "$txstorm" check --db "$DSN"

# 2: a hot set larger than the bank, or a JSON file that cannot be written.
expect_exit 2 "$txstorm" run --db "$DSN" --hot 21 --duration 1s
assert_one_line_stderr
assert_in "$work/err" "hot set 21 is larger than the bank (20 accounts)"
expect_exit 2 "$txstorm" run --db "$DSN" --transactions 5 --json "$work/no/such/dir/r.json"
assert_one_line_stderr
[[ $(sql "SELECT sum(balance) FROM accounts") == 20000 ]] || fail "sum changed"

# 3: unreachable host, missing database, wrong password.
expect_exit 3 "$txstorm" check --db "host=127.0.0.1 port=1 user=txstorm connect_timeout=5"
assert_one_line_stderr
assert_in "$work/err" "cannot connect"
expect_exit 3 "$txstorm" check --db "postgresql://txstorm:$TXSTORM_TEST_PASSWORD@127.0.0.1:$PGPORT/t_no_such_db"
assert_one_line_stderr
assert_in "$work/err" "t_no_such_db"
expect_exit 3 "$txstorm" check --db "postgresql://txstorm:wrong-secret-42@127.0.0.1:$PGPORT/$DB_NAME"
assert_one_line_stderr
assert_in "$work/err" "password authentication failed"
assert_not_in "$work/err" "wrong-secret-42"

# 3: a malformed bank (metadata row gone).
sql "DELETE FROM txstorm_bank"
expect_exit 3 "$txstorm" check --db "$DSN"
assert_in "$work/err" "txstorm_bank must hold one row"

# 1: an invariant is violated (see corruption.sh for each invariant).
expect_exit 0 "$txstorm" init --db "$DSN" --drop --accounts 20
sql "UPDATE accounts SET balance = 0 WHERE id = 1"
expect_exit 1 "$txstorm" check --db "$DSN"

# 5: histograms that will not fit the memory left are refused before anything
# starts (--sig-figs 5 takes about 118 MB per set). Under a 400 MB address-space
# limit; a sanitizer build cannot start under one, and says so.
expect_exit 0 "$txstorm" init --db "$DSN" --drop --accounts 20
if (ulimit -v 400000 && "$txstorm" --version) >/dev/null 2>&1; then
    expect_exit 5 bash -c "ulimit -v 400000 && exec '$txstorm' run --db '$DSN' --sig-figs 5 --threads 4 --workers 4"
    assert_one_line_stderr
    assert_in "$work/err" "--sig-figs 5 needs 706 MB of histograms (6 sets of 117.6 MB"
    expect_exit 0 bash -c "ulimit -v 400000 && exec '$txstorm' run --db '$DSN' --sig-figs 4 --threads 4 --workers 4 --transactions 20"
else
    echo "exit_codes: skipping the memory limit case (this build cannot start under ulimit -v)"
fi
