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
assert_match "$work/err" "--workers $((max + 10)) needs $((max + 11)) connections, the server has [0-9]+ free \\(max_connections $max\\): max_connections is short$"

# A user who may read but not write: one line, exit 3, the bank untouched.
sql "DROP ROLE IF EXISTS t_reader; CREATE ROLE t_reader LOGIN PASSWORD 'reader-pw-1';
     GRANT SELECT ON ALL TABLES IN SCHEMA public TO t_reader"
reader="postgresql://t_reader:reader-pw-1@127.0.0.1:$PGPORT/$DB_NAME"
before=$(sql "SELECT runs, ledger_complete FROM txstorm_bank")
expect_exit 3 "$txstorm" run --db "$reader" --workers 2 --duration 1s --ledger
assert_one_line_stderr
assert_in "$work/err" "may not read and update table accounts"
assert_not_in "$work/err" "reader-pw-1"
[[ $(sql "SELECT runs, ledger_complete FROM txstorm_bank") == "$before" ]] || fail "bank written"
expect_exit 0 "$txstorm" check --db "$reader" # reading is allowed
expect_exit 3 "$txstorm" init --db "$reader" --drop
assert_one_line_stderr
assert_match "$work/err" "permission denied|must be owner"
expect_exit 0 "$txstorm" check

# A user who may transfer but not write the ledger: named before any transfer.
sql "DROP ROLE IF EXISTS t_noledger; CREATE ROLE t_noledger LOGIN PASSWORD 'noledger-pw-1';
     GRANT SELECT, UPDATE ON accounts, txstorm_bank TO t_noledger;
     GRANT SELECT ON transfers TO t_noledger"
noledger="postgresql://t_noledger:noledger-pw-1@127.0.0.1:$PGPORT/$DB_NAME"
before=$(sql "SELECT runs, ledger_complete FROM txstorm_bank")
expect_exit 3 "$txstorm" run --db "$noledger" --workers 2 --duration 1s --ledger
assert_one_line_stderr
assert_in "$work/err" "may not insert into table transfers"
[[ $(sql "SELECT runs, ledger_complete FROM txstorm_bank") == "$before" ]] || fail "bank written"

# Every transfer refused by the database itself (a trigger raising): the SQLSTATE
# and its message in the progress, the report and the JSON, and not a success.
sql "CREATE FUNCTION t_refuse() RETURNS trigger LANGUAGE plpgsql AS
       \$\$BEGIN RAISE EXCEPTION 'transfers are closed today'; END\$\$;
     CREATE TRIGGER t_refuse BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION t_refuse()"
expect_exit 3 "$txstorm" run --workers 2 --transactions 20 --progress-every 100ms \
    --json "$work/refused.json"
assert_in "$work/err" "ERRORS"
assert_in "$work/err" "no transfer committed; 20 failed with errors, most with P0001: transfers are closed today"
assert_in "$work/out" "errors of class other and constraint, by SQLSTATE"
assert_match "$work/out" "P0001 +other +20 +transfers are closed today"
assert_in "$work/out" "check: PASS"
jq -e '.committed == 0 and .errors_by_sqlstate.codes[0].sqlstate == "P0001"
       and .errors_by_sqlstate.codes[0].count == 20' "$work/refused.json" >/dev/null ||
    fail "refused: $(jq -c .errors_by_sqlstate "$work/refused.json")"
expect_exit 0 "$txstorm" report "$work/refused.json"
assert_match "$work/out" "P0001 +other +20"
sql "DROP TRIGGER t_refuse ON accounts; DROP FUNCTION t_refuse()"

# A least-privilege role granted only the columns the transfers use (and the ledger's
# columns, and what the run's own bookkeeping and check read and write): the preflight
# lets it run, and the run passes.
sql "DROP ROLE IF EXISTS t_columns; CREATE ROLE t_columns LOGIN PASSWORD 'columns-pw-1';
     GRANT SELECT (id, balance), UPDATE (balance) ON accounts TO t_columns;
     GRANT INSERT (run_id, transfer_id, from_id, to_id, amount, worker, attempt_started_at),
           SELECT ON transfers TO t_columns;
     GRANT SELECT, UPDATE ON txstorm_bank TO t_columns"
columns="postgresql://t_columns:columns-pw-1@127.0.0.1:$PGPORT/$DB_NAME"
expect_exit 0 "$txstorm" run --db "$columns" --workers 2 --duration 1s --ledger --progress-every 0
assert_in "$work/out" "check: PASS"
# One column short (no UPDATE on balance): refused before any transfer, naming what it needs.
sql "REVOKE UPDATE (balance) ON accounts FROM t_columns"
before=$(sql "SELECT runs, ledger_complete FROM txstorm_bank")
expect_exit 3 "$txstorm" run --db "$columns" --workers 2 --duration 1s --ledger
assert_one_line_stderr
assert_in "$work/err" "may not read and update table accounts (SELECT on id and balance, UPDATE on balance)"
[[ $(sql "SELECT runs, ledger_complete FROM txstorm_bank") == "$before" ]] || fail "bank written"

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
jq -e '.stalls.count >= 1 and .stalls.longest_s >= 1.6 and .stalls.longest_s < 1.99' \
    "$work/stall1.json" >/dev/null || fail "1.6 s stall: $(jq -c .stalls "$work/stall1.json")"

# Notation a hostile user tries: every number plain decimal, a spike that would lower
# the rate, a share that ends no worker, a single-valued flag given twice, '-' as an
# output. Each: exit 2, one line, before anything is written (no run registered, no
# file called '-').
before=$(sql "SELECT runs FROM txstorm_bank")
mkdir "$work/cwd"
refused() { # refused MESSAGE FLAGS...
    local want=$1
    shift
    (cd "$work/cwd" && expect_exit 2 "$txstorm" run --workers 4 --duration 2s --progress-every 0 "$@")
    assert_one_line_stderr
    assert_in "$work/err" "$want"
}
refused "terminate takes a share of the workers in (0,1], in plain decimal" --trigger terminate@1s:0x1p-1
refused "terminate takes a share of the workers in (0,1], in plain decimal" --trigger terminate@1s:1e-9
refused "spike takes a rate in plain decimal" --rate 100 --trigger 'spike@1s+500ms:0x10/s'
refused "spike takes a rate in plain decimal" --rate 100 --trigger 'spike@1s+500ms:1e3/s'
refused "--rate: '1e3' is not a number (plain decimal" --rate 1e3
refused "--load: phase 1 '1e3/s:2s': '1e3' is not a rate" --load 1e3/s:2s
refused "'spike@1s+1s:20/s': 20/s is not above the 100/s it replaces" --rate 100 --trigger 'spike@1s+1s:20/s'
refused "0.000000001 of the 4 workers is" --trigger terminate@1s:0.000000001
refused "--load: given more than once" --load 100/s:2s --load 200/s:2s
refused "--json: given more than once" --json a.json --json b.json
refused "--metrics-addr: given more than once" --metrics-addr :9650 --metrics-addr :9651
refused "--json: '-' is not standard output here" --json -
[[ -z $(ls -A "$work/cwd") ]] || fail "a refused run left files: $(ls -A "$work/cwd")"
[[ $(sql "SELECT runs FROM txstorm_bank") == "$before" ]] || fail "a refused run registered"
