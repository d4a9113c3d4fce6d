#!/usr/bin/env bash
# A real primary and standby (scripts/cluster, asynchronous). 1. An endpoint whose host list
# reaches the standby first, without target_session_attrs: the read-only server is a
# connection fault, the workers (and the run's own connection) move to the writable server,
# no transfer fails for it (nor is retried: it happens at connect), and each worker's server
# sequence shows the standby, then the primary (in the JSON, and in the report's server
# timeline). 2. The primary killed mid-run (scripts/cluster failover) under a multi-host DSN with
# target_session_attrs=read-write: the progress marks the outage as it happens, the report
# and the JSON show an unavailability window, and the workers' server sequences end on the
# new primary, on a higher timeline.
source "$(dirname "$0")/lib.sh"
cluster=$root/scripts/cluster
C=$work/cluster
chmod 755 "$work" # the servers run as another user when the tests run as root
trap '"$cluster" destroy "$C" >/dev/null 2>&1 || true; finish_work' EXIT
PG_FAST=1 "$cluster" start "$C" --standbys 1 >/dev/null 2>"$work/cluster.err" ||
    fail "cluster: $(cat "$work/cluster.err")"
# shellcheck disable=SC1091
source "$C/env"
# The env reaches the writable node through libpq's variables; the endpoints here say
# everything themselves.
unset PGHOST PGPORT PGTARGETSESSIONATTRS
export PGPASSWORD=$TXSTORM_TEST_PASSWORD
standby_first="host=127.0.0.1,127.0.0.1 port=$CLUSTER_PORT_n1,$CLUSTER_PORT_n0 user=txstorm dbname=postgres"
expect_exit 0 "$txstorm" init --db "$standby_first" --accounts 5000

# 1. The standby first.
expect_exit 0 "$txstorm" run --db "$standby_first" --workers 4 --skew uniform --max-retries 100 \
    --duration 1s --json "$work/first.json"
cp "$work/out" "$work/first.out"
jq -e --arg s "$CLUSTER_PORT_n1" --arg p "$CLUSTER_PORT_n0" '
    .committed > 0 and .errors_by_class.other == 0 and .errors_by_class.connection == 0
    and (.errors_by_sqlstate | has("25006") | not) and .workers_lost == 0
    and .connection.losses >= 4
    and (.workers_servers | length) == 4
    and all(.workers_servers[]; .servers[0].port == $s and .servers[0].in_recovery == true
                                and .servers[-1].port == $p and .servers[-1].in_recovery == false
                                and .servers[-1].timeline == 1
                                and .servers[-1].system_id == .servers[0].system_id)' \
    "$work/first.json" >/dev/null ||
    fail "standby first: $(jq -c '{committed, errors_by_class, errors_by_sqlstate, connection,
        workers_servers}' "$work/first.json")"
assert_in "$work/first.out" "127.0.0.1:$CLUSTER_PORT_n1"
assert_match "$work/first.out" "127\.0\.0\.1:$CLUSTER_PORT_n0 +127\.0\.0\.1:$CLUSTER_PORT_n0 +[0-9]+ +4 +primary"
# The server timeline: the workers moved together, from the standby to the primary.
assert_in "$work/first.out" "server timeline"
assert_match "$work/first.out" "^ +-?[0-9]+\.[0-9]{3} [0-9:.]{12}  all 4 +127\.0\.0\.1:$CLUSTER_PORT_n1 .* standby +1$"
assert_match "$work/first.out" "^ +-?[0-9]+\.[0-9]{3} [0-9:.]{12}  all 4 +127\.0\.0\.1:$CLUSTER_PORT_n0 .* primary +1$"

# The injector follows the primary too: through the same host list, a lock is taken
# (not "read-only") and a terminate ends the workers' sessions (not zero of them).
expect_exit 0 "$txstorm" run --db "$standby_first" --workers 4 --skew uniform --max-retries 100 \
    --duration 3s --reconnect-timeout 30s --trigger lock-rows@500ms+500ms --trigger terminate@2s:1 \
    --json "$work/injected.json"
