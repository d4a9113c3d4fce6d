#!/usr/bin/env bash
# Text from outside is kept as UTF-8: a connection string in Latin-1 keeps its place in
# the JSON (each stray byte a '?').
source "$(dirname "$0")/lib.sh"
DB_NAME=t_hostile_text
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 50

# --- A DSN in Latin-1 (application_name=café): the result keeps config.db and each
# endpoint's dsn, and every command that reads a result takes it.
kw="host=127.0.0.1 port=$PGPORT user=txstorm password=$TXSTORM_TEST_PASSWORD dbname=$DB_NAME"
expect_exit 0 "$txstorm" run --db "$kw application_name=caf"$'\xe9' --workers 2 \
    --transactions 50 --progress-every 0 --json "$work/latin1.json"
shown="host=127.0.0.1 port=$PGPORT user=txstorm password=*** dbname=$DB_NAME application_name=caf?"
assert_in "$work/out" "database $shown"
jq -e --arg dsn "$shown" '.config.db == $dsn and .endpoints[0].dsn == $dsn' "$work/latin1.json" \
    >/dev/null || fail "Latin-1 DSN: $(jq -c '{db: .config.db, endpoints}' "$work/latin1.json")"
expect_exit 0 "$txstorm" report "$work/latin1.json"
assert_in "$work/out" "database $shown"
expect_exit 0 "$txstorm" merge "$work/latin1.json" --json "$work/latin1-merged.json"
expect_exit 0 "$txstorm" compare "$work/latin1.json"
expect_exit 0 "$txstorm" plot "$work/latin1.json" --html "$work/latin1.html"

echo "ok"
