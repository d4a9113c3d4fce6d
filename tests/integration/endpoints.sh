#!/usr/bin/env bash
# Several endpoints (--db given more than once): workers round-robin over them,
# per-endpoint figures (the reconnects after a trigger ends the first endpoint's sessions)
# add up to the totals and survive merge; an endpoint that
# cannot be reached is named (redacted) with exit 3, one that reaches another bank
# with exit 2 before anything is written; an empty --db is refused.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_endpoints
fresh_db $DB_NAME
pw=$TXSTORM_TEST_PASSWORD
# One server, three distinguishable endpoints: the URL form and two keyword forms.
e1="$DSN?application_name=ep1"
e2="host=127.0.0.1 port=$PGPORT user=txstorm password=$pw dbname=$DB_NAME application_name=ep2"
e3="host=127.0.0.1,127.0.0.1 port=$PGPORT,$PGPORT user=txstorm password=$pw dbname=$DB_NAME application_name=ep3 target_session_attrs=read-write"
expect_exit 0 "$txstorm" init --db "$e1" --accounts 100

run3() { # run3 OUT.json SEED
    expect_exit 0 "$txstorm" run --db "$e1" --db "$e2" --db "$e3" --workers 6 --hot 10 \
        --duration 2s --seed "$2" --progress-every 0 --trigger terminate@1s:1 --json "$1"
    for f in "$work/out" "$work/err" "$1"; do assert_not_in "$f" "$pw"; done
}
run3 "$work/a.json" 1
# The header names every endpoint; the report has a row per endpoint.
assert_match "$work/out" "database 1: host=127.0.0.1 port=$PGPORT user=txstorm password=\*\*\* dbname=$DB_NAME application_name=ep1, 2: .*ep2, 3: .*ep3"
assert_in "$work/out" "endpoints          workers"
# Its connection column says what it counts, and the endpoints are numbered from 1.
assert_match "$work/out" "^endpoints .* conn_lost  reconn  disconn_s$"
assert_match "$work/out" "^   1 +2 "
assert_match "$work/out" "^   3 +2 "
assert_match "$work/out" "^     connect attempts [0-9]+, 2 connected"
run3 "$work/b.json" 2

# Each result: workers 2/2/2; the per-endpoint counts add up to the totals.
adds_up='(.endpoints | length) == 3 and ([.endpoints[].workers] == [2,2,2] or ([.endpoints[].workers] == [4,4,4] and .merged_from == 2))
    and ([.endpoints[].committed] | add) == .committed and .committed > 0
    and ([.endpoints[].retries] | add) == .retries
    and ([.endpoints[].failed] | add) == .failed
    and ([.endpoints[].ambiguous] | add) == .ambiguous
    and ([.endpoints[].errors_by_class.serialization] | add) == .errors_by_class.serialization
    and ([.endpoints[].connection_losses] | add) == .connection.losses
    and ([.endpoints[].connect_attempts] | add) == .connect_attempts
    and ([.endpoints[].connects] | add) == .connects and .endpoints[0].connects >= 2
    and ([.endpoints[].connect_failures[]?] | add // 0) == ([.connect_failures[]?] | add // 0)
    and all(.endpoints[];
            .connect_attempts == .connects + ([.connect_failures[]?] | add // 0))
    and all(.endpoints[]; .committed > 0 and .latency_us.total_count == .committed and .latency_ms.p99 > 0)
    and ([.endpoints[].dsn | test("application_name=ep[123]")] | all)
    and (.merged_from > 0 or (.config.db | length) == 3)'
for f in a b; do
    jq -e "$adds_up" "$work/$f.json" >/dev/null ||
        fail "$f.json: $(jq -c '{committed, endpoints: [.endpoints[] | {dsn, workers, committed}]}' "$work/$f.json")"
done

# merge keeps the per-endpoint figures: matched by DSN, summed.
expect_exit 0 "$txstorm" merge "$work/a.json" "$work/b.json" --json "$work/m.json"
assert_in "$work/out" "endpoints          workers"
jq -e "$adds_up" "$work/m.json" >/dev/null || fail "merged: $(jq -c '[.endpoints[] | {dsn, workers, committed}]' "$work/m.json")"
jq -s -e '[range(3) as $i | .[2].endpoints[$i].committed == .[0].endpoints[$i].committed + .[1].endpoints[$i].committed
           and .[2].endpoints[$i].connect_attempts == .[0].endpoints[$i].connect_attempts + .[1].endpoints[$i].connect_attempts] | all' \
    "$work/a.json" "$work/b.json" "$work/m.json" >/dev/null || fail "merge did not sum per endpoint"
# A merged result reads back as it was written.
expect_exit 0 "$txstorm" report "$work/m.json"

# An endpoint that cannot be reached at start: named, redacted, exit 3, one line.
closed="host=127.0.0.1 port=1 user=txstorm password=$pw dbname=$DB_NAME"
expect_exit 3 "$txstorm" run --db "$e1" --db "$closed" --workers 2 --duration 1s --progress-every 0
assert_one_line_stderr
assert_in "$work/err" "endpoint 2 of 2 (host=127.0.0.1 port=1 user=txstorm password=*** dbname=$DB_NAME)"
assert_not_in "$work/err" "$pw"

# An endpoint that reaches another bank (its own database, init-ed on its own): refused
# before the run, exit 2, one line naming it; neither bank is written (no run registered,
# no ledger row, no balance moved).
other_db=${DB_NAME}_other
dropdb --if-exists "$other_db" 2>/dev/null
createdb "$other_db"
other="host=127.0.0.1 port=$PGPORT user=txstorm password=$pw dbname=$other_db"
expect_exit 0 "$txstorm" init --db "$other" --accounts 100
banks_now() {
    for d in "$DB_NAME" "$other_db"; do
        psql -X -At -d "$d" -c "SELECT runs, (SELECT count(*) FROM transfers),
            (SELECT sum(abs(balance - 1000)) FROM accounts) FROM txstorm_bank"
    done
}
before=$(banks_now)
expect_exit 2 "$txstorm" run --db "$e1" --db "$other" --workers 4 --duration 1s --ledger \
    --progress-every 0
assert_one_line_stderr
assert_in "$work/err" "endpoint 2 of 2 (host=127.0.0.1 port=$PGPORT user=txstorm password=*** dbname=$other_db): reaches another bank than endpoint 1"
assert_not_in "$work/err" "$pw"
[[ $(banks_now) == "$before" ]] || fail "a refused run wrote to a bank: $before -> $(banks_now)"
dropdb "$other_db"

# An empty --db, and a second --db for a command that takes one: exit 2, one line.
expect_exit 2 "$txstorm" run --db '' --workers 1 --duration 1s
assert_one_line_stderr
assert_in "$work/err" "--db: the value is empty"
expect_exit 2 "$txstorm" check --db "$e1" --db "$e2"
assert_one_line_stderr
assert_in "$work/err" "given more than once"
assert_not_in "$work/err" "$pw"
echo "endpoints: ok"
