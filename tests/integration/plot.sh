#!/usr/bin/env bash
# txstorm plot as a person sees it: three results (a closed-loop run, an open-loop
# run over two endpoints whose sessions a trigger ends (so its workers reconnect), and a copy of the first with triggers, phases and a
# failover window added by hand) drawn into one page, which headless Chromium
# opens offline: every chart drawn, no console error, a screenshot taken.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_plot
fresh_db $DB_NAME
expect_exit 0 "$txstorm" init --db "$DSN" --accounts 50

expect_exit 0 "$txstorm" run --db "$DSN" --workers 6 --hot 3 --duration 2s --progress-every 250ms \
    --ledger --json "$work/closed.json"
expect_exit 0 "$txstorm" run --db "$DSN" --db "$DSN" --workers 4 --hot 20 --backoff none \
    --duration 2s --rate 200 --progress-every 250ms --trigger terminate@1s:1 \
    --json "$work/open.json"
jq -e '.intervals | length > 4 and all(.[]; .retries_by_class | type == "object")' \
    "$work/closed.json" >/dev/null || fail "interval rows without retries_by_class"

# The hand-edited fixture: its name is markup and a quote, its windows named too (written
# by hand, not by txstorm, so it claims no result format the schema would hold it to).
fixture="$work/it's <b>edited.json"
jq 'del(.format_version) | .triggers = [{"kind": "kill <primary>", "start_s": 0.5, "end_s": 0.9}]
    | .phases = [{"name": "ramp", "start_s": 0, "end_s": 1}, {"name": "steady", "start_s": 1, "end_s": null}]
    | .intervals |= map(. + {phase: (if .elapsed_s <= 1 then "ramp" else "steady" end)})
    | .failover = {"outages": 1, "unavailable_s": 0.4,
        "longest": {"first_loss_s": 1.2, "last_commit_before_s": 1.1, "first_commit_after_s": 1.5,
                    "window_s": 0.4, "workers_affected": 6, "ambiguous": 0}}' \
    "$work/closed.json" >"$fixture"

# No gnuplot: one line, exit 6, nothing written.
PATH=/nonexistent expect_exit 6 "$txstorm" plot "$work/closed.json" --html "$work/none.html"
assert_one_line_stderr
assert_in "$work/err" "gnuplot not found"
[[ ! -e $work/none.html ]] || fail "a page was written without gnuplot"
# gnuplot failing: its last line, exit 6, nothing written, its temporary files gone.
mkdir -p "$work/fakebin" "$work/tmp"
printf '#!/bin/sh\necho "line 3: boom" >&2\nexit 1\n' >"$work/fakebin/gnuplot"
chmod +x "$work/fakebin/gnuplot"
PATH="$work/fakebin:$PATH" TMPDIR="$work/tmp" expect_exit 6 "$txstorm" plot "$work/closed.json" \
    --html "$work/none.html"
assert_one_line_stderr
assert_in "$work/err" 'gnuplot failed: line 3: boom'
[[ ! -e $work/none.html ]] || fail "a page was written though gnuplot failed"
[[ -z $(ls -A "$work/tmp") ]] || fail "temporary files left: $(ls -R "$work/tmp")"
# Interrupted while gnuplot draws (SIGTERM, and SIGINT as a terminal sends it): gnuplot is
# stopped, its temporary directory removed, nothing written, and plot ends by the signal.
mkdir -p "$work/slowbin"
printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 300\n' "$work/gnuplot.pid" >"$work/slowbin/gnuplot"
chmod +x "$work/slowbin/gnuplot"
for sig in TERM INT; do
    rm -f "$work/gnuplot.pid"
    set -m # a job of its own process group, where SIGINT is not ignored
    PATH="$work/slowbin:$PATH" TMPDIR="$work/tmp" "$txstorm" plot "$work/closed.json" \
        --html "$work/none.html" >"$work/out" 2>"$work/err" &
    pid=$!
    set +m
    for _ in $(seq 600); do [[ -s $work/gnuplot.pid ]] && break; sleep 0.05; done
    [[ -s $work/gnuplot.pid ]] || fail "gnuplot was not started"
    kill -"$sig" "$pid"
    rc=0
    wait "$pid" || rc=$?
    gnuplot_pid=$(cat "$work/gnuplot.pid")
    if kill -0 "$gnuplot_pid" 2>/dev/null; then
        kill "$gnuplot_pid"
        fail "SIG$sig left gnuplot running"
    fi
    ((rc == 128 + $(kill -l "$sig"))) || fail "plot exited $rc after SIG$sig: $(cat "$work/err")"
    [[ -z $(ls -A "$work/tmp") ]] || fail "SIG$sig left temporary files: $(ls -R "$work/tmp")"
    [[ ! -e $work/none.html ]] || fail "a page was written though plot was interrupted"
done
# Bad input: no --html, a file that is no result.
expect_exit 2 "$txstorm" plot "$work/closed.json"
assert_one_line_stderr
echo '{"tool": "txstorm"}' >"$work/bad.json"
expect_exit 2 "$txstorm" plot "$work/bad.json" --html "$work/bad.html"
assert_one_line_stderr

