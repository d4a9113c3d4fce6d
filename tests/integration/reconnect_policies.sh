#!/usr/bin/env bash
# Every worker terminated and reconnected under each --reconnect-backoff policy: terminate
# ends all four sessions at 1.5 s; whatever the policy, each loss is made good, no worker
# is lost, every row knows its four workers and the last has them all connected, the
# connect figures add up (attempts = connects + failures by reason, in the whole and summed
# over the rows; the endpoint's equal the run's), and the result names the policy.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_reconnect_policies
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 200 --balance 100000

for policy in none exponential full-jitter; do
    expect_exit 0 "$txstorm" run --workers 4 --duration 4s --progress-every 250ms \
        --trigger terminate@1500ms:1 --reconnect-backoff "$policy" --json "$work/$policy.json"
    jq -e --arg p "$policy" '.config.reconnect_backoff == $p and .triggers[0].terminated == 4
        and .connection.losses >= 4 and .connection.reconnects == .connection.losses
        and .workers_lost == 0 and .connects >= 4
        and .connect_attempts == .connects + ([.connect_failures[]?] | add // 0)
        and ([.intervals[].connect_attempts // 0] | add) == .connect_attempts
        and ([.intervals[].connects // 0] | add) == .connects
        and (.intervals | all(.workers == 4)) and (.intervals | last | .workers_connected == 4)
        and .endpoints[0].connect_attempts == .connect_attempts
        and .endpoints[0].connects == .connects' "$work/$policy.json" >/dev/null ||
        fail "$policy: $(jq -c '{b: .config.reconnect_backoff, t: .triggers[0].terminated, connection,
            workers_lost, connect_attempts, connects, connect_failures,
            last: (.intervals | last | {workers, workers_connected})}' "$work/$policy.json")"
    assert_match "$work/out" "reconnect.*$policy"
done
echo "reconnect_policies: ok"
