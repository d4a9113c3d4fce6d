#!/usr/bin/env bash
# A failover under asynchronous replication loses acknowledged work, and the run's check
# names exactly what was lost. scripts/cluster, one asynchronous standby n1:
#   1. the run commits; then n1 is cut off from the WAL stream (it keeps what it had);
#   2. the run goes on until the primary holds 100 more transfers than at the cut: none of
#      them reach n1;
#   3. the test takes an ACCESS EXCLUSIVE lock on accounts and polls until it is granted and
#      every worker waits for it. Then no transfer is between its COMMIT and the client's
#      reading of the acknowledgement: each worker has read its last one (it has sent its
#      next transfer, which waits before writing anything), so every row in the primary's
#      `transfers` is acknowledged, and no commit is in flight (no ambiguous outcome);
#   4. the test reads the primary's transfer ids (the lock blocks no reader), then fails
#      over: the primary stops at once, n1 is promoted, the lock dies with the old primary;
#   5. the run goes on against n1 (the waiting transfers retry there, under their own ids,
#      and commit) until SIGINT.
# The lost set is then computed without the tool: ids on the old primary at step 4 that
# are not on n1 at the end. It is not empty (step 2), and the run's check (and a later
# `check --ledger --result`) must name exactly it, say that conservation holds, exit 1.
source "$(dirname "$0")/lib.sh"
cluster=$root/scripts/cluster
C=$work/c
chmod 755 "$work" # the servers run as another user when the tests run as root
trap '"$cluster" destroy "$C" >/dev/null 2>&1 || true; finish_work' EXIT

workers=4
export PG_FAST=1
expect_exit 0 "$cluster" start "$C" --standbys 1 --async
# shellcheck disable=SC1091
source "$C/env" # DATABASE_URL: every node, read-write
expect_exit 0 "$txstorm" init --accounts 200
n1=$("$cluster" dsn "$C" n1)

q() { timeout 30 psql -X -q -At -d "$DATABASE_URL" -c "$1"; }
# poll WHAT SQL TEST: re-runs SQL on the writable node until its output passes TEST ($v).
poll() {
    local deadline=$((SECONDS + 40)) v=
    until v=$(q "$2" 2>/dev/null) && eval "$3"; do
        ((SECONDS < deadline)) || fail "$1 (last: ${v:-none})"
        sleep 0.1 # polling the server, bounded by the deadline
    done
    echo "$v"
}
# The bank reached n1 before anything is cut.
lsn=$(q "SELECT pg_current_wal_lsn()")
deadline=$((SECONDS + 40))
until [[ $(psql -X -At -d "$n1" -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'") == t ]]; do
    ((SECONDS < deadline)) || fail "n1 never replayed the bank"
    sleep 0.1 # polling the standby's replay, bounded by the deadline
done

start_run --ledger --workers $workers --hot 20 --duration 60s --json "$work/run.json"
poll "the run committed nothing" "SELECT count(*) FROM transfers" '((v > 20))' >/dev/null
expect_exit 0 "$cluster" cut "$C" n1
at_cut=$(q "SELECT count(*) FROM transfers")
poll "no transfer after the cut" "SELECT count(*) FROM transfers" "((v > at_cut + 100))" >/dev/null

# Hold every worker before its next write; the session lives until the failover ends it.
q "SELECT 1" >/dev/null
timeout 120 psql -X -q -d "$DATABASE_URL" \
    -c "BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(100);" \
    >/dev/null 2>&1 &
poll "the lock on accounts was never granted with every worker waiting for it" \
    "SELECT (SELECT count(*) FROM pg_locks WHERE relation = 'accounts'::regclass
                AND mode = 'AccessExclusiveLock' AND granted)
          + (SELECT count(*) FROM pg_stat_activity WHERE application_name = 'txstorm-worker'
                AND wait_event_type = 'Lock')" "((v == 1 + workers))" >/dev/null
q "SELECT transfer_id FROM transfers" | LC_ALL=C sort >"$work/old"
expect_exit 0 "$cluster" failover "$C"
# The run commits on n1: more transfers than n1 held when promoted.
promoted=$(psql -X -At -d "$n1" -c "SELECT count(*) FROM transfers")
poll "the run committed nothing on the new primary" "SELECT count(*) FROM transfers" \
    "((v > promoted + 50))" >/dev/null
kill -INT "$RUN_PID"
finish_run 1

psql -X -At -d "$n1" -c "SELECT transfer_id FROM transfers" | LC_ALL=C sort >"$work/new"
comm -23 "$work/old" "$work/new" >"$work/expected"
lost=$(wc -l <"$work/expected")
((lost > 0)) || fail "nothing was lost: the cut did not hold"
jq -r '.check.ledger.lost_transfers[].id' "$work/run.json" | LC_ALL=C sort >"$work/named"
diff "$work/expected" "$work/named" >&2 || fail "the check names other transfers than were lost"
jq -e --argjson n "$lost" '.check.ledger.lost == $n and .check.total_ok and (.check.ok | not)
       and .check.ledger.ambiguous_committed == 0
       and ([.check.ledger.lost_transfers[] | .acked_at_unix_ms > 0 and .worker >= 0] | all)' \
    "$work/run.json" >/dev/null ||
    fail "verdict: $(jq -c '.check | {ok, total_ok, ledger: (.ledger | del(.lost_transfers))}' "$work/run.json")"
assert_in "$work/run.out" "conservation holds, but $lost acknowledged transfers are missing"
first=$(jq '.check.ledger.lost_transfers[0].id' "$work/run.json")
assert_in "$work/run.out" "transfer $first  worker"

# check --ledger against the new primary, from the saved result, names the same.
expect_exit 1 "$txstorm" check --ledger --result "$work/run.json"
assert_in "$work/out" "conservation holds, but $lost acknowledged transfers are missing"
assert_in "$work/out" "transfer $first  worker"