page=$work/page.html
expect_exit 0 "$txstorm" plot "$work/closed.json" "$work/open.json" "$fixture" --html "$page"
[[ ! -s $work/out && ! -s $work/err ]] || fail "plot printed: $(cat "$work/out" "$work/err")"
# Offline: nothing is fetched (the only URLs are SVG's namespace names).
if grep -oE "(src|href)=[\"'](https?:)?//[^\"']*" "$page" | grep -q .; then
    fail "the page fetches: $(grep -oE "(src|href)=[\"'](https?:)?//[^\"']*" "$page" | head -3)"
fi
# page_has TEXT: the page holds TEXT (quietly: the page is large).
page_has() { grep -qF -- "$1" "$page" || fail "the page lacks '$1'"; }
# The windows: the fixture's trigger (orange), phases (named) and failover (red).
page_has "fill = 'rgb(255, 127,  14)'"
page_has "fill = 'rgb(214,  39,  40)'"
page_has "<text>steady</text>"
page_has "<text>kill &lt;primary>"
# Per endpoint, and one colour per result in the same order everywhere.
page_has "<text>open.json endpoint 2</text>"
page_has "border-color:#009e73"
page_has "stroke='rgb(  0, 158, 115)'"
# The reconnects after the trigger: attempts, connects, failures, and the workers connected.
page_has "<text>open.json attempts</text>"
page_has "<text>open.json workers connected</text>"
page_has ">workers connected</text>"

# Two results of one file name: labelled by as much of their path as tells them apart;
# --label names the result before it, and two of one name are refused.
mkdir -p "$work/a" "$work/b"
cp "$work/closed.json" "$work/a/run.json"
cp "$work/open.json" "$work/b/run.json"
expect_exit 0 "$txstorm" plot "$work/a/run.json" "$work/b/run.json" --html "$work/same.html"
grep -qF "<text>a/run.json</text>" "$work/same.html" || fail "no label a/run.json"
grep -qF "<text>b/run.json endpoint 2</text>" "$work/same.html" || fail "no label b/run.json"
! grep -qF "run.jsonrun.json" "$work/same.html" || fail "labels run together"
expect_exit 0 "$txstorm" plot "$work/a/run.json" --label before "$work/b/run.json" --label after \
    --html "$work/labelled.html"
grep -qF "<text>after endpoint 2</text>" "$work/labelled.html" || fail "--label not used"
grep -qF "<text>before</text>" "$work/labelled.html" || fail "--label not used"
expect_exit 2 "$txstorm" plot "$work/a/run.json" --label x "$work/b/run.json" --label x \
    --html "$work/twice.html"
assert_one_line_stderr
assert_in "$work/err" "--label 'x' names two results (1 and 2)"
expect_exit 2 "$txstorm" plot --label x "$work/a/run.json" --html "$work/first.html"
assert_in "$work/err" "--label: names the RESULT.json before it"
# A label gnuplot would misread in either kind of quotes: a quote first, two side by side,
# a backquote (a shell command in double quotes), an @ (a macro), a backslash.
odd="'q''\`echo hi\`@x\\.json"
cp "$work/closed.json" "$work/$odd"
expect_exit 0 "$txstorm" plot "$work/$odd" --html "$work/odd.html"
grep -qF "<text>$odd</text>" "$work/odd.html" || fail "the label $odd did not reach the chart"

# The browser, as a user that is not root (root gets a user of no privilege).
browse=$work/browser
mkdir -p "$browse"
cp "$page" "$browse/page.html"
unprivileged "$browse" "$browse/page.html"
rc=0
(cd / && "${as_user[@]}" env HOME="$browse" DBUS_SESSION_BUS_ADDRESS=disabled: \
    timeout 100 chromium --headless --disable-gpu --no-first-run --disable-extensions \
    --disable-background-networking --disable-sync --user-data-dir="$browse/profile" \
    --enable-logging=stderr --v=0 --window-size=1100,4200 --screenshot="$browse/shot.png" \
    --dump-dom "file://$browse/page.html") >"$work/dom.html" 2>"$work/chromium.err" || rc=$?
((rc == 0)) || { tail -20 "$work/chromium.err" >&2; fail "chromium exited $rc"; }

# Every chart laid out with lines in it, as the page's own count says.
figures=$(grep -o '<figure class="chart"' "$work/dom.html" | wc -l)
((figures == 9)) || fail "the page has $figures charts, expected 9"
drawn=$(grep -oE 'data-drawn="[0-9]+"' "$work/dom.html" | grep -cv 'data-drawn="0"' || true)
((drawn == figures)) || fail "$drawn of $figures charts have drawn lines: $(grep -oE 'id="chart[0-9]+" data-drawn="[0-9]+"' "$work/dom.html")"
assert_in "$work/dom.html" "9 of 9 charts drawn"
# The label's markup stayed text.
if grep -q "<b>edited" "$work/dom.html"; then fail "a result's name became markup"; fi
page_has "it&apos;s &lt;b&gt;edited.json"
assert_in "$work/dom.html" "it's &lt;b&gt;edited.json"
# No console message at all: no error, no warning.
if grep -E "CONSOLE|Uncaught" "$work/chromium.err"; then fail "the page logged to the console"; fi
# A screenshot: a PNG of some substance.
[[ $(head -c 8 "$browse/shot.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
    fail "no PNG screenshot"
(($(stat -c %s "$browse/shot.png") > 50000)) || fail "the screenshot is nearly empty"
