#!/usr/bin/env bash
# --reconnect-backoff is the policy the workers reconnect by. Through a relay that refuses
# every connection (scripts/relay bounce), two workers try for 2 s (--reconnect-timeout):
# with `none` they try again at once, thousands of times; with `constant` at 1 s they wait
# a second between attempts, so each tries at most 2 s / 1 s + 2 times. Judged by the
# attempts counted, not by times: a slower machine only makes fewer attempts, and even one
# a hundred times slower makes far more than the bound without backoff.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_reconnect_backoff
fresh_db $DB_NAME
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 100 --balance 1000000
start_relay bounce
port=$(cat "$work/relay.port")

# storm NAME FLAGS...: a run whose connections the relay refuses from its first progress
# lines until the workers give up (exit 3: no check through a refusing relay); the relay
# then relays again.
storm() {
    local name=$1
    shift
    start_run --db "$RELAY_DSN" --workers 2 --skew uniform --duration 120s \
        --reconnect-timeout 2s "$@" --json "$work/$name.json"
    touch "$work/fault"
    finish_run 3
    rm "$work/fault"
    local deadline=$((SECONDS + 30))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        ((SECONDS < deadline)) || fail "the relay did not listen again"
        sleep 0.05 # the relay looks for its cue every 50 ms
    done
}
storm none --reconnect-backoff none
storm constant --reconnect-backoff constant --reconnect-backoff-base 1s --reconnect-backoff-cap 1s

attempts() { jq '.connect_attempts' "$work/$1.json"; }
for name in none constant; do
    # (An attempt the relay accepted just before it closed its port is closed, not refused.)
    jq -e '.connect_attempts > 0 and .connects == 0 and .workers_lost == 2
           and (.connect_failures.refused // 0) + (.connect_failures.closed // 0) == .connect_attempts' \
        "$work/$name.json" >/dev/null ||
        fail "$name: $(jq -c '{connect_attempts, connects, connect_failures, workers_lost}' "$work/$name.json")"
done
jq -e '.config.reconnect_backoff == "constant" and .config.reconnect_backoff_base_ms == 1000' \
    "$work/constant.json" >/dev/null || fail "constant: $(jq -c .config "$work/constant.json")"
assert_in "$work/run.out" "reconnect backoff constant (base 1000 ms, cap 1000 ms)"
none=$(attempts none) constant=$(attempts constant)
echo "connect attempts in 2 s, 2 workers: none $none, constant 1 s $constant"
((constant <= 2 * (2 + 2))) || fail "constant 1 s: $constant attempts, at most 8 expected"
((none >= 200 && none >= 25 * constant)) || fail "none: $none attempts against constant's $constant"
