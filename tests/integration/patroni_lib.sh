# shellcheck shell=bash
# Sourced by the Patroni tests after lib.sh: one cluster of scripts/patroni per test file,
# a run through a fault, and what the run said about it compared with what the cluster did.
patroni=$root/scripts/patroni
P=$work/p
chmod 755 "$work" # the servers run as another user when the tests run as root
trap '"$patroni" destroy "$P" >/dev/null 2>&1 || true; finish_work' EXIT
export PG_FAST=1


# patroni_start ARGS...: the cluster (scripts/patroni start's arguments); sources its env.
# deadlock_timeout short: a deadlock costs 100 ms, not 1 s, so commits come steadily.
patroni_start() {
    expect_exit 0 "$patroni" start "$P" "$@" deadlock_timeout=100ms
    # shellcheck disable=SC1091
    source "$P/env"
}

# A query on the writable node through the multi-host DSN.
leader_q() { timeout 30 psql -X -q -At -d "$CLUSTER_DSN connect_timeout=3" -c "$1"; }
# wait_transfers N: polls until the writable node holds more than N transfers; prints them.
wait_transfers() {
    local deadline=$((SECONDS + 60)) n
    until n=$(leader_q "SELECT count(*) FROM transfers" 2>/dev/null) && ((n > $1)); do
        ((SECONDS < deadline)) || fail "transfers never exceeded $1 (last: ${n:-none})"
        sleep 0.1 # polling the server's table, bounded by the deadline
    done
    echo "$n"
}

# The command every Patroni test runs (the issue's), with uniform accounts so that commits
# come steadily and the outage window measures the failover, not a lull between commits.
# --duration is only a bound: the test stops the run (SIGINT) once the new leader has
# committed, so a slow machine makes the run longer, never the fault miss it.
run_args() {
    echo --workers 8 --ledger --audit-every 1s --reconnect-timeout 60s --skew uniform --duration 90s
}

# through_fault NAME DSN VERB: a fresh bank, a run through DSN; once it has committed, VERB
# (switchover or kill-leader, or a function of the test's own) faults the cluster; once
# the new leader holds 200 transfers more than when it took over, the run is stopped.
# Its result is $work/NAME.json; sets LEADER (the new one) and FAULT_MS (when the fault began).
through_fault() {
    local name=$1 dsn=$2 verb=$3 promoted
    expect_exit 0 "$patroni" healthy "$P"
    expect_exit 0 "$txstorm" init --db "$dsn" --accounts 200 --drop
    # shellcheck disable=SC2046
    start_run --db "$dsn" $(run_args) --json "$work/$name.json"
    wait_transfers 200 >/dev/null
    FAULT_MS=$(date +%s%3N)
    if [[ $verb == switchover || $verb == kill-leader ]]; then
        LEADER=$("$patroni" "$verb" "$P" 2>"$work/$name.fault.err") ||
            fail "$verb: $(cat "$work/$name.fault.err")"
    else
        "$verb"
    fi
    promoted=$(wait_transfers 0)
    wait_transfers $((promoted + 200)) >/dev/null
    kill -INT "$RUN_PID"
    finish_run "${4:-0}"
    cp "$work/run.out" "$work/$name.out"
}

# Exit 0 was checked by through_fault; nothing acknowledged is missing on the new leader,
# every ambiguous commit is resolved (committed or not), and the connections were lost
# and re-established.
assert_survived() {
    local r=$work/$1.json
    assert_nothing_lost "$r"
    jq -e '.check.total_ok and .check.ledger.lost_transfers == []
           and .check.ledger.ambiguous == .check.ledger.ambiguous_committed + .check.ledger.ambiguous_not_committed
           and .connection.losses > 0 and .connection.reconnects > 0' "$r" >/dev/null ||
        fail "$1: $(jq -c '{connection, ledger: (.check.ledger | del(.lost_transfers))}' "$r")"
    # Every ambiguous transfer named, with how the table resolved it.
    jq -e '.check.ledger as $l | ($l.ambiguous_transfers | type) == "array"
           and ($l.ambiguous_transfers | length) == $l.ambiguous
           and ([$l.ambiguous_transfers[] | select(.resolution == "committed")] | length)
               == $l.ambiguous_committed
           and ([$l.ambiguous_transfers[] | .resolution != "unresolved"] | all)' "$r" >/dev/null ||
        fail "$1: ambiguous transfers not all named: $(jq -c '.check.ledger | del(.lost_transfers)' "$r")"
}

# Patroni's own times for the fault that began at FAULT_MS: "DOWN_MS UP_MS", from
# `scripts/patroni events`. The old primary went down at the SIGKILL (kill-leader records
# it) or, in a switchover, when its PostgreSQL received the shutdown request Patroni's
# demotion sends; the new one was up when its PostgreSQL, promoted, logged that it accepts
# connections. These are PostgreSQL's own log lines (milliseconds, UTC) of the nodes
# Patroni runs: Patroni's history (`patronictl history`, REST /history) keeps only the new
# timeline's time, nothing about the old primary, and Patroni's own log lines say when its
# loop decided (a crash is noticed up to loop_wait later), not when PostgreSQL stopped or
# started taking writes.
patroni_times() {
    local old=$1 new=$2 down_event=$3
    "$patroni" events "$P" | awk -v t="$FAULT_MS" -v old="$old" -v new="$new" -v ev="$down_event" '
        $1 >= t && $2 == old && $3 == ev && !down { down = $1 }
        $1 >= t && $2 == new && $3 == "writable" && !up { up = $1 }
        END { if (down && up) print down, up; else exit 1 }'
}

# assert_window NAME OLD DOWN_EVENT [--report]: the run's outage window (last commit before
# the fault → first commit after it, wall clock) is within 0.5 s of Patroni's down → up at
# each end. Prints the figures (ms) on stderr
# either way; --report only prints them.
assert_window() {
    local name=$1 old=$2 ev=$3 only=${4:-} times down up r=$work/$1.json before after
    times=$(patroni_times "$old" "$LEADER" "$ev") || {
        "$patroni" events "$P" >&2
        fail "$name: no $ev of $old and promotion of $LEADER in the cluster's logs after $FAULT_MS"
    }
    read -r down up <<<"$times"
    # The window's own wall-clock times (Unix ms).
    read -r before after < <(jq -r '.failover.longest
        | "\(.last_commit_before_unix_ms) \(.first_commit_after_unix_ms)"' "$r")
    local d1=$((before - down)) d2=$((after - up))
    echo "$name: txstorm window $((after - before)) ms (last commit $d1 ms from $old down," \
        "first commit $d2 ms from $LEADER up); Patroni $old down -> $LEADER up $((up - down)) ms;" \
        "outages $(jq .failover.outages "$r"), ambiguous $(jq .check.ledger.ambiguous "$r")" >&2
    [[ -z $only ]] || return 0
    ((d1 >= -500 && d1 <= 500)) ||
        fail "$name: the run's last commit before the fault is $d1 ms off $old going down (more than 0.5 s)"
    ((d2 >= -500 && d2 <= 500)) ||
        fail "$name: the run's first commit after the fault is $d2 ms off $LEADER accepting writes (more than 0.5 s)"
}
