#!/usr/bin/env bash
# Several processes, one run: --instance I/N waits at a barrier in the database,
# the instances start together, their results merge and their ledgers check.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_instances
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 200

run_instance() { # run_instance I
    "$txstorm" run --instance "$1/2" --seed 77 --workers 3 --hot 20 --duration 2s --ledger \
        --progress-every 0 --json "$work/i$1.json" >"$work/i$1.out" 2>&1
}
run_instance 0 &
first=$!
# Instance 1 starts only once instance 0 is waiting at the barrier.
for _ in $(seq 600); do
    [[ $(sql "SELECT count(*) FROM txstorm_barrier WHERE key = 77") == 1 ]] && break
    sleep 0.05 # polling the barrier table for instance 0's arrival, not a timing assumption
done
[[ $(sql "SELECT count(*) FROM txstorm_barrier WHERE key = 77") == 1 ]] || fail "instance 0 never arrived"
run_instance 1 || fail "instance 1: $(cat "$work/i1.out")"
wait "$first" || fail "instance 0: $(cat "$work/i0.out")"

# They started together although launched apart, and left no barrier rows behind.
jq -s -e '(.[0].start_unix_us - .[1].start_unix_us) | fabs < 300000' "$work/i0.json" "$work/i1.json" \
    >/dev/null || fail "instances did not start together: $(jq -c .start_unix_us "$work/i0.json" "$work/i1.json")"
[[ $(sql "SELECT count(*) FROM txstorm_barrier") == 0 ]] || fail "barrier rows left behind"
jq -e '.config.instance == 1 and .config.instances == 2' "$work/i1.json" >/dev/null || fail "config"

expect_exit 0 "$txstorm" merge "$work/i0.json" "$work/i1.json" --json "$work/m.json"
jq -s -e '.[2].committed == .[0].committed + .[1].committed and .[2].config.workers == 6' \
    "$work/i0.json" "$work/i1.json" "$work/m.json" >/dev/null || fail "merge"
expect_exit 0 "$txstorm" check --ledger --result "$work/i0.json" --result "$work/i1.json"
assert_in "$work/out" "ledger: acknowledged found   PASS"
[[ $(jq -s '.[0].committed + .[1].committed' "$work/i0.json" "$work/i1.json") == $(sql "SELECT count(*) FROM transfers") ]] ||
    fail "ledger rows differ from the commits of both instances"

# An instance whose partners never come: a clear line, exit 3, nothing left behind.
expect_exit 3 "$txstorm" run --instance 0/3 --seed 78 --barrier-timeout 1s --workers 2 --duration 1s
assert_one_line_stderr
assert_in "$work/err" "barrier: 1 of 3 instances arrived within 1 s (seed 78)"
[[ $(sql "SELECT count(*) FROM txstorm_barrier") == 0 ]] || fail "barrier row left behind"
# An instance interrupted at the barrier (Ctrl-C, a TERM, a hang-up): one line saying so, exit 3,
# and its row gone, so that a partner arriving later does not count it and start short.
seed=79
for sig in INT TERM HUP; do
    seed=$((seed + 1))
    "$txstorm" run --instance 0/2 --seed $seed --barrier-timeout 30s --workers 2 --duration 1s \
        >"$work/out" 2>"$work/err" &
    pid=$!
    for _ in $(seq 600); do
        [[ $(sql "SELECT count(*) FROM txstorm_barrier WHERE key = $seed") == 1 ]] && break
        sleep 0.05 # polling the barrier table for the instance's arrival, not a timing assumption
    done
    [[ $(sql "SELECT count(*) FROM txstorm_barrier WHERE key = $seed") == 1 ]] || fail "never arrived"
    kill -$sig "$pid"
    rc=0
    wait "$pid" || rc=$?
    ((rc == 3)) || fail "SIG$sig at the barrier: exit $rc; $(cat "$work/err")"
    assert_one_line_stderr
    assert_match "$work/err" "^txstorm: barrier: interrupted \\(SIG$sig\\) after [0-9.]+ s, with 1 of 2 instances arrived \\(seed $seed\\); this instance left the barrier and ran nothing$"
    [[ $(sql "SELECT count(*) FROM txstorm_barrier") == 0 ]] || fail "SIG$sig: barrier row left behind"
done
expect_exit 2 "$txstorm" run --instance 0/2
assert_in "$work/err" "--instance: needs --seed"
expect_exit 2 "$txstorm" run --instance 2/2 --seed 1
assert_one_line_stderr
