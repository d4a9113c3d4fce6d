#!/usr/bin/env bash
# --metrics-addr beside clients that connect and send nothing (a port scanner, a client left
# open): with 16 of them held open a scrape still gets its answer at once, and the process
# exits as soon as its results are written, however long they stay open.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_metrics_idle
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 100

RUN_PID=
# A failing check leaves no run behind, holding the test's output open.
trap 'kill $RUN_PID 2>/dev/null || true; finish_work' EXIT
# Port 0: the system picks a free one and the run says which (no race with other tests).
start_run --duration 120s --workers 2 --metrics-addr ":0" --json "$work/run.json"
mport=$(sed -n 's|^txstorm: serving http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$work/run.head")
[[ -n $mport ]] || fail "the run did not say which port it serves on: $(cat "$work/run.head")"

# hold_idle: 16 more connections to the run's port that send nothing, once the server has
# taken them all in (none waits in its listening socket's queue, ss's Recv-Q).
idle=()
queued() { ss -Hltn "( sport = :$mport )" | awk '{print $2}'; }
taken() { [[ $(queued) == 0 ]]; }
hold_idle() {
    local fd
    for _ in $(seq 16); do
        exec {fd}<>"/dev/tcp/127.0.0.1/$mport"
        idle+=("$fd")
    done
    poll 30 taken || fail "the run left $(queued) connections waiting on its port"
}

hold_idle
for _ in 1 2; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$mport/metrics") || true
    [[ $code == 200 ]] || fail "a scrape beside 16 idle connections got HTTP '$code'"
done

# Interrupted with 16 fresh idle connections open, the run writes its results; then it has
# nothing left but to stop serving, and must not wait for them to time out (it waited 10 s).
hold_idle
kill -INT "$RUN_PID"
poll 60 test -s "$work/run.json" || fail "the run wrote no result"
exited() { ! kill -0 "$RUN_PID" 2>/dev/null; }
poll 4 exited || fail "the run was still there 4 s after writing its result, idle connections open"
finish_run 0
for fd in "${idle[@]}"; do exec {fd}>&-; done
echo "ok"
