# Sourced by each integration test: the server's address, a fresh database, and assertions.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${TXSTORM_BUILD:?TXSTORM_BUILD must name the build directory}
txstorm=$build/txstorm
# shellcheck disable=SC1091
source "$(cat "$build/pgdir")/env"
unset DATABASE_URL PGPASSWORD
work=$(mktemp -d)
# At the test's end: every result this txstorm wrote into $work must match the
# published schema (include/txstorm/result.schema.json), then $work goes.
finish_work() {
    local bad=0
    "$root/scripts/check-result" "$work" || bad=1
    rm -rf "$work"
    if ((bad)); then
        echo "FAIL: a result the test wrote does not match the published schema" >&2
        exit 1
    fi
}
trap finish_work EXIT

# A database of the test's own, so tests can run in parallel; sets DSN.
fresh_db() {
    local name=$1
    dropdb --if-exists "$name" 2>/dev/null
    createdb "$name"
    DSN="postgresql://txstorm:$TXSTORM_TEST_PASSWORD@127.0.0.1:$PGPORT/$name"
}

sql() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$DB_NAME" -c "$1"; }

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# expect_exit CODE CMD...: runs CMD with stdout/stderr in $work/out, $work/err.
expect_exit() {
    local want=$1 rc=0
    shift
    "$@" >"$work/out" 2>"$work/err" || rc=$?
    if ((rc != want)); then
        echo "--- stdout" >&2; cat "$work/out" >&2
        echo "--- stderr" >&2; cat "$work/err" >&2
        fail "'$*' exited $rc, expected $want"
    fi
}

# assert_in FILE TEXT: FILE contains TEXT (fixed string).
assert_in() {
    grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks '$2'"; }
}

assert_not_in() {
    if grep -qF -- "$2" "$1"; then cat "$1" >&2; fail "$1 contains '$2'"; fi
}

# The error contract: exactly one line on stderr.
assert_one_line_stderr() {
    local n
    n=$(wc -l <"$work/err")
    ((n == 1)) || { cat "$work/err" >&2; fail "stderr has $n lines, expected 1"; }
}

# assert_match FILE REGEX: some line of FILE matches the extended regex.
assert_match() {
    grep -Eq -- "$2" "$1" || { cat "$1" >&2; fail "$1 has no line matching '$2'"; }
}

# poll SECONDS CMD...: retries CMD every 100 ms until it succeeds; fails after SECONDS.
poll() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# own_server [KEY=VALUE...]: a throwaway server of the test's own (for tests that break
# it), with those settings; sets OWN (its directory) and DSN, and exports DATABASE_URL.
own_server() {
    OWN=$work/pg
    chmod 755 "$work" # the server runs as another user when the tests run as root
    PG_FAST=1 "$root/scripts/pg" start "$OWN" "$@" 2>"$work/pg-start.err" ||
        fail "own server: $(cat "$work/pg-start.err")"
    trap '"$root/scripts/pg" destroy "$OWN"; finish_work' EXIT
    # shellcheck disable=SC1091
    source "$OWN/env"
    DSN=$TXSTORM_TEST_DSN
    export DATABASE_URL=$DSN
}

# Starts `txstorm run ARGS...` in the background with progress every 200 ms (unless
# ARGS set it: a flag is given once) into a FIFO, and returns once it has printed its
# first progress line (it is running).
# Sets RUN_PID; stdout goes to $work/run.out; progress is drained to $work/run.err.
start_run() {
    local every=(--progress-every 200ms) a
    for a in "$@"; do [[ $a == --progress-every* ]] && every=(); done
    rm -f "$work/run.fifo"
    mkfifo "$work/run.fifo"
    "$txstorm" run "${every[@]}" "$@" >"$work/run.out" 2>"$work/run.fifo" &
    RUN_PID=$!
    exec 7<"$work/run.fifo"
    # The first two lines of stderr (a progress line, or what came before it) are kept
    # in run.head; the rest goes to run.err.
    local _ line
    : >"$work/run.head"
    for _ in 1 2; do
        IFS= read -r -t 60 line <&7 || fail "the run printed no progress: $(cat "$work/run.head")"
        printf '%s\n' "$line" >>"$work/run.head"
    done
    cat <&7 >"$work/run.err" &
}

# After start_run with --metrics-addr 127.0.0.1:0 (the system picks the port, so no race
# with other tests): sets MPORT, the port the run says it serves on.
metrics_port() {
    MPORT=$(sed -n 's|^txstorm: serving http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$work/run.head")
    [[ -n $MPORT ]] || fail "the run did not say which port it serves on: $(cat "$work/run.head")"
}

# metric NAME: its value in the run's live exposition (empty when absent).
metric() {
    curl -sf "http://127.0.0.1:$MPORT/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

# until_metric NAME MIN: polls until NAME >= MIN, for up to 60 s.
until_metric() {
    local deadline=$((SECONDS + 60)) v
    until v=$(metric "$1") && [[ -n $v ]] && ((v >= $2)); do
        ((SECONDS < deadline)) || fail "$1 stayed at '${v:-}' (wanted $2 or more)"
        sleep 0.1 # polling the exposition, bounded by the deadline
    done
}

# Waits for the background run; fails unless it exits with CODE.
finish_run() {
    local rc=0
    wait "$RUN_PID" || rc=$?
    wait
    exec 7<&-
    ((rc == $1)) || {
        cat "$work/run.out" "$work/run.err" >&2
        fail "the run exited $rc, expected $1"
    }
}

# The ledger verdict of a result: everything acknowledged is there, nothing invented.
assert_nothing_lost() {
    jq -e '.check.ok and .check.ledger.ok and .check.ledger.lost == 0
           and .check.ledger.acked == .committed and .committed > 0
           and (.check.ledger.ambiguous_transfers | length) == .check.ledger.ambiguous
           and ([.check.ledger.ambiguous_transfers[] | select(.resolution == "committed")]
                | length) == .check.ledger.ambiguous_committed' "$1" >/dev/null ||
        fail "ledger after the fault: $(jq -c '{committed, ambiguous, ledger: .check.ledger}' "$1")"
}

# start_relay MODE: scripts/relay in front of the shared server, turning bad (MODE: hang,
# refuse, stall, bounce) once $work/fault exists (bounce: until it is removed again); sets
# RELAY_DSN (to DB_NAME through it). The relay is stopped with the test; runs waited for
# with finish_run do not wait for it.
start_relay() {
    "$root/scripts/relay" "$PGPORT" "$work/relay.port" "$work/fault" "$1" &
    RELAY_PID=$!
    disown "$RELAY_PID"
    trap 'kill "$RELAY_PID" 2>/dev/null; finish_work' EXIT
    local _
    for _ in $(seq 600); do [[ -s $work/relay.port ]] && break; sleep 0.05; done
    [[ -s $work/relay.port ]] || fail "the relay did not start"
    RELAY_DSN="postgresql://txstorm:$TXSTORM_TEST_PASSWORD@127.0.0.1:$(cat "$work/relay.port")/$DB_NAME"
}

# unprivileged DIR [FILE...]: for commands that must not run as root, DIR (made if need be)
# they may write and FILEs they may read; sets as_user, the prefix that runs a command as
# nobody when the test runs as root (empty otherwise).
unprivileged() {
    local dir=$1
    shift
    mkdir -p "$dir"
    as_user=()
    ((EUID == 0)) || return 0
    chmod 755 "$work"
    chmod 777 "$dir"
    if (($#)); then chmod 644 "$@"; fi
    as_user=(runuser -u nobody --)
}
