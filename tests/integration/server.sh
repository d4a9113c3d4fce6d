#!/usr/bin/env bash
# ctest fixture: starts (or destroys) the suite's throwaway PostgreSQL; its path goes to BUILD/pgdir.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TXSTORM_BUILD:?TXSTORM_BUILD must name the build directory}
case ${1:-} in
start)
    if [[ -f $build/pgdir ]]; then "$root/scripts/pg" destroy "$(cat "$build/pgdir")"; fi
    dir=$(mktemp -d /tmp/txstorm-pg.XXXXXX)
    # A short deadlock_timeout keeps deadlock-heavy tests quick.
    PG_FAST=1 "$root/scripts/pg" start "$dir" deadlock_timeout=100ms
    echo "$dir" >"$build/pgdir"
    ;;
stop)
    if [[ -f $build/pgdir ]]; then "$root/scripts/pg" destroy "$(cat "$build/pgdir")"; fi
    rm -f "$build/pgdir"
    ;;
*)
    echo "usage: server.sh start|stop" >&2
    exit 2
    ;;
esac
