#!/usr/bin/env bash
# A known password never appears in any output: report, progress, JSON, errors.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_secrets
fresh_db $DB_NAME
pw=$TXSTORM_TEST_PASSWORD
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 100
expect_exit 0 "$txstorm" run --db "$DSN" --workers 4 --duration 2s --progress-every 200ms \
    --json "$work/r.json" --csv "$work/r.csv" --hgrm "$work/r.hgrm" --ledger --audit-every 100ms
assert_in "$work/out" "postgresql://txstorm:***@127.0.0.1:$PGPORT/$DB_NAME"
for f in "$work/out" "$work/err" "$work/r.json" "$work/r.csv" "$work/r.hgrm"; do
    assert_not_in "$f" "$pw"
done
expect_exit 0 "$txstorm" report "$work/r.json"
assert_not_in "$work/out" "$pw"
expect_exit 0 "$txstorm" merge "$work/r.json" --json "$work/m.json"
assert_not_in "$work/m.json" "$pw"

# Keyword form, from DATABASE_URL.
kw="host=127.0.0.1 port=$PGPORT user=txstorm password=$pw dbname=$DB_NAME"
DATABASE_URL=$kw expect_exit 0 "$txstorm" run --workers 2 --transactions 20 --json "$work/k.json"
assert_in "$work/out" "password=***"
for f in "$work/out" "$work/err" "$work/k.json"; do assert_not_in "$f" "$pw"; done

# PGPASSWORD that is wrong: the error names the failure, not the secret.
PGPASSWORD=not-the-pw-9876 expect_exit 3 "$txstorm" check --db "host=127.0.0.1 port=$PGPORT user=txstorm dbname=$DB_NAME"
assert_not_in "$work/err" "not-the-pw-9876"
# A malformed DSN with a password in it.
expect_exit 3 "$txstorm" check --db "host=127.0.0.1 password=$pw bogus_option=1"
assert_one_line_stderr
assert_not_in "$work/err" "$pw"
