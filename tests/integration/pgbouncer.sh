#!/usr/bin/env bash
# Through a real pgbouncer in transaction mode (1.18: no prepared statements): the default
# prepared mode fails (26000 or 42P05) and says to use --query-mode extended; extended
# commits and the check passes, and the servers reached name the node behind the pooler; three endpoints (the server and two pgbouncers) share the
# workers evenly, and their figures add up and survive merge.
source "$(dirname "$0")/lib.sh"
[[ -x /usr/sbin/pgbouncer ]] || { echo "SKIP: no /usr/sbin/pgbouncer"; exit 0; }
own_server
expect_exit 0 "$txstorm" init --accounts 100

# start_bouncer NAME: a pgbouncer in transaction mode in front of the server, on a free
# port, run as the server's user (pgbouncer refuses root); sets BOUNCER_DSN.
owner=$(stat -c %U "$OWN/data")
as_owner() { if ((EUID == 0)); then runuser -u "$owner" -- "$@"; else "$@"; fi; }
bouncers=()
trap 'for b in "${bouncers[@]}"; do kill "$(cat "$b/pgbouncer.pid")" 2>/dev/null; done
      "$root/scripts/pg" destroy "$OWN"; finish_work' EXIT
# try_bouncer NAME: one attempt at start_bouncer's work on a fresh port; false when the
# pgbouncer left (its port taken between the probe and its bind, by a test beside this one)
# or never answered.
try_bouncer() {
    local dir=$work/$1 port
    rm -rf "$dir"
    mkdir -m 755 "$dir"
    port=$(shuf -i 20000-59999 -n 1)
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$(shuf -i 20000-59999 -n 1); done
    echo '"txstorm" ""' >"$dir/userlist.txt"
    cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PGPORT user=txstorm password=$TXSTORM_TEST_PASSWORD
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 50
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    ((EUID == 0)) && chown -R "$owner" "$dir"
    as_owner /usr/sbin/pgbouncer -d "$dir/pgbouncer.ini" >&2 || return 1
    local dsn="postgresql://txstorm@127.0.0.1:$port/postgres?application_name=$1" n=0
    until psql -X -q -d "$dsn" -c "SELECT 1" >/dev/null 2>&1; do
        # Gone (no pid file once it has started): give up on this port at once.
        [[ -s $dir/pgbouncer.pid ]] || ((n < 20)) || return 1
        ((++n < 300)) || return 1
        sleep 0.1 # polling for pgbouncer's readiness, not a timing assumption
    done
    bouncers+=("$dir")
    BOUNCER_DSN=$dsn
}
start_bouncer() {
    local attempt
    for attempt in 1 2 3; do
        try_bouncer "$1" && return 0
        [[ -s $work/$1/pgbouncer.pid ]] && kill "$(cat "$work/$1/pgbouncer.pid")" 2>/dev/null
    done
    tail -n 5 "$work/$1/pgbouncer.log" >&2 2>/dev/null
    fail "pgbouncer $1 does not answer"
}
start_bouncer b1
BOUNCED=$BOUNCER_DSN

# Prepared: each transaction may land on a server session that never saw the statements
# (26000), or already holds another client's (42P05, when preparing): the one line says
# what to do.
expect_exit 3 "$txstorm" run --db "$BOUNCED" --workers 6 --hot 50 --duration 2s \
    --progress-every 0
assert_in "$work/err" "use --query-mode extended"
assert_match "$work/err" 'prepared statement "txstorm_[a-z_]+" (already exists|does not exist)'

# Extended: unnamed statements pass through.
expect_exit 0 "$txstorm" run --db "$BOUNCED" --query-mode extended --ledger --workers 6 \
    --hot 50 --duration 2s --progress-every 0 --json "$work/extended.json"
jq -e '.committed > 0 and .check.ok and .check.ledger.ok and .errors_by_class.other == 0' \
    "$work/extended.json" >/dev/null ||
    fail "extended: $(jq -c '{committed, check: .check.ok, errors_by_class}' "$work/extended.json")"
