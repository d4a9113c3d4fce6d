#!/usr/bin/env bash
# Bad input that only the server can reveal, each giving one line, its exit code,
# and nothing written: too many workers, a user who may not write; and the
# statement timeout and stall detector.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_badinput
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 50

# More workers than the server has connections for: named, refused before any connection.
max=$(sql "SHOW max_connections")
expect_exit 2 "$txstorm" run --workers $((max + 10)) --duration 1s
assert_one_line_stderr
assert_match "$work/err" "--workers $((max + 10)) needs $((max + 11)) connections, the server has [0-9]+ free \\(max_connections $max\\)"

# A user who may read but not write: one line, exit 3, the bank untouched.
sql "DROP ROLE IF EXISTS t_reader; CREATE ROLE t_reader LOGIN PASSWORD 'reader-pw-1';
     GRANT SELECT ON ALL TABLES IN SCHEMA public TO t_reader"
reader="postgresql://t_reader:reader-pw-1@127.0.0.1:$PGPORT/$DB_NAME"
before=$(sql "SELECT runs, ledger_complete FROM txstorm_bank")
expect_exit 3 "$txstorm" run --db "$reader" --workers 2 --duration 1s --ledger
assert_one_line_stderr
assert_in "$work/err" "permission denied"
assert_not_in "$work/err" "reader-pw-1"
[[ $(sql "SELECT runs, ledger_complete FROM txstorm_bank") == "$before" ]] || fail "bank written"
expect_exit 0 "$txstorm" check --db "$reader" # reading is allowed
expect_exit 3 "$txstorm" init --db "$reader" --drop
assert_one_line_stderr
assert_match "$work/err" "permission denied|must be owner"
expect_exit 0 "$txstorm" check

# A statement timeout bounds the transfers' statements, never txstorm's own set-up.
expect_exit 0 "$txstorm" run --workers 2 --duration 1s --statement-timeout 1ms --progress-every 0 \
    --json "$work/st.json"
jq -e '.attempts > 0' "$work/st.json" >/dev/null || fail "no transfer ran under --statement-timeout 1ms"

# A lock held by another session: statements time out, the stall is reported.
start_run --workers 4 --hot 5 --duration 4s --statement-timeout 200ms --stall-timeout 500ms \
    --json "$work/stall.json"
psql -X -q -d "$DB_NAME" -c "BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;
                             SELECT pg_sleep(1.5); COMMIT;" >/dev/null
finish_run 0
assert_in "$work/run.err" "STALL"
assert_match "$work/run.out" "stalls \\(no commit for 0.5s\\) +[1-9]"
jq -e '.stalls.count >= 1 and .stalls.longest_s >= 0.9 and .errors_by_class.other > 0
       and .config.statement_timeout_ms == 200' "$work/stall.json" >/dev/null ||
    fail "stall: $(jq -c '{stalls, e: .errors_by_class}' "$work/stall.json")"
# A 1.6 s lock seen through 1 s progress intervals: caught, with its true
# length (commit to commit), not missed or rounded to the interval.
start_run --workers 4 --hot 5 --duration 4s --stall-timeout 1s --progress-every 1s \
    --json "$work/stall1.json"
psql -X -q -d "$DB_NAME" -c "BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;
                             SELECT pg_sleep(1.6); COMMIT;" >/dev/null
finish_run 0
jq -e '.stalls.count >= 1 and .stalls.longest_s >= 1.6 and .stalls.longest_s < 1.9' \
    "$work/stall1.json" >/dev/null || fail "1.6 s stall: $(jq -c .stalls "$work/stall1.json")"
