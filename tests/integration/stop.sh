#!/usr/bin/env bash
# A stop keeps its promise: at the end of --duration (or the first signal) what
# is in flight gets --stop-grace, then its statements are cancelled and think
# pauses cut; a second signal cancels at once and still writes the report.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_stop
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 100

# lock_hot_rows: another session holds the accounts against writes (until
# release_rows), and this returns once it does. A table lock taken before any
# row: the session holds nothing while it waits, so it cannot deadlock with
# the workers (rows locked one by one could, and lose).
lock_hot_rows() {
    # Detached (not a job of this shell), so finish_run does not wait for it.
    (psql -X -q -d "$DB_NAME" -c "BEGIN; LOCK TABLE accounts IN EXCLUSIVE MODE;
                                  SELECT pg_sleep(120); COMMIT" >/dev/null 2>&1 &)
    local n=0
    until [[ $(sql "SELECT count(*) FROM pg_stat_activity
                    WHERE query LIKE '%pg_sleep(120)%' AND wait_event = 'PgSleep'
                      AND pid <> pg_backend_pid()") == 1 ]]; do
        ((++n < 3000)) || fail "the locking session never got its locks"
        sql "SELECT pg_sleep(0.01)" >/dev/null # polls the server, not a timing guess
    done
}
release_rows() {
    sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()" >/dev/null
}

# --- Accounts held elsewhere past the stop: cancelled after the grace. The stop comes
# once the rows are held (a signal; the end of --duration takes the same path), so
# workers are in flight at the stop however slowly the machine runs.
start_run --workers 4 --hot 10 --duration 60s --stop-grace 1s --json "$work/held.json"
lock_hot_rows
kill -INT "$RUN_PID"
finish_run 0
release_rows
# The stop's own cancels are counted as such, not as the database's errors.
jq -e '.cancelled >= 1 and .duration_s < 30 and .check.ok
       and ([.errors_by_sqlstate.codes[] | select(.sqlstate == "57014")] | length) == 0' \
    "$work/held.json" >/dev/null ||
    fail "held rows: $(jq -c '{cancelled, duration_s, e: .errors_by_sqlstate}' "$work/held.json")"
assert_in "$work/run.out" "cancelled at stop"

# --- A think pause longer than the run: cut after the grace, not waited out.
expect_exit 0 timeout 30 "$txstorm" run --workers 2 --think-time 10s --duration 1s --stop-grace 1s \
    --progress-every 0 --json "$work/think.json"
jq -e '.duration_s < 1 + 1 + 2' "$work/think.json" >/dev/null ||
    fail "think pause: $(jq -c '{duration_s, committed}' "$work/think.json")"

# --- A second signal cancels at once, and the partial report and JSON are written.
start_run --workers 4 --hot 10 --duration 10m --stop-grace 10m --json "$work/twice.json"
lock_hot_rows
kill -INT "$RUN_PID"
n=0
until grep -q "stopping:" "$work/run.err"; do # the first signal was taken
    ((++n < 3000)) || fail "the first signal was not acknowledged"
    sql "SELECT pg_sleep(0.01)" >/dev/null
done
kill -INT "$RUN_PID"
finish_run 0
release_rows
assert_in "$work/run.err" "cancelling in-flight statements"
assert_in "$work/run.out" "txstorm run (interrupted)"
jq -e '.interrupted and .cancelled >= 1 and .duration_s < 60' "$work/twice.json" >/dev/null ||
    fail "second signal: $(jq -c '{interrupted, cancelled, duration_s}' "$work/twice.json")"
