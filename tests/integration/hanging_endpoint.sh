#!/usr/bin/env bash
# Two endpoints on one event loop (--threads 1); mid-run the second becomes a relay that
# turns bad (scripts/relay MODE, the first argument): `hang` accepts connections and never
# answers them; `mute` lets each new session in and then answers nothing, so the workers'
# session set-up waits on it (the sessions are named txstorm-worker from their start, so a
# terminate meanwhile finds them). Their reconnects wait on it within connect_timeout=10 (its
# DSN's). The first endpoint goes on committing after the fault, to the end (a blocked
# loop would commit nothing from the fault to the stop; a busy machine may leave an
# interval empty here and there, so half the intervals after the fault and one of the last
# two must have commits, or a loop that was free, less than half busy: then the shared
# server, slowed by the tests beside it, not the loop, held the commits up; a loop blocked
# in a connect or a set-up is busy throughout). The run stops when told, with exit 0, and says how long the
# second was unavailable.
source "$(dirname "$0")/lib.sh"
mode=${1:-hang}
DB_NAME=t_${mode}_endpoint
fresh_db "$DB_NAME"
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 1000 --balance 1000000

start_relay "$mode"
# The mute relay reads the server's messages: they must not be encrypted.
hanging="$RELAY_DSN?connect_timeout=10&sslmode=disable"

start_run --db "$DSN" --db "$hanging" --threads 1 --workers 4 --skew uniform --duration 3s \
    --reconnect-timeout 60s --json "$work/run.json"
fault_us=$(date +%s%6N)
touch "$work/fault"
if [[ $mode == mute ]]; then
    # A session waiting on its set-up is named a worker's from its start (so a terminate
    # meanwhile finds it): the two muted ones beside the first endpoint's two.
    named() {
        (($(psql -X -At -d "$DSN" -c "SELECT count(*) FROM pg_stat_activity WHERE datname =
            current_database() AND application_name = 'txstorm-worker'") >= 4))
    }
    poll 20 named || fail "the sessions being set up are not named txstorm-worker: $(psql -X -At \
        -d "$DSN" -c "SELECT application_name, state, left(query, 40) FROM pg_stat_activity
        WHERE datname = current_database()")"
fi
finish_run 0

# Intervals that began after the relay turned (it looks every 50 ms; 0.25 s to spare),
# but the sliver the stop cut short.
jq -e --argjson fault_us "$fault_us" '
    ((($fault_us - (.clock_origin_unix_us | tonumber)) / 1e6) + 0.25) as $fault_s
    | [.intervals[] | select(.elapsed_s - .interval_s > $fault_s and .interval_s >= 0.1)] as $after
    | [$after[] | .committed > 0 or (.loop_busy // 1) < 0.5] as $served
    | ($after | length) >= 3
      and ([$served[] | select(.)] | length) * 2 >= ($after | length)
      and ($served[-1] or $served[-2])
      and .endpoints[1].connection_losses >= 2' "$work/run.json" >/dev/null ||
    fail "the healthy endpoint stalled beside the hanging one: $(jq -c --argjson f "$fault_us" \
        '{origin: .clock_origin_unix_us, fault_us: $f, intervals: [.intervals[] | [.elapsed_s, .interval_s, .committed, .loop_busy]], losses: [.endpoints[].connection_losses]}' "$work/run.json")"
