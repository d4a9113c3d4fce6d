#!/usr/bin/env bash
# A storm driven from several processes, merged: the series, the triggers and
# their verdicts, the phases, the connection faults and the timelines survive
# the merge, and the merged result passes the recovery gate its instances pass.
# Instance 0 injects each fault for all of them: one lock, one terminate over every
# instance's workers, one window in every result and in the merge.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_merge_story
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 200

# start_instances N SEED ARGS...: N instances of one run, started together at the barrier
# (their pids in PIDS); wait_instances N SEED waits for them to succeed.
start_instances() {
    local n=$1 seed=$2 i
    shift 2
    PIDS=()
    for ((i = 0; i < n; i++)); do
        "$txstorm" run --instance "$i/$n" --seed "$seed" --workers 2 --hot 20 --progress-every 0 \
            --json "$work/s$seed-$i.json" "$@" >"$work/s$seed-$i.out" 2>&1 &
        PIDS+=($!)
    done
}
wait_instances() {
    local n=$1 seed=$2 i
    for ((i = 0; i < n; i++)); do
        wait "${PIDS[$i]}" || fail "instance $i of $n: $(cat "$work/s$seed-$i.out")"
    done
}
run_instances() {
    start_instances "$@"
    wait_instances "$1" "$2"
}

# judge N SEED: the instances' and the merge's gates, the series adding up.
judge() {
    local n=$1 seed=$2 parts=() i
    for ((i = 0; i < n; i++)); do parts+=("$work/s$seed-$i.json"); done
    expect_exit 0 "$txstorm" merge "${parts[@]}" --json "$work/m$seed.json"
    local m=$work/m$seed.json
    # Every commit of every instance's series is in the merged series, once.
    jq -s -e '([.[:-1][] | .intervals[].committed] | add) == ([.[-1].intervals[].committed] | add)
              and ([.[:-1][] | .intervals[].retries] | add) == ([.[-1].intervals[].retries] | add)' \
        "${parts[@]}" "$m" >/dev/null || fail "merged intervals do not add up to the instances'"
    # Intervals of processes started together line up: at least as many merged rows as the
    # instance with the most, and at most one more per instance (the sliver after its stop
    # stands alone); rows that did not line up would come once per instance. (Counting only
    # "full" rows, at least half the longest, failed when trigger edges cut 1 s intervals
    # into halves near that threshold.)
    jq -s -e '(.[-1].intervals | length) as $m | ([.[:-1][] | .intervals | length] | max) as $k
              | $m >= $k and $m <= $k + (length - 1)' \
        "${parts[@]}" "$m" >/dev/null ||
        fail "merged intervals did not line up: $(jq -c '[.intervals[] | [.elapsed_s, .interval_s]]' "${parts[@]}" "$m")"
    # The merged run stopped when its last instance did: its verdicts judge no row after.
    jq -s -e '([.[:-1][] | .stop_unix_us | tonumber] | max) == (.[-1].stop_unix_us | tonumber)
              and all(.[]; (.stop_unix_us | tonumber) <= (.end_unix_us | tonumber))' \
        "${parts[@]}" "$m" >/dev/null ||
        fail "merged stop: $(jq -c '[.stop_unix_us, .end_unix_us]' "${parts[@]}" "$m")"
    # Percentiles from merged histograms: each row's p99 lies within the instances' p99s' range.
    jq -e '[.intervals[] | select(.committed > 0) | has("latency_hist")] | all' "$m" >/dev/null ||
        fail "merged rows lost their histograms"
    # The triggers are there, each with a verdict judged on the merged series where each
    # instance's was judged.
    jq -s -e '(.[0].triggers | length) as $n | (.[-1].triggers | length) == $n
              and ([.[-1].triggers[] | has("verdict") and has("outcome")] | all)
              and ([range($n) as $i | (.[0].triggers[$i].outcome | IN("recovered", "metastable"))
                    <= (.[-1].triggers[$i].outcome | IN("recovered", "metastable"))] | all)' \
        "${parts[0]}" \
        "$m" >/dev/null || fail "merged triggers: $(jq -c .triggers "$m")"
    # Connection faults and the servers each worker reached, by instance.
    jq -s -e '([.[:-1][] | .worker_faults | length] | add) == (.[-1].worker_faults | length)
              and ([.[:-1][] | .workers_servers | length] | add) == (.[-1].workers_servers | length)
              and ([.[-1].workers_servers[] | has("instance")] | all)' \
        "${parts[@]}" "$m" >/dev/null || fail "merged worker rows"
    # The gate judges the merged run on its own series (the instances' summed, whose band is
    # its own: a merged run may read out of it where each instance, noisier alone, did not):
    # it passes exactly when every merged verdict recovered within the bound.
    local want
    want=$(jq -r 'if [.triggers[] | .outcome == "recovered" and .recovery_s < 5] | all
                  then 0 else 4 end' "$m")
    expect_exit "$want" "$txstorm" report "$m" --assert 'recover_s<5'
    assert_in "$work/out" "merged from $n results"
    # The merged report reads back, and merges no further with its own parts.
    expect_exit 0 "$txstorm" report "$m"
    expect_exit 0 "$txstorm" plot "$m" --html "$work/m$seed.html"
}

# Two instances: a lock on the hot rows, then a share of the sessions terminated, each
# after 3 s of baseline (a verdict needs 2 s and 3 intervals) and followed by 3 s, so the
# gates are judged.
start_instances 2 91 --duration 10s --trigger lock-rows@3s+1s --trigger terminate@7s:0.5
# One injector for the run: each instance opens its trigger connection before it arrives at
# the barrier, and once both have arrived the server sees one injector session (instance 0's)
# and one follower (instance 1's, which injects nothing).
both_arrived() { [[ $(sql "SELECT count(*) FROM txstorm_barrier WHERE key = 91") == 2 ]]; }
poll 60 both_arrived || fail "the instances never met at the barrier"
sessions=$(sql "SELECT string_agg(application_name || '=' || n, ' ' ORDER BY application_name)
                FROM (SELECT application_name, count(*) AS n FROM pg_stat_activity
                      WHERE datname = current_database()
                      AND application_name IN ('txstorm-injector', 'txstorm-follower')
                      GROUP BY 1) s")
[[ $sessions == "txstorm-follower=1 txstorm-injector=1" ]] ||
    fail "one injector for the run, one follower: $sessions"
wait_instances 2 91
# Both results hold the same window of each trigger, injected by instance 0 for both; the
# terminate ended its share of all four workers (two, one of each instance) once.
jq -s -e '[.[0].triggers, .[1].triggers] | transpose
          | all(.[0].injected_by == 0 and .[1].injected_by == 0 and .[0].start_s != null
                and .[0].start_s == .[1].start_s and .[0].end_s == .[1].end_s
                and .[0].released == .[1].released and .[0].terminated == .[1].terminated)' \
    "$work/s91-0.json" "$work/s91-1.json" >/dev/null ||
    fail "the instances' windows differ: $(jq -c '[.triggers[] | {spec, start_s, end_s, released, terminated, injected_by}]' "$work/s91-0.json" "$work/s91-1.json")"
jq -s -e 'all(.[]; .triggers[1].terminated == 2 and .connection.losses >= 1)' \
    "$work/s91-0.json" "$work/s91-1.json" >/dev/null ||
    fail "the terminate: $(jq -c '{t: .triggers[1].terminated, c: .connection}' "$work/s91-0.json" "$work/s91-1.json")"
[[ $(sql "SELECT count(*) FROM txstorm_trigger") == 0 ]] || fail "trigger rows left behind"
judge 2 91
jq -e '.connection.losses > 0 and (.failover.instances | length) == 2' "$work/m91.json" >/dev/null ||
    fail "the terminate trigger's connection faults: $(jq -c '{connection, failover}' "$work/m91.json")"
# The merge holds that one window (instance 0's, on the merged clock), counted once, and judges it.
jq -s -e '(((.[0].clock_origin_unix_us | tonumber) - (.[1].clock_origin_unix_us | tonumber)) / 1e6) as $off
          | [.[0].triggers, .[1].triggers] | transpose
          | all(.[1].injected_by == 0 and ((.[1].start_s - .[0].start_s - $off) | fabs) < 1e-5
                and .[1].terminated == .[0].terminated
                and (.[1].outcome == "recovered" or .[1].outcome == "metastable"))' \
    "$work/s91-0.json" "$work/m91.json" >/dev/null ||
    fail "the merged windows: $(jq -c '[.triggers[] | {spec, start_s, end_s, terminated, injected_by, outcome}]' "$work/m91.json")"

# Three instances over load phases: per-phase figures tallied again from the merged series.
run_instances 3 92 --load 'low=100/s:2s,high=300/s:2s' --duration 4s --trigger lock-rows@2500ms+500ms
judge 3 92
jq -s -e '([.[:-1][] | .phases[] | select(.name == "high") | .offered] | add) as $offered
          | (.[-1].phases[] | select(.name == "high") | .offered) as $merged
          | ($merged - $offered | fabs) < 0.01 * $offered' \
    "$work/s92-0.json" "$work/s92-1.json" "$work/s92-2.json" "$work/m92.json" >/dev/null ||
    fail "merged phases: $(jq -c .phases "$work/m92.json")"

# The merged series as HdrHistogram's interval log, read by an independent implementation.
modules=$("$root/scripts/hdr-js") || fail "no hdr-histogram-js to read the log with"
expect_exit 0 "$txstorm" report "$work/m91.json" --hlog "$work/m91.hlog"
jq '(.clock_origin_unix_us | tonumber / 1000) as $o
    | [.intervals[] | select(.warmup | not) | . + {origin_ms: $o}]' "$work/m91.json" >"$work/rows.json"
node "$root/tests/integration/hlog_rows.js" "$modules" "$work/m91.hlog" "$work/rows.json" ||
    fail "the merged interval log disagrees with the merged rows"

# A result that contradicts itself is refused, naming what; so is one from a newer txstorm.
jq '.intervals[0].retries += 1 | .intervals[0].retries_per_s = (.intervals[0].retries / .intervals[0].interval_s)' \
    "$work/m91.json" >"$work/edited.json"
expect_exit 2 "$txstorm" report "$work/edited.json"
assert_in "$work/err" "inconsistent counters: the measured intervals do not add up to the totals"
jq '.format_version = "3.0"' "$work/m91.json" >"$work/newer.json"
expect_exit 2 "$txstorm" merge "$work/newer.json" "$work/s91-0.json"
assert_in "$work/err" "written by a newer txstorm (result format 3.0); this one reads format 2 and older"
rm "$work/edited.json" "$work/newer.json" # hand-made, not results of this txstorm
echo "merge_story: ok"

# A merged result given twice is refused by what it is: no seed of its own, every instance.
cp "$work/m91.json" "$work/m91-copy.json"
expect_exit 2 "$txstorm" merge "$work/m91.json" "$work/m91-copy.json"
assert_one_line_stderr
assert_in "$work/err" "are the same run (no seed (a merge), every instance, measured"
