#!/usr/bin/env bash
# Patroni in asynchronous mode (scripts/patroni), the leader's WAL senders stopped before a
# kill -9 of its postmaster: what it acknowledged meanwhile never reaches a replica, and the
# run, through the multi-host DSN, must name exactly those transfers as lost. The fault:
#   1. once the run commits, the leader's WAL senders get SIGSTOP: nothing more streams;
#   2. the run goes on until the leader holds 100 more transfers than at the stop;
#   3. the test takes an ACCESS EXCLUSIVE lock on accounts and polls until it is granted and
#      every worker waits for it: then every row in the leader's `transfers` is acknowledged
#      and no commit is in flight (as in failover_async.sh), and the test reads their ids;
#   4. the leader's postmaster is killed (-9), then its stopped WAL senders (a stopped
#      sender that woke would still send what it holds); Patroni promotes a replica.
# The lost set is then computed without the tool: ids on the old leader at step 3 missing
# on the new leader at the end. It is not empty, and the run names exactly it (exit 1).
# Then destroy must leave no process of the cluster behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/patroni_lib.sh"

# Patroni promotes no replica more than maximum_lag_on_failover behind the leader's last
# position (1 MB by default; the stopped senders leave a few MB behind): it would restart the
# old leader in place instead, losing nothing. This test wants the failover that loses.
patroni_start --async --dcs maximum_lag_on_failover=1073741824
workers=8 # run_args'

# A server process of this cluster (it works in a data directory under $P).
ours() { [[ $(readlink "/proc/$1/cwd" 2>/dev/null) == "$P"/* ]]; }

pause_senders_and_kill() {
    local pids pid at_stop deadline v
    pids=$(leader_q "SELECT pid FROM pg_stat_replication")
    [[ $(wc -w <<<"$pids") == 2 ]] || fail "the leader has not two WAL senders: $pids"
    for pid in $pids; do
        ours "$pid" || fail "WAL sender $pid is not this cluster's"
        kill -STOP "$pid"
    done
    at_stop=$(leader_q "SELECT count(*) FROM transfers")
    wait_transfers $((at_stop + 100)) >/dev/null

    # Hold every worker before its next write; the session lives until the kill ends it.
    timeout 120 psql -X -q -d "$CLUSTER_DSN" \
        -c "BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(100);" \
        >/dev/null 2>&1 &
    deadline=$((SECONDS + 60))
    until v=$(leader_q "SELECT (SELECT count(*) FROM pg_locks WHERE relation = 'accounts'::regclass
                                   AND mode = 'AccessExclusiveLock' AND granted)
                             + (SELECT count(*) FROM pg_stat_activity
                                   WHERE application_name = 'txstorm-worker' AND wait_event_type = 'Lock')") &&
        ((v == 1 + workers)); do
        ((SECONDS < deadline)) || fail "the lock on accounts was never granted with every worker waiting (last: ${v:-none})"
        sleep 0.1 # polling the leader, bounded by the deadline
    done
    leader_q "SELECT transfer_id FROM transfers" | LC_ALL=C sort >"$work/old"

    "$patroni" kill-leader "$P" >"$work/leader" 2>"$work/kill.err" &
    local killer=$! deadline=$((SECONDS + 30))
    until grep -q killed "$P/events.log"; do
        ((SECONDS < deadline)) || fail "kill-leader killed nothing: $(cat "$work/kill.err")"
        sleep 0.02 # waiting for the kill, bounded by the deadline
    done
    for pid in $pids; do
        if ours "$pid"; then kill -KILL "$pid"; fi
    done
    wait "$killer" || fail "kill-leader: $(cat "$work/kill.err")"
    LEADER=$(cat "$work/leader")
}

old=$("$patroni" leader "$P")
through_fault kill-paused "$CLUSTER_DSN" pause_senders_and_kill 1
assert_window kill-paused "$old" killed --report

"$patroni" dsn "$P" "$LEADER" >"$work/new.dsn"
psql -X -At -d "$(cat "$work/new.dsn")" -c "SELECT transfer_id FROM transfers" | LC_ALL=C sort >"$work/new"
comm -23 "$work/old" "$work/new" >"$work/expected"
lost=$(wc -l <"$work/expected")
((lost > 0)) || fail "nothing was lost: the stopped WAL senders did not hold back the leader's commits"
jq -r '.check.ledger.lost_transfers[].id' "$work/kill-paused.json" | LC_ALL=C sort >"$work/named"
diff "$work/expected" "$work/named" >&2 || fail "the run names other transfers than were lost"
jq -e --argjson n "$lost" '.check.ledger.lost == $n and .check.total_ok and (.check.ok | not)
       and .check.ledger.ambiguous_committed == 0' "$work/kill-paused.json" >/dev/null ||
    fail "verdict: $(jq -c '.check | {ok, total_ok, ledger: (.ledger | del(.lost_transfers))}' "$work/kill-paused.json")"
echo "kill-paused: $lost acknowledged transfers lost, all named" >&2

# scripts/patroni itself: misuse is one line and exit 2; destroy ends every process it
# started (etcd, the Patroni daemons, HAProxy, every server process) and the directory.
expect_exit 2 "$patroni" start "$P"
assert_one_line_stderr
expect_exit 2 "$patroni" start "$work/q" --dcs loop_wait
assert_one_line_stderr
pids=$(cat "$P"/*.pid)
for p in $(pgrep -x postgres); do
    if ours "$p"; then pids+=" $p"; fi
done
expect_exit 0 "$patroni" destroy "$P"
[[ ! -e $P ]] || fail "destroy left $P"
deadline=$((SECONDS + 30))
for p in $pids; do
    while [[ -e /proc/$p && $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) != Z ]]; do
        ((SECONDS < deadline)) || fail "process $p ($(cat "/proc/$p/comm" 2>/dev/null)) outlived destroy"
        sleep 0.05 # destroy waited for them; a zombie's parent may still be reaping it
    done
done
