#!/usr/bin/env bash
# A known password never appears in any output: report, progress, JSON, CSV, hgrm, JUnit,
# the plot page, errors.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_secrets
fresh_db $DB_NAME
pw=$TXSTORM_TEST_PASSWORD
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 100
expect_exit 0 "$txstorm" run --db "$DSN" --workers 4 --duration 2s --progress-every 200ms \
    --json "$work/r.json" --csv "$work/r.csv" --hgrm "$work/r.hgrm" --junit "$work/r.xml" \
    --ledger --audit-every 100ms
assert_in "$work/out" "host=127.0.0.1 port=$PGPORT user=txstorm password=*** dbname=$DB_NAME"
expect_exit 0 "$txstorm" plot "$work/r.json" --html "$work/r.html"
assert_in "$work/r.html" "password=***"
for f in "$work/out" "$work/err" "$work/r.json" "$work/r.csv" "$work/r.hgrm" "$work/r.xml" "$work/r.html"; do
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
# A malformed DSN with a password in it is bad input, and none of it is shown but the
# name of the option this libpq does not know (one a newer libpq has, a typo), in both forms.
expect_exit 2 "$txstorm" check --db "host=127.0.0.1 password=$pw bogus_option=1"
assert_one_line_stderr
assert_not_in "$work/err" "$pw"
assert_in "$work/err" "--db: the connection string has an option this libpq ($(pg_config --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')) does not know, 'bogus_option' (the rest not shown"
expect_exit 2 "$txstorm" run --db "$DSN?max_protocol_version_x=3.2" --db "$DSN" --workers 1 --transactions 1
assert_one_line_stderr
assert_in "$work/err" "--db (endpoint 1 of 2): the connection string has an option this libpq"
assert_in "$work/err" "does not know, 'max_protocol_version_x'"
assert_not_in "$work/err" "$pw"
# What only looks like a name past the quote libpq's message closes is no name: not shown.
expect_exit 2 "$txstorm" check --db "$DSN?x%22$pw=1"
assert_in "$work/err" "the connection string cannot be parsed (not shown"
assert_not_in "$work/err" "$pw"
# Passwords that libpq reads otherwise than the user meant: an unescaped '@' or
# '/' in a URI, a space in a keyword value. Each is refused, quoting nothing.
for bad in "postgresql://txstorm:Tr0ub4dor@3xyzSECRET@127.0.0.1:$PGPORT/$DB_NAME" \
           "postgresql://txstorm:Pw9x/3xyzSECRET@127.0.0.1:$PGPORT/$DB_NAME" \
           "host=127.0.0.1 user=txstorm password=Tr0ub4dor 3xyzSECRET dbname=$DB_NAME"; do
    expect_exit 2 "$txstorm" run --db "$bad" --workers 1 --transactions 1
    assert_one_line_stderr
    assert_in "$work/err" "not shown"
    for part in Tr0ub4dor 3xyzSECRET Pw9x; do assert_not_in "$work/err" "$part"; done
done
# The key's passphrase is a password too.
expect_exit 0 "$txstorm" run --db "$DSN?sslpassword=KeyPass4321" --workers 1 --transactions 5 \
    --json "$work/s.json"
assert_in "$work/out" "sslpassword=***"
for f in "$work/out" "$work/err" "$work/s.json"; do assert_not_in "$f" "KeyPass4321"; done
# A short or common password is not "redacted" out of libpq's words.
PGPASSWORD=failed expect_exit 3 "$txstorm" check --db "host=127.0.0.1 port=$PGPORT user=txstorm dbname=$DB_NAME"
assert_in "$work/err" "password authentication failed"