# Triggers behind a transaction pooler. terminate: the workers' backend pids are the
# pooler's, no session of theirs is ended, so the fault is "not injected" (with why) and
# a recover_s gate fails (exit 4) rather than passing on a fault that never happened.
expect_exit 4 "$txstorm" run --db "$BOUNCED" --query-mode extended --workers 6 --hot 50 \
    --duration 3s --progress-every 0 --trigger terminate@1s:1 --json "$work/term.json" \
    --assert 'recover_s<5'
jq -e '.triggers[0].verdict == "not injected" and .triggers[0].terminated == 0
       and (.triggers[0].error | test("no session of this run was ended"))' \
    "$work/term.json" >/dev/null || fail "terminate behind the pooler: $(jq -c .triggers "$work/term.json")"
# lock-rows: the injector's lock_timeout is its transaction's own (SET LOCAL), so the
# pooler never hands it to a worker's session: no worker fails with 55P03, whether the
# injector got its rows in the window or only timed out trying (its own 55P03, recorded as
# its error). It locks 5 of the 50 hot rows: 50 were still not all free in 2 s of tries on a
# busy machine (six workers through three pooled sessions).
expect_exit 0 "$txstorm" run --db "$BOUNCED" --query-mode extended --workers 6 --hot 50 \
    --duration 4s --progress-every 0 --trigger lock-rows@1s+2s:5 --json "$work/lock.json"
jq -e '(.triggers[0].verdict != "not injected" or (.triggers[0].error | test("lock timeout")))
       and ([.errors_by_sqlstate.codes[] | select(.sqlstate == "55P03")] | length) == 0
       and .errors_by_class.other == 0' \
    "$work/lock.json" >/dev/null ||
    fail "lock-rows behind the pooler: $(jq -c '{triggers, errors_by_sqlstate, errors_by_class}' "$work/lock.json")"
# Behind the pooler each connection names the node: the server's own address and port,
# not pgbouncer's; the servers table shows both.
bport=${BOUNCED#*127.0.0.1:}
bport=${bport%%/*}
jq -e --arg b "$bport" --argjson p "$PGPORT" '
    all(.workers_servers[].servers[]; .port == $b and .server_addr == "127.0.0.1"
                                      and .server_port == $p)' "$work/extended.json" >/dev/null ||
    fail "node behind pgbouncer: $(jq -c '.workers_servers[0]' "$work/extended.json")"
assert_match "$work/out" "^  127\\.0\\.0\\.1:$bport +127\\.0\\.0\\.1:$PGPORT +[0-9]+ +6 +primary"

# Three endpoints: the server itself and two pgbouncers in front of it. Workers spread
# 2/2/2, each endpoint commits, the endpoints add up to the totals, and merge keeps them.
start_bouncer b2
for r in 1 2; do
    expect_exit 0 "$txstorm" run --db "$DSN" --db "$BOUNCED" --db "$BOUNCER_DSN" \
        --query-mode extended --ledger --workers 6 --hot 50 --duration 2s --progress-every 0 \
        --json "$work/three-$r.json"
done
expect_exit 0 "$txstorm" merge "$work/three-1.json" "$work/three-2.json" --json "$work/three.json"
spread='(.endpoints | length) == 3 and ([.endpoints[].committed] | add) == .committed
    and ([.endpoints[].retries] | add) == .retries and all(.endpoints[]; .committed > 0)
    and ([.endpoints[].dsn | test("application_name=b[12]")] == [false, true, true])'
for f in three-1 three-2 three; do
    jq -e "$spread and ([.endpoints[].workers] == (if .merged_from > 0 then [4,4,4] else [2,2,2] end))" \
        "$work/$f.json" >/dev/null ||
        fail "$f: $(jq -c '{committed, endpoints: [.endpoints[] | {dsn, workers, committed}]}' "$work/$f.json")"
done
