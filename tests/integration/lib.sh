# Sourced by each integration test: the server's address, a fresh database, and assertions.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${TXSTORM_BUILD:?TXSTORM_BUILD must name the build directory}
txstorm=$build/txstorm
# shellcheck disable=SC1091
source "$(cat "$build/pgdir")/env"
unset DATABASE_URL PGPASSWORD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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
