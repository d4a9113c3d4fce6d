#!/usr/bin/env bash
# scripts/cluster: a primary and two synchronous standbys on loopback. A row written through
# the multi-host DSN reaches the standbys; a standby cut off from the WAL stream misses what
# is written meanwhile (it has no WAL receiver at all) and catches up once reconnected; a
# failover promotes the most advanced standby (not the cut one), the multi-host DSN then
# writes to it with every row there, and the cut standby follows it once reconnected; a
# pgbouncer in transaction mode runs a statement; destroy leaves no process behind; misuse
# is refused with one line.
source "$(dirname "$0")/lib.sh"
cluster=$root/scripts/cluster
C=$work/cluster
chmod 755 "$work" # the servers run as another user when the tests run as root
trap '"$cluster" destroy "$C" >/dev/null 2>&1 || true; finish_work' EXIT

# Misuse: one line, exit 2, nothing touched.
expect_exit 2 "$cluster" bogus "$C"
assert_one_line_stderr
mkdir "$work/other"
touch "$work/other/keep"
expect_exit 2 "$cluster" destroy "$work/other"
assert_one_line_stderr
assert_in "$work/err" "not made by scripts/cluster start"
[[ -f $work/other/keep ]] || fail "destroy removed a directory the script did not make"
expect_exit 2 "$cluster" status "$work/other"
assert_one_line_stderr
expect_exit 2 "$cluster" start "$C" --standbys x
assert_one_line_stderr
expect_exit 2 "$cluster" start "$C" --async --standbys 0 --sync
assert_one_line_stderr
# A setting with a newline would write a second line into postgresql.conf.
expect_exit 2 "$cluster" start "$C" $'shared_buffers=1MB\nfsync=off'
assert_one_line_stderr
assert_in "$work/err" "cluster: the setting 'shared_buffers=1MB...' holds a newline"
[[ ! -e $C ]] || fail "a refused start made $C"

export PG_FAST=1
# A backslash in a value reaches the server as itself (postgresql.conf reads '\b' as an escape).
expect_exit 0 "$cluster" start "$C" --sync --standbys 2 'cluster_name=t\b'
# Long verbs say on stderr what they do and wait for.
assert_in "$work/err" "cluster: n2: base backup from n0 (standby 2 of 2)"
assert_in "$work/err" "cluster: waiting for the standbys to stream (at most"
assert_in "$work/err" "cluster: waiting for the standbys to become synchronous"
multi=$("$cluster" dsn "$C")
declare -A dsn port
for n in n0 n1 n2; do
    dsn[$n]=$("$cluster" dsn "$C" "$n")
    port[$n]=$(sed -n 's/.* port=\([0-9]*\) .*/\1/p' <<<"${dsn[$n]}")
done
[[ $multi == *"port=${port[n0]},${port[n1]},${port[n2]} "*"target_session_attrs=read-write"* ]] ||
    fail "multi-host DSN: $multi"
# The env file, as scripts/pg's: the URL form reaches the primary.
(
    # shellcheck disable=SC1091
    source "$C/env"
    [[ $DATABASE_URL == *"127.0.0.1:${port[n0]},127.0.0.1:${port[n1]},127.0.0.1:${port[n2]}/"* ]] ||
        fail "env: $DATABASE_URL"
    [[ $(psql -X -At -d "$DATABASE_URL" -c "SELECT inet_server_port()") == "${port[n0]}" ]] ||
        fail "DATABASE_URL does not reach the primary"
) || exit 1

[[ $(psql -X -At -d "$multi" -c "SHOW cluster_name") == 't\b' ]] ||
    fail "cluster_name: $(psql -X -At -d "$multi" -c "SHOW cluster_name" | od -c | head -2)"

# Every statement is bounded: a commit waiting for a synchronous standby that never comes fails.
at() { timeout 30 psql -X -q -v ON_ERROR_STOP=1 -At -d "${dsn[$1]}" -c "$2"; }
write() { timeout 30 psql -X -q -v ON_ERROR_STOP=1 -At -d "$multi" -c "$1"; }
# has NODE ID: the standby has replayed row ID (polled: replay follows the commit's flush).
has() {
    local deadline=$((SECONDS + 30))
    until [[ $(at "$1" "SELECT count(*) FROM t WHERE id = $2") == 1 ]]; do
        ((SECONDS < deadline)) || fail "row $2 never reached $1"
        sleep 0.1 # polling the standby's replay, bounded by the deadline
    done
}
lacks() { [[ $(at "$1" "SELECT count(*) FROM t WHERE id = $2") == 0 ]] || fail "$1 has row $2"; }

