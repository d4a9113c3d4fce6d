#!/usr/bin/env bash
# txstorm's interval log read by an independent implementation: hlog_sample
# writes a log of known histograms and says what they hold; hdr-histogram-js's
# HistogramLogReader must find the same counts, percentiles, max, min and
# timestamps. Needs no server. usage: hdr_interop.sh PATH_TO_hlog_sample
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sample=${1:?usage: hdr_interop.sh PATH_TO_hlog_sample}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

modules=$("$root/scripts/hdr-js") || fail "no hdr-histogram-js to read the log with"
"$sample" "$work/sample.hlog" >"$work/expected.json" || fail "hlog_sample failed"
node "$root/tests/integration/hdr_interop.js" "$modules" "$work/sample.hlog" \
    "$work/expected.json" || {
    head -c 2000 "$work/sample.hlog" >&2
    fail "hdr-histogram-js reads txstorm's interval log differently"
}
