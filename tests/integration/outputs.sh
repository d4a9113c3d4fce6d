#!/usr/bin/env bash
# Output files are written whole or through, never in place of what is not a
# regular file; a bad output is refused before the run; no output overwrites
# another output or an input.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_outputs
fresh_db $DB_NAME
export DATABASE_URL=$DSN
expect_exit 0 "$txstorm" init --accounts 50
expect_exit 0 "$txstorm" run --workers 2 --transactions 40 --json "$work/r.json"
cp "$work/r.json" "$work/r.orig"

# A FIFO without a reader at the end: the result is not lost but written to a file of
# its own (mode 600) in the working directory, named on the one line; the FIFO stays a
# FIFO, and an output beside it is written all the same.
mkfifo "$work/fifo"
ln -s "$work/fifo" "$work/fifo-link"
expect_exit 0 "$txstorm" merge "$work/r.json" --json "$work/ref.json" --hgrm "$work/ref.hgrm" \
    --junit "$work/ref.junit"
for path in "$work/fifo" "$work/fifo-link"; do
    rm -f "$work"/txstorm-saved-* "$work/beside.hgrm"
    (cd "$work" && expect_exit 2 timeout 20 "$txstorm" merge "$work/r.json" --json "$path" \
        --hgrm "$work/beside.hgrm")
    assert_one_line_stderr
    assert_in "$work/err" "cannot write $path: a FIFO with no reader; written to $work/txstorm-saved-"
    saved=$(sed -n 's/.*; written to \(.*\) instead$/\1/p' "$work/err")
    cmp -s "$work/ref.json" "$saved" || fail "the saved result differs from the JSON"
    [[ $(stat -c %a "$saved") == 600 ]] || fail "the saved result is mode $(stat -c %a "$saved")"
    cmp -s "$work/ref.hgrm" "$work/beside.hgrm" || fail "the output beside a failed one was not written"
    [[ -p $work/fifo && -L $work/fifo-link ]] || fail "$path was replaced"
done
rm -f "$work"/txstorm-saved-*
# A reader started before txstorm (gzip -c <fifo >out.gz &): the check before the work does
# not open the FIFO (its reader would see the end of its input then), and the whole output
# comes through it, for each command and flag that writes one.
expect_exit 0 "$txstorm" plot "$work/r.json" --html "$work/ref.html"
# through_fifo CMD...: runs CMD (which writes to the FIFO's link) with the reader started first.
through_fifo() {
    # Opened under timeout: a reader stuck in open() would outlive a failed test.
    # shellcheck disable=SC2016 # $1 is the inner shell's
    timeout 20 sh -c 'exec cat <"$1"' sh "$work/fifo" >"$work/through" &
    local reader=$!
    expect_exit 0 timeout 20 "$@"
    wait "$reader" || fail "$*: the FIFO's reader failed"
    [[ -p $work/fifo && -L $work/fifo-link ]] || fail "the FIFO was replaced"
}
for flag in json hgrm junit; do
    through_fifo "$txstorm" merge "$work/r.json" --"$flag" "$work/fifo-link"
    cmp -s "$work/ref.$flag" "$work/through" || fail "merge --$flag did not come through whole"
done
through_fifo "$txstorm" plot "$work/r.json" --html "$work/fifo-link"
cmp -s "$work/ref.html" "$work/through" || fail "plot --html did not come through whole"
through_fifo "$txstorm" run --workers 2 --transactions 20 --progress-every 100ms \
    --csv "$work/fifo-link"
if [[ $(head -1 "$work/through") != elapsed_s,* ]] || (($(wc -l <"$work/through") < 2)); then
    fail "run --csv did not come through: $(cat "$work/through")"
fi
# A reader that leaves after one byte: the write fails (no SIGPIPE ends txstorm first), and
# the result is saved. A result of many intervals (a 12 s run's) makes a JSON larger than a
# pipe holds, so the writer is still writing when the reader leaves.
big=$root/results/2026-12-07-merge-storm/merged.json
expect_exit 0 "$txstorm" merge "$big" --json "$work/big.json"
(($(stat -c %s "$work/big.json") > 4 * 65536)) || fail "the JSON is too small for this test"
# shellcheck disable=SC2016 # $1 is the inner shell's
timeout 20 sh -c 'exec head -c 1 <"$1"' sh "$work/fifo" >/dev/null &
(cd "$work" && expect_exit 2 timeout 20 "$txstorm" merge "$big" --json "$work/fifo")
wait
assert_one_line_stderr
assert_in "$work/err" "cannot write $work/fifo: Broken pipe; written to $work/txstorm-saved-"
saved=$(sed -n 's/.*; written to \(.*\) instead$/\1/p' "$work/err")
cmp -s "$work/big.json" "$saved" || fail "the saved result differs from the JSON"
rm -f "$work"/txstorm-saved-*

# A symlink to a regular file: the target is written, the link stays a link.
echo old >"$work/target.json"
ln -s "$work/target.json" "$work/link.json"
expect_exit 0 "$txstorm" merge "$work/r.json" --json "$work/link.json"
[[ -L $work/link.json ]] || fail "the symlink was replaced"
jq -e '.committed == 40' "$work/target.json" >/dev/null || fail "the symlink's target was not written"

# /dev/stdout onto a file that holds the text report: appended, not over it.
"$txstorm" merge "$work/r.json" --json /dev/stdout >"$work/both" 2>"$work/err" ||
    fail "report --json /dev/stdout: $(cat "$work/err")"
assert_in "$work/both" "txstorm merge: 2 workers"
assert_in "$work/both" '"committed": 40'
expect_exit 0 "$txstorm" merge "$work/r.json" --json /dev/null --hgrm /dev/null
[[ -c /dev/null ]] || fail "/dev/null is no longer a device"

