#!/usr/bin/env bash
# --query-mode: each mode commits transfers and the check passes, and the server's
# statement log shows the protocol each one used; simple cannot carry the pipelined shape.
source "$(dirname "$0")/lib.sh"
own_server
expect_exit 0 "$txstorm" init --accounts 100
psql -X -q -d "$DSN" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" \
    >/dev/null

# Runs a short run in MODE with SHAPE, and cuts the server log it wrote into $work/MODE-SHAPE.log.
run_mode() {
    local mode=$1 shape=$2 from
    from=$(stat -c %s "$OWN/server.log")
    expect_exit 0 "$txstorm" run --query-mode "$mode" --shape "$shape" --ledger --workers 4 \
        --hot 20 --transactions 200 --progress-every 0 --json "$work/$mode-$shape.json"
    jq -e --arg m "$mode" '.committed > 0 and .failed == 0 and .check.ok
        and .check.ledger.ok and .config.query_mode == $m' "$work/$mode-$shape.json" >/dev/null ||
        fail "$mode $shape: $(jq -c '{committed, failed, check: .check.ok, q: .config.query_mode}' \
            "$work/$mode-$shape.json")"
    tail -c +"$((from + 1))" "$OWN/server.log" >"$work/$mode-$shape.log"
}

for shape in interactive for-update single pipelined; do
    run_mode prepared $shape
    assert_match "$work/prepared-$shape.log" 'execute txstorm_(read|add|single|begin)'
    run_mode extended $shape
    assert_match "$work/extended-$shape.log" 'execute <unnamed>: (SELECT|UPDATE|WITH)'
    assert_not_in "$work/extended-$shape.log" "txstorm_read"
    assert_not_in "$work/extended-$shape.log" "txstorm_add"
done
assert_not_in "$work/prepared-interactive.log" "<unnamed>: SELECT balance"
for shape in interactive for-update single; do
    run_mode simple $shape
    assert_not_in "$work/simple-$shape.log" "execute txstorm_"
    assert_not_in "$work/simple-$shape.log" "<unnamed>: UPDATE"
done
# The values are written into the text, and BEGIN travels with the first read.
assert_match "$work/simple-interactive.log" \
    'statement: BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT balance FROM accounts WHERE id = [0-9]+$'
assert_match "$work/simple-single.log" 'statement: WITH t AS .* WHERE id = [0-9]+\), moved AS'
[[ $(jq .committed "$work/prepared-interactive.json") -gt 0 ]] || fail "nothing committed"
assert_in "$work/out" "simple statements"

# The pipelined shape sends its transaction in one round trip: not with the simple protocol.
expect_exit 2 "$txstorm" run --shape pipelined --query-mode simple --duration 1s
assert_one_line_stderr
assert_in "$work/err" "--query-mode simple: the pipelined shape needs the extended protocol"