jq -e 'all(.triggers[]; .verdict != "not injected" and (has("error") | not))
       and (.triggers[] | select(.kind == "terminate") | .terminated) == 4' \
    "$work/injected.json" >/dev/null ||
    fail "injector behind a standby-first host list: $(jq -c .triggers "$work/injected.json")"

# 2. A failover mid-run. Progress lines go to $work/run.err as they come.
# progress_after AWK_PROGRAM: waits (60 s at most) until the program, run over the progress
# lines so far, sets found.
progress_after() {
    local deadline=$((SECONDS + 60))
    until awk "!/^ *[0-9.]+ +[0-9.]+ / {next} $1 END {exit !found}" "$work/run.err"; do
        ((SECONDS < deadline)) || { cat "$work/run.err" >&2; fail "no progress line with $1"; }
        sleep 0.1 # polling the run's progress, bounded by the deadline
    done
}
start_run --db "$CLUSTER_DSN" --workers 4 --skew uniform --max-retries 100 --duration 120s \
    --reconnect-timeout 60s --json "$work/failover.json"
progress_after '$2 > 0 {found = 1}'
new=$("$cluster" failover "$C")
new_port_var=CLUSTER_PORT_$new
# Commits again after the outage: a line past the first OUTAGE one, unmarked, with commits.
progress_after 'seen && !/OUTAGE/ && $2 > 0 {found = 1} /OUTAGE/ {seen = 1}'
kill -INT "$RUN_PID"
finish_run 0
assert_in "$work/run.err" "OUTAGE"
assert_in "$work/run.out" "failover timeline"
assert_match "$work/run.out" "^ +[0-9]+\.[0-9]{3} [0-9:.]{12}  [-0-9,all ]+ +127\.0\.0\.1:${!new_port_var} .* primary +2$"
jq -e --arg p "${!new_port_var}" '
    .failover.outages >= 1 and .failover.unavailable_s > 0 and .failover.longest.window_s > 0
    and .failover.longest.first_commit_after_s > .failover.longest.first_loss_s
    and .failover.longest.workers_affected >= 1
    and .failover.endpoints[0].outages >= 1 and .failover.endpoints[0].unavailable_s > 0
    and any(.intervals[]; .outage)
    and any(.workers_servers[]; .servers[-1].port == $p and .servers[-1].in_recovery == false
                                and .servers[-1].timeline > .servers[0].timeline)' \
    "$work/failover.json" >/dev/null ||
    fail "failover: $(jq -c '{failover, connection, workers_servers}' "$work/failover.json")"
# One window definition: last commit before to first commit after, the detection delay
# from that last commit to the loss, the same times again in Unix ms from the origin,
# and every interval row the window overlaps marked.
jq -e '.failover.longest as $w | (.clock_origin_unix_us | tonumber / 1000) as $o
    | def near(a; b): (a - b) | fabs < 0.0015;
    near($w.window_s; $w.first_commit_after_s - $w.last_commit_before_s)
    and near($w.detection_s; $w.first_loss_s - $w.last_commit_before_s) and $w.detection_s >= 0
    and (($w.first_loss_unix_ms - ($o + $w.first_loss_s * 1000)) | fabs) <= 1
    and (($w.first_commit_after_unix_ms - ($o + $w.first_commit_after_s * 1000)) | fabs) <= 1
    and (.failover.windows | length) == .failover.outages
    and all(.intervals[] | select(.elapsed_s > $w.last_commit_before_s
                                  and .elapsed_s - .interval_s < $w.first_commit_after_s); .outage)' \
    "$work/failover.json" >/dev/null ||
    fail "the window's definition: $(jq -c '{failover, clock_origin_unix_us, rows: [.intervals[] | [.elapsed_s, .interval_s, .outage]]}' "$work/failover.json")"
