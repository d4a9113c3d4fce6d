#!/usr/bin/env bash
# The CI job of docs/ci.md, as written: the shell of its steps marked "# ci-test"
# runs against the suite's server (in place of the job's service container);
# it must exit 0, leave the artifacts the job keeps, and a valid JUnit file.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_ci_job
fresh_db $DB_NAME
xsd=$("$root/scripts/junit-xsd") || fail "no JUnit schema to validate against"

# The fenced block after the marker in docs/ci.md.
awk '/<!-- ci-job:/ { found = 1; next }
     found && /^```yaml$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$root/docs/ci.md" >"$work/job.yml"
[[ -s $work/job.yml ]] || fail "docs/ci.md has no CI job after its <!-- ci-job: --> marker"

# Each `run: |` block whose first line is "# ci-test", dedented, into steps/N.sh.
mkdir "$work/steps"
awk -v dir="$work/steps" '
    function flush() { if (file != "") close(file); file = ""; indent = -1 }
    {
        match($0, /^ */); ind = RLENGTH
        if (inblock && $0 !~ /^ *$/ && ind <= key) { inblock = 0; flush() }
        if (inblock) {
            if (indent < 0) {
                indent = ind
                if (substr($0, ind + 1) != "# ci-test") { inblock = 0; flush(); next }
                file = sprintf("%s/%02d.sh", dir, ++n)
            }
            print substr($0, indent + 1) > file
            next
        }
        if ($0 ~ /^ *(- )?run: \|$/) { inblock = 1; key = ind; indent = -1 }
    }' "$work/job.yml"
n=$(ls "$work/steps" | wc -l)
((n == 2)) || fail "expected the 2 steps marked # ci-test (init, run), found $n"
assert_in "$work/steps/01.sh" "txstorm init"
assert_in "$work/steps/02.sh" "--junit"

# The job's checkout: txstorm built in ./build; its environment: the server.
mkdir "$work/repo"
ln -s "$build" "$work/repo/build"
for step in "$work"/steps/*.sh; do
    rc=0
    (cd "$work/repo" && DATABASE_URL=$DSN bash --noprofile --norc -eo pipefail "$step") \
        >"$work/step.out" 2>"$work/step.err" || rc=$?
    ((rc == 0)) || { cat "$step" "$work/step.out" "$work/step.err" >&2; fail "$(basename "$step") exited $rc"; }
done

# What the job keeps: the path its upload step names.
kept=$(awk '/uses: actions\/upload-artifact/ { up = 1 } up && /path:/ { print $2; exit }' "$work/job.yml")
[[ -n $kept ]] || fail "the job keeps no artifacts"
[[ -s $work/repo/$kept/junit.xml && -s $work/repo/$kept/run.json ]] ||
    fail "the kept $kept lacks junit.xml or run.json: $(ls "$work/repo/$kept" 2>&1)"
xmllint --noout --schema "$xsd" "$work/repo/$kept/junit.xml" 2>"$work/xmllint.err" ||
    { cat "$work/repo/$kept/junit.xml" "$work/xmllint.err" >&2; fail "the job's JUnit file is not valid"; }
xml=$work/repo/$kept/junit.xml
[[ $(xmllint --xpath 'count(//testcase)' "$xml") == 8 &&
   $(xmllint --xpath 'count(//testcase[failure or error])' "$xml") == 0 &&
   $(xmllint --xpath 'count(//testcase[@name="ledger: acknowledged transfers"][not(*)])' "$xml") == 1 ]] ||
    { cat "$xml" >&2; fail "the job's JUnit file: not 6 invariants and 2 gates, all passing"; }
echo "ci_job: ok"
