#!/usr/bin/env bash
# terminate reaches the run's workers on every endpoint: two servers holding the same bank
# (the second a copy of the first), two workers on each; terminate@2s:1 ends all four,
# each through a connection to its own server (a backend pid means something only on the
# server that has it), and the workers of both endpoints reconnect. A share counts the
# workers of every endpoint: 0.25 of the four ends one, on the first endpoint (the
# workers' order goes round the endpoints). A server the injector cannot reach (its role
# made NOLOGIN mid-run) keeps its sessions; the others' are ended, and the outcome and
# the report say which part failed.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_trigger_endpoints
fresh_db $DB_NAME
first=$DSN
expect_exit 0 "$txstorm" init --db "$first" --accounts 200 --balance 100000
own_server
createdb "$DB_NAME"
pg_dump -d "$first" --no-owner | psql -X -q -v ON_ERROR_STOP=1 -d "$DB_NAME" >/dev/null
second="${DSN%/postgres}/$DB_NAME"

both() { # both SPEC OUT.json
    expect_exit 0 "$txstorm" run --db "$first" --db "$second" --workers 4 --duration 4s \
        --progress-every 100ms --trigger "$1" --json "$2"
}
both terminate@2s:1 "$work/all.json"
assert_match "$work/out" "^  terminate@2s:1 +planned 2\.0 s, at [0-9.]+ s, 4 sessions ended, baseline"
jq -e '.triggers[0].terminated == 4 and .triggers[0].verdict != "not injected"
       and ([.endpoints[].connection_losses] | all(. >= 2))' "$work/all.json" >/dev/null ||
    fail "terminate on two servers: $(jq -c '{t: .triggers[0], e: [.endpoints[] | {workers, connection_losses}]}' "$work/all.json")"

both terminate@2s:0.25 "$work/one.json"
jq -e '.triggers[0].terminated == 1 and .endpoints[0].connection_losses == 1
       and .endpoints[1].connection_losses == 0' "$work/one.json" >/dev/null ||
    fail "a share of four on two servers: $(jq -c '{t: .triggers[0], e: [.endpoints[] | {workers, connection_losses}]}' "$work/one.json")"
# The second server lets no new session in from 0.5 s (its workers keep theirs).
echo "ALTER ROLE txstorm NOLOGIN" >"$work/nologin.sql"
expect_exit 0 "$txstorm" run --db "$first" --db "$second" --workers 4 --duration 4s \
    --progress-every 100ms --trigger "exec@500ms:psql -X -q -d $second -f $work/nologin.sql" \
    --trigger terminate@2s:1 --json "$work/part.json"
jq -e '.triggers[0].exit_status == 0' "$work/part.json" >/dev/null ||
    fail "NOLOGIN: $(jq -c '.triggers[0]' "$work/part.json")"
jq -e '.triggers[1] | .terminated == 2 and (.error | startswith("not all ended: "))
       and (.error | test("not permitted to log in"))' "$work/part.json" >/dev/null ||
    fail "one server out of reach: $(jq -c '.triggers[1]' "$work/part.json")"
jq -e '.endpoints[0].connection_losses >= 2 and .endpoints[1].connection_losses == 0' \
    "$work/part.json" >/dev/null ||
    fail "one server out of reach: $(jq -c '[.endpoints[] | {workers, connection_losses}]' "$work/part.json")"
assert_match "$work/out" "^  terminate@2s:1 .*, 2 sessions ended, .*\(not all ended: .*not permitted to log in"
echo "trigger_endpoints: ok"