# A directory, the same file twice, an output that is an input: refused up
# front, before any transfer, and nothing is touched.
mkdir "$work/adir"
expect_exit 2 "$txstorm" run --workers 2 --duration 1h --json "$work/adir"
assert_one_line_stderr
assert_in "$work/err" "is a directory"
[[ ! -s $work/out ]] || fail "the run started before its output was refused"
expect_exit 2 "$txstorm" run --workers 2 --duration 1h --json "$work/f" --csv "$work/f"
assert_one_line_stderr
assert_in "$work/err" "--json and --csv name the same file"
[[ ! -e $work/f ]] || fail "a refused output was created"
expect_exit 2 "$txstorm" merge "$work/r.json" "$work/r.orig" --json "$work/r.json"
assert_one_line_stderr
assert_in "$work/err" "would overwrite the input"
expect_exit 2 "$txstorm" report "$work/r.json" --hgrm "$work/./r.json"
assert_one_line_stderr
cmp -s "$work/r.json" "$work/r.orig" || fail "an input was overwritten"

# A replaced file keeps its protection: one the user may not write is refused before any
# work, in one line, and left as it was; one the user may write keeps its mode (and, when
# root replaces it, its owner); a new one gets 0666 less the umask. As a user who is not
# root: root gets a user of no privilege.
perm=$work/perm
mkdir "$perm"
cp "$work/r.json" "$perm/in.json"
unprivileged "$perm" "$perm/in.json"
(cd "$perm" && "${as_user[@]}" sh -c 'echo old >ro.json && chmod 444 ro.json &&
    echo old >private.json && chmod 600 private.json')
expect_exit 2 "${as_user[@]}" "$txstorm" merge "$perm/in.json" --json "$perm/ro.json"
assert_one_line_stderr
assert_in "$work/err" "--json: cannot write $perm/ro.json: Permission denied"
[[ $(cat "$perm/ro.json") == old && $(stat -c %a "$perm/ro.json") == 444 ]] ||
    fail "a read-only output was replaced: mode $(stat -c %a "$perm/ro.json")"
expect_exit 0 "${as_user[@]}" "$txstorm" merge "$perm/in.json" --json "$perm/private.json"
jq -e '.committed == 40' "$perm/private.json" >/dev/null || fail "private.json was not written"
[[ $(stat -c %a "$perm/private.json") == 600 ]] ||
    fail "a mode-600 output became $(stat -c %a "$perm/private.json")"
expect_exit 0 "${as_user[@]}" sh -c "umask 077 && exec '$txstorm' merge '$perm/in.json' \
    --json '$perm/new.json'"
[[ $(stat -c %a "$perm/new.json") == 600 ]] ||
    fail "a new output under umask 077 is mode $(stat -c %a "$perm/new.json")"
if ((EUID == 0)); then
    # root replacing another user's file leaves it theirs.
    chmod 640 "$perm/private.json"
    expect_exit 0 "$txstorm" merge "$perm/in.json" --json "$perm/private.json"
    [[ $(stat -c %U:%a "$perm/private.json") == nobody:640 ]] ||
        fail "root's replacement is $(stat -c %U:%a "$perm/private.json")"
    # Another user's file in a sticky directory could be written but not renamed over:
    # refused by the check before any work, not by the rename after it.
    echo old >"$perm/roots.json"
    chmod 666 "$perm/roots.json"
    chmod 1777 "$perm"
    expect_exit 2 runuser -u nobody -- "$txstorm" merge "$perm/in.json" --json "$perm/roots.json"
    assert_one_line_stderr
    assert_in "$work/err" "another user's file in a sticky directory cannot be replaced"
    [[ $(cat "$perm/roots.json") == old ]] || fail "roots.json was replaced"
    chmod 777 "$perm"
fi

# A standard output that cannot be written (a full disk): one line, exit 2, for every
# command; an exit code of its own (a failed gate's 4) is kept.
for cmd in "run --workers 2 --transactions 10 --progress-every 0 --json $work/r2.json" \
    "report $work/r.json" \
    "compare $work/r.json $work/r2.json" "help" "help run" "version"; do
    # shellcheck disable=SC2086 # the words of $cmd are its arguments
    "$txstorm" $cmd >/dev/full 2>"$work/err" && rc=0 || rc=$?
    ((rc == 2)) || fail "$cmd >/dev/full exited $rc"
    assert_one_line_stderr
    assert_in "$work/err" "txstorm: cannot write the standard output: "
done
# The cause, where txstorm flushed the text itself (not stdio, its buffer full).
expect_exit 2 sh -c "'$txstorm' report '$work/r.json' >/dev/full"
assert_in "$work/err" "txstorm: cannot write the standard output: No space left on device"
expect_exit 4 sh -c "'$txstorm' report '$work/r.json' --assert 'p99<1us' >/dev/full"
assert_in "$work/err" "cannot write the standard output"

# A standard output whose reader has gone (a `| tee` closed with the terminal): the run is
# not ended by SIGPIPE before its files are written; the failed write is told, exit 2, and
# the JSON is whole. The pipe's read end is closed before txstorm starts.
closed_pipe() {
    python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
sys.exit(subprocess.call(sys.argv[1:], stdout=w))' "$@"
}
expect_exit 2 closed_pipe "$txstorm" run --workers 2 --transactions 10 --progress-every 0 \
    --json "$work/piped.json"
assert_in "$work/err" "txstorm: cannot write the standard output: Broken pipe"
jq -e '.committed + .failed + .insufficient + .ambiguous == 10' "$work/piped.json" >/dev/null ||
    fail "the run whose reader went wrote no whole result"
