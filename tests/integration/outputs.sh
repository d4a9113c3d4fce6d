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

# A FIFO without a reader: refused at once, not waited on, and still a FIFO.
mkfifo "$work/fifo"
ln -s "$work/fifo" "$work/fifo-link"
for path in "$work/fifo" "$work/fifo-link"; do
    expect_exit 2 timeout 20 "$txstorm" merge "$work/r.json" --json "$path"
    assert_one_line_stderr
    assert_in "$work/err" "no reader"
    [[ -p $work/fifo && -L $work/fifo-link ]] || fail "$path was replaced"
done
# With a reader (this shell, holding the FIFO open), the JSON goes through it:
# as many bytes as the same merge writes to a regular file.
expect_exit 0 "$txstorm" merge "$work/r.json" --json "$work/ref.json"
exec 8<>"$work/fifo"
expect_exit 0 timeout 20 "$txstorm" merge "$work/r.json" --json "$work/fifo-link"
timeout 20 head -c "$(stat -c %s "$work/ref.json")" <&8 >"$work/through.json"
exec 8<&-
[[ -p $work/fifo && -L $work/fifo-link ]] || fail "the FIFO was replaced"
cmp -s "$work/ref.json" "$work/through.json" || fail "the JSON did not come through the FIFO whole"

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
