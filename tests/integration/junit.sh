#!/usr/bin/env bash
# --junit on run, check, report and merge: each file valid against a published
# JUnit schema (Jenkins' junit-4.xsd, fetched by scripts/junit-xsd), a case per
# invariant and per --assert, a failure carrying its figure; a bad path is one
# line, exit 2, and nothing replaced.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_junit
fresh_db $DB_NAME
export DATABASE_URL=$DSN
xsd=$("$root/scripts/junit-xsd") || fail "no JUnit schema to validate against"

valid() {
    xmllint --noout --schema "$xsd" "$1" 2>"$work/xmllint.err" ||
        { cat "$1" "$work/xmllint.err" >&2; fail "$1 is not valid JUnit XML"; }
}
# count FILE XPATH: the number XPATH evaluates to in FILE.
count() { xmllint --xpath "$2" "$1"; }

expect_exit 0 "$txstorm" init --accounts 50

# A run with a passing and a failing gate: exit 4, both gates as cases, the
# failing one's message with the figure the text report shows.
expect_exit 4 "$txstorm" run --workers 2 --duration 1s --ledger --assert 'committed>0' \
    --assert 'p50<1us' --json "$work/run.json" --junit "$work/run.xml"
valid "$work/run.xml"
measured=$(awk '$1 == "FAIL" && $2 == "p50<1us" { print $4 }' "$work/out")
[[ -n $measured ]] || { cat "$work/out" >&2; fail "the text report shows no failing p50 gate"; }
[[ $(count "$work/run.xml" 'string(//testcase[@name="p50<1us"]/failure/@message)') == "measured $measured ms" ]] ||
    { cat "$work/run.xml" >&2; fail "the failing gate's message lacks 'measured $measured ms'"; }
[[ $(count "$work/run.xml" 'count(//testcase[@name="committed>0"][not(failure)])') == 1 ]] ||
    fail "the passing gate is not a passing case"
# Six invariants: the ledger's two parts checked (--ledger), the auditor skipped.
[[ $(count "$work/run.xml" 'string(//testsuite[@name="txstorm run: invariants"]/@tests)') == 6 ]] ||
    fail "not six invariant cases"
[[ $(count "$work/run.xml" 'count(//testcase[failure])') == 1 ]] || fail "not one failure"
[[ $(count "$work/run.xml" 'string(/testsuites/@failures)') == 1 ]] || fail "testsuites counts no failure"
[[ $(count "$work/run.xml" 'count(//testcase[@name="ledger: acknowledged transfers"][not(*)])') == 1 ]] ||
    fail "the ledger's transfers are not a passing case"
[[ $(count "$work/run.xml" 'string(//testcase[@name="auditor"]/skipped)') == *--audit-every* ]] ||
    fail "the auditor is not skipped with its reason"

# check: the invariants only, and its exit code unchanged.
expect_exit 0 "$txstorm" check --ledger --result "$work/run.json" --junit "$work/check.xml"
valid "$work/check.xml"
[[ $(count "$work/check.xml" 'count(//testcase)') == 6 &&
   $(count "$work/check.xml" 'count(//testcase[failure or error])') == 0 ]] ||
    { cat "$work/check.xml" >&2; fail "check's cases"; }

# report and merge: the saved check and new gates.
expect_exit 0 "$txstorm" report "$work/run.json" --assert 'failed_rate<=1' --junit "$work/report.xml"
valid "$work/report.xml"
[[ $(count "$work/report.xml" 'string(//testsuite[@name="txstorm report: assertions"]/@tests)') == 1 ]] ||
    fail "report's gate is not a case"
expect_exit 4 "$txstorm" merge "$work/run.json" --assert 'tps>1000000000' --junit "$work/merge.xml"
valid "$work/merge.xml"
assert_in "$work/merge.xml" 'message="measured '

# A violated invariant is a failure with its figures.
sql "UPDATE accounts SET balance = balance + 7 WHERE id = 1"
expect_exit 1 "$txstorm" check --junit "$work/bad.xml"
valid "$work/bad.xml"
[[ $(count "$work/bad.xml" 'string(//testcase[@name="conservation (total)"]/failure/@message)') == *"(off by +7)" ]] ||
    { cat "$work/bad.xml" >&2; fail "the conservation failure lacks its figure"; }

# Bad paths: one line, exit 2, before any work, and nothing replaced.
mkdir "$work/adir"
expect_exit 2 "$txstorm" run --workers 2 --duration 1h --junit "$work/adir"
assert_one_line_stderr
assert_in "$work/err" "--junit"
[[ ! -s $work/out ]] || fail "the run started before its --junit was refused"
expect_exit 2 "$txstorm" check --junit "$work/nowhere/check.xml"
assert_one_line_stderr
cp "$work/run.json" "$work/run.orig"
expect_exit 2 "$txstorm" report "$work/run.json" --junit "$work/run.json"
assert_one_line_stderr
assert_in "$work/err" "would overwrite the input"
cmp -s "$work/run.json" "$work/run.orig" || fail "the input was replaced"
cp "$work/report.xml" "$work/report.orig"
expect_exit 2 "$txstorm" report "$work/run.json" --hgrm "$work/report.xml" --junit "$work/report.xml"
assert_one_line_stderr
cmp -s "$work/report.xml" "$work/report.orig" || fail "an output named twice was replaced"
# A device that refuses the bytes: one line, exit 2, and the XML saved in the working
# directory instead.
(cd "$work" && expect_exit 2 "$txstorm" report "$work/run.json" --junit /dev/full)
assert_one_line_stderr
assert_in "$work/err" "cannot write /dev/full: No space left on device; written to $work/txstorm-saved-"
valid "$(sed -n 's/.*; written to \(.*\) instead$/\1/p' "$work/err")"
ls "$work" | grep -q '\.tmp\.' && fail "a temporary file was left behind"
echo "junit: ok"
