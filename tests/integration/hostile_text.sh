#!/usr/bin/env bash
# Text from outside is kept as UTF-8 and shown without control characters: a connection
# string in Latin-1 keeps its place in the JSON (each stray byte a '?'), and terminal
# escapes and line breaks — from a server's message, or from a hand-edited result — reach
# the progress, the report, `report`, `compare` and the last line on stderr as visible
# \xNN, never as commands to the terminal, while the JSON keeps the server's exact text.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_hostile_text
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 50

# shown_plainly FILE...: no control character but the line break in any of them.
shown_plainly() {
    local f
    for f in "$@"; do
        if LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$f"; then
            cat -v "$f" >&2
            fail "$f holds a control character"
        fi
    done
}

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

# --- A trigger on accounts raising a message that sets the window title, clears the
# screen and paints a verdict: escaped in the progress, the report's SQLSTATE table and
# the last line; exact in the JSON.
sql "CREATE FUNCTION t_hostile() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN
       RAISE EXCEPTION '%', E'\\x1b]0;OWNED\\x07\\x1b[2J\\x1b[31mFAKE: check: PASS';
     END\$\$;
     CREATE TRIGGER t_hostile BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION t_hostile()"
expect_exit 3 "$txstorm" run --workers 2 --transactions 20 --progress-every 100ms \
    --json "$work/hostile.json"
sql "DROP TRIGGER t_hostile ON accounts; DROP FUNCTION t_hostile()"
shown_plainly "$work/out" "$work/err"
escaped='\x1B]0;OWNED\x07\x1B[2J\x1B[31mFAKE: check: PASS'
assert_in "$work/err" "ERRORS 20, P0001: $escaped"
assert_match "$work/out" "P0001 +other +20 +\\\\x1B\\]0;OWNED"
[[ $(tail -n 1 "$work/err") == "txstorm: no transfer committed; 20 failed with errors, most with P0001: $escaped"* ]] ||
    fail "the last line: $(tail -n 1 "$work/err" | cat -v)"
jq -e '.errors_by_sqlstate.codes[0].message | startswith("\u001b]0;OWNED\u0007\u001b[2J\u001b[31mFAKE")' \
    "$work/hostile.json" >/dev/null || fail "the JSON changed the message: $(jq -c .errors_by_sqlstate "$work/hostile.json")"
expect_exit 0 "$txstorm" report "$work/hostile.json"
shown_plainly "$work/out" "$work/err"
assert_in "$work/out" "$escaped"

# --- A hand-edited result: escapes and line breaks in the server version, the config, a
# trigger's spec and error and a phase's name. `report` and `compare` show them escaped,
# and no line of theirs is forged.
expect_exit 0 "$txstorm" run --workers 2 --load 'a=100/s:1s,b=100/s:1s' --progress-every 0 \
    --trigger lock-rows@500ms+300ms --json "$work/plain.json"
jq --arg esc $'\x1b]0;OWNED\x07\x1b[2J' --arg nl $'\nFORGED: check: PASS' \
    '.server_version = ("15" + $esc + $nl) | .config.db = ("db" + $esc + $nl)
     | .config.skew = (.config.skew + $nl) | .triggers[0].spec = ("lock-rows" + $esc + $nl)
     | .triggers[0].error = ("e" + $esc + $nl) | .phases[0].name = ("a\u001b[2J\nFORGED")' \
    "$work/plain.json" >"$work/edited.json"
expect_exit 0 "$txstorm" report "$work/edited.json"
shown_plainly "$work/out" "$work/err"
if grep -q '^FORGED' "$work/out"; then fail "report: a forged line"; fi
assert_in "$work/out" 'server 15\x1B]0;OWNED\x07\x1B[2J\x0AFORGED: check: PASS'
assert_in "$work/out" 'database db\x1B]0;OWNED'
assert_in "$work/out" 'lock-rows\x1B]0;OWNED'
assert_in "$work/out" '(e\x1B]0;OWNED'
assert_in "$work/out" '  a\x1B[2J\x0AFORGED'
for format in text csv markdown verdicts; do
    expect_exit 0 "$txstorm" compare "$work/edited.json" --format $format
    shown_plainly "$work/out" "$work/err"
    if grep -q '^FORGED' "$work/out"; then fail "compare --format $format: a forged line"; fi
    assert_in "$work/out" '\x0AFORGED'
done
echo "ok"
