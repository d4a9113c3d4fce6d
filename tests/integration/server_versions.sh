#!/usr/bin/env bash
# What differs between server versions, judged on whichever one the suite runs against
# (Debian's 15, or 16-18 through scripts/test-versions): the result names the server's
# version, and the connection preflight knows the reserves of that version. On a server of
# its own (max_connections 20, superuser_reserved_connections 3, and from PostgreSQL 16
# reserved_connections 4), a plain role asking for more workers than it may open is refused
# before any worker connects, naming the reserve that is short; from 16, a role with
# pg_use_reserved_connections' privileges may use that reserve.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_server_versions
fresh_db $DB_NAME

# The shared server's version, as the result records it.
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 100
expect_exit 0 "$txstorm" run --db "$DSN" --workers 2 --duration 300ms --json "$work/run.json"
version=$(sql "SHOW server_version")
jq -e --arg v "$version" '.server_version | startswith($v)' "$work/run.json" >/dev/null ||
    fail "the result names server $(jq .server_version "$work/run.json"), the server says $version"
num=$(sql "SHOW server_version_num")
echo "server $version ($num)"

# A server of the test's own, with the reserves this version has.
chmod 755 "$work"
settings=(max_connections=20 superuser_reserved_connections=3)
((num >= 160000)) && settings+=(reserved_connections=4)
"$root/scripts/pg" start "$work/pg" "${settings[@]}" 2>"$work/pg.err" || { cat "$work/pg.err" >&2; fail "scripts/pg start"; }
trap '"$root/scripts/pg" destroy "$work/pg" >/dev/null 2>&1; finish_work' EXIT
grep -qF "postgres ${version%% *} on" "$work/pg.err" || fail "scripts/pg does not name the version it started: $(cat "$work/pg.err")"
(
    # shellcheck disable=SC1091
    source "$work/pg/env"
    psql -X -q -v ON_ERROR_STOP=1 -c "CREATE ROLE t_plain LOGIN PASSWORD 'plain-pw-1'"
    "$txstorm" init --db "$TXSTORM_TEST_DSN" --accounts 100 >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -c "GRANT ALL ON ALL TABLES IN SCHEMA public TO t_plain"
    echo "$PGPORT" >"$work/pg.port"
)
plain="postgresql://t_plain:plain-pw-1@127.0.0.1:$(cat "$work/pg.port")/postgres"
own_sql() { psql -X -q -v ON_ERROR_STOP=1 -At -d "postgresql://txstorm@127.0.0.1:$(cat "$work/pg.port")/postgres?passfile=$work/pg/pgpass" -c "$1"; }
before=$(own_sql "SELECT sum(balance) FROM accounts")

if ((num >= 160000)); then
    # 20 - 1 in use - 3 - 4 = 12 for a plain role: 13 workers reach into reserved_connections.
    expect_exit 2 "$txstorm" run --db "$plain" --workers 13 --duration 300ms
    assert_one_line_stderr
    assert_in "$work/err" "reserved_connections 4 keeps the rest for superusers and roles with pg_use_reserved_connections"
    assert_not_in "$work/err" "plain-pw-1"
    own_sql "GRANT pg_use_reserved_connections TO t_plain"
    expect_exit 0 "$txstorm" run --db "$plain" --workers 13 --duration 300ms
else
    # 20 - 1 in use - 3 = 16 for a plain role: 17 workers reach into the superusers' reserve.
    expect_exit 2 "$txstorm" run --db "$plain" --workers 17 --duration 300ms
    assert_one_line_stderr
    assert_in "$work/err" "superuser_reserved_connections 3 keeps the rest for superusers"
fi
[[ $(own_sql "SELECT sum(balance) FROM accounts") == "$before" ]] || fail "the bank's total changed"
echo ok
