#!/usr/bin/env bash
# txstorm knows when it is the bottleneck: a run held to 1% of a CPU by a cgroup
# quota warns, says so in the JSON, and fails its gate; the same run with the
# CPU it needs does not. Needs a writable cpu cgroup (root); skips otherwise.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_saturation
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 100

# A cpu cgroup of the test's own, holding what runs in it to 1% of a CPU.
group=
if [[ -w /sys/fs/cgroup/cpu ]] && mkdir "/sys/fs/cgroup/cpu/txstorm-test-$$" 2>/dev/null; then
    group=/sys/fs/cgroup/cpu/txstorm-test-$$ # cgroup v1
    echo 100000 >"$group/cpu.cfs_period_us" && echo 1000 >"$group/cpu.cfs_quota_us"
elif [[ -w /sys/fs/cgroup/cgroup.subtree_control ]] &&
     grep -qw cpu /sys/fs/cgroup/cgroup.controllers &&
     mkdir "/sys/fs/cgroup/txstorm-test-$$" 2>/dev/null; then
    group=/sys/fs/cgroup/txstorm-test-$$ # cgroup v2
    echo "1000 100000" >"$group/cpu.max" || { rmdir "$group"; group=; }
fi
if [[ -z $group ]]; then
    echo "saturation: skipping the starved run (no writable cpu cgroup here)"
else
    trap 'rmdir "$group" 2>/dev/null; finish_work' EXIT
    expect_exit 4 timeout 150 bash -c "echo \$\$ >'$group/cgroup.procs' && exec '$txstorm' run \
        --workers 4 --duration 3s --progress-every 500ms --json '$work/starved.json' \
        --assert 'client_saturated<1'"
    assert_match "$work/out" "txstorm was the bottleneck: loop 0 busy [0-9]+% of the run, on a CPU only [0-9]+%"
    assert_in "$work/out" "FAIL client_saturated<1"
    jq -e '.client_saturated == true and .loops[0].saturated_intervals * 2 >= .loops[0].intervals' \
        "$work/starved.json" >/dev/null || fail "starved: $(jq -c '.loops' "$work/starved.json")"
fi

# With the CPU it needs (an open-loop 50/s), no warning and the gate passes.
expect_exit 0 "$txstorm" run --workers 4 --duration 2s --rate 50 --progress-every 500ms \
    --json "$work/free.json" --assert 'client_saturated<1' --assert 'loop_busy<0.9'
assert_not_in "$work/out" "txstorm was the bottleneck"
assert_in "$work/out" "PASS client_saturated<1"
assert_in "$work/err" "loop%"
jq -e '.client_saturated == false and (.loops | length) == 1 and .loops[0].intervals >= 3' \
    "$work/free.json" >/dev/null || fail "free: $(jq -c '.loops' "$work/free.json")"

# A loop with nothing to do for longer than an interval (think pauses of 2 s)
# is idle, not busy: its wait under way counts as waiting.
expect_exit 0 "$txstorm" run --workers 2 --think-time 2s --duration 3s --stop-grace 3s \
    --progress-every 500ms --json "$work/idle.json" --assert 'loop_busy<0.5'
jq -e '.client_saturated == false and .loops[0].saturated_intervals == 0' "$work/idle.json" \
    >/dev/null || fail "idle: $(jq -c '.loops' "$work/idle.json")"