[[ $(at n0 "SELECT string_agg(application_name || ':' || state || ':' || sync_state, ' '
             ORDER BY application_name) FROM pg_stat_replication") == "n1:streaming:quorum n2:streaming:quorum" ]] ||
    fail "standbys: $(at n0 "SELECT application_name, state, sync_state FROM pg_stat_replication")"

# 1. Through the multi-host DSN to the primary, and on to both standbys.
write "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)"
has n1 1
has n2 1

# 2. n2 cut off: no WAL receiver, and a row committed afterwards (synchronously, on n1) is
#    not there, and neither is its WAL; reconnected, it arrives.
expect_exit 0 "$cluster" cut "$C" n2
expect_exit 0 "$cluster" status "$C"
assert_match "$work/out" "^n2 +127.0.0.1:${port[n2]} +standby +cut "
write "INSERT INTO t VALUES (2)"
lsn=$(at n0 "SELECT pg_current_wal_lsn()")
has n1 2
[[ $(at n2 "SELECT count(*) FROM pg_stat_wal_receiver") == 0 ]] || fail "n2 still receives WAL"
lacks n2 2
[[ $(at n0 "SELECT pg_wal_lsn_diff('$lsn', '$(at n2 "SELECT pg_last_wal_receive_lsn()")') > 0") == t ]] ||
    fail "n2 received WAL up to $lsn while cut off"
expect_exit 0 "$cluster" reconnect "$C" n2
has n2 2

# 3. n2 cut again and behind; the primary killed: n1, the most advanced, is promoted.
expect_exit 0 "$cluster" cut "$C" n2
write "INSERT INTO t VALUES (3)"
has n1 3
expect_exit 0 "$cluster" failover "$C"
assert_in "$work/err" "cluster: stopping n0 (immediate)"
assert_match "$work/err" "^cluster: promoting n1, the most advanced standby \(received up to [0-9A-F]+/[0-9A-F]+\)$"
assert_in "$work/err" "cluster: waiting for n1 to accept writes"
[[ $(cat "$work/out") == n1 ]] || fail "failover promoted '$(cat "$work/out")', expected n1"
[[ $(write "INSERT INTO t VALUES (4) RETURNING inet_server_port()") == "${port[n1]}" ]] ||
    fail "the multi-host DSN does not write to n1"
[[ $(at n1 "SELECT string_agg(id::text, ',' ORDER BY id) FROM t") == 1,2,3,4 ]] ||
    fail "rows on the new primary: $(at n1 "SELECT string_agg(id::text, ',' ORDER BY id) FROM t")"
lacks n2 3
# n2 follows the new primary (a new timeline) once reconnected.
expect_exit 0 "$cluster" reconnect "$C" n2
has n2 4
expect_exit 0 "$cluster" status "$C"
assert_match "$work/out" "^n0 .* down "
assert_match "$work/out" "^n1 .* primary "
assert_match "$work/out" "^n2 .* standby +streaming "

# 4. A pgbouncer in transaction mode in front of the primary; its secret stays in the cluster's directory.
expect_exit 0 "$cluster" bouncer "$C" primary
bouncer=$(cat "$work/out")
[[ $bouncer == postgresql://txstorm:*@127.0.0.1:*/postgres ]] || fail "bouncer DSN: $bouncer"
[[ $(timeout 30 psql -X -At -v ON_ERROR_STOP=1 -d "$bouncer" -c "SELECT count(*) FROM t") == 4 ]] ||
    fail "no answer through pgbouncer"
bdir=$(echo "$C"/bouncer-*)
assert_match "$bdir/pgbouncer.ini" "^pool_mode = transaction$"
[[ $(stat -c %a "$bdir/userlist.txt") == 600 ]] || fail "userlist.txt is readable by others"

# 5. destroy stops every server and the bouncer.
pids=("$(cat "$bdir/pgbouncer.pid")" "$(head -n 1 "$C/n1/postmaster.pid")" "$(head -n 1 "$C/n2/postmaster.pid")")
expect_exit 0 "$cluster" destroy "$C"
[[ ! -e $C ]] || fail "destroy left $C"
# A postmaster removes its pid file (which pg_ctl waits for) just before it exits: poll.
gone() { # no PID given runs (a zombie not yet reaped counts as gone)
    local pid st
    for pid in "$@"; do
        st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue
        [[ $st == Z ]] || return 1
    done
}
deadline=$((SECONDS + 10))
until gone "${pids[@]}"; do
    ((SECONDS < deadline)) || fail "processes outlived destroy: $(ps -o pid=,comm= -p "${pids[*]}" | paste -sd' ')"
    sleep 0.1 # polling the processes' exit, bounded by the deadline
done
