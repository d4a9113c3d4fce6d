// Reads an interval log with hdr-histogram-js's HistogramLogReader and checks
// each interval against what txstorm says it wrote (hlog_sample's JSON).
// usage: node hdr_interop.js NODE_MODULES LOG EXPECTED_JSON
"use strict";
const fs = require("fs");
const [modules, logPath, expectedPath] = process.argv.slice(2);
const { HistogramLogReader } = require(modules + "/hdr-histogram-js");
const log = fs.readFileSync(logPath, "utf8");
const expected = JSON.parse(fs.readFileSync(expectedPath, "utf8"));

const failures = [];
const check = (what, got, want, ok = got === want) => {
    if (!ok) failures.push(`${what}: hdr-histogram-js has ${got}, txstorm wrote ${want}`);
};

// The reader's default counts (32-bit, no WebAssembly) and 64-bit ones. Not
// "packed": in 3.0.1 it miscounts at 5 significant figures even for
// histograms hdr-histogram-js encoded itself.
for (const bits of [undefined, 64]) {
    const reader = bits === undefined ? new HistogramLogReader(log)
                                      : new HistogramLogReader(log, bits, false);
    const name = `bitBucketSize ${bits === undefined ? "default" : bits}`;
    for (let i = 0; i < expected.length; i++) {
        const e = expected[i], h = reader.nextIntervalHistogram();
        const at = `${name}, interval ${i}`;
        if (h === null) {
            failures.push(`${at}: missing`);
            break;
        }
        check(`${at} start ms`, h.startTimeStampMsec, e.start_ms,
              Math.abs(h.startTimeStampMsec - e.start_ms) < 0.5);
        check(`${at} end ms`, h.endTimeStampMsec, e.end_ms,
              Math.abs(h.endTimeStampMsec - e.end_ms) < 0.5);
        check(`${at} significant figures`, h.numberOfSignificantValueDigits, e.sig_figs);
        check(`${at} total count`, h.totalCount, e.count);
        for (const [key, p] of [["p50", 50], ["p90", 90], ["p99", 99], ["p99_9", 99.9],
                                ["p100", 100]])
            check(`${at} ${key}`, h.getValueAtPercentile(p), e[key]);
        check(`${at} max`, h.maxValue, e.max);
        if (e.min_non_zero > 0) check(`${at} min non-zero`, h.minNonZeroValue, e.min_non_zero);
        // The mean from bucket midpoints: within the buckets' precision.
        check(`${at} mean`, h.mean, e.mean,
              Math.abs(h.mean - e.mean) <= e.mean * Math.pow(10, -e.sig_figs));
    }
    const extra = reader.nextIntervalHistogram();
    if (extra !== null) failures.push(`${name}: an interval more than txstorm wrote`);
}

if (failures.length) {
    console.error(failures.join("\n"));
    process.exit(1);
}
const summary = expected.map((e) => `${e.count}@${e.p99}`).join(" ");
console.log(`hdr_interop: ${expected.length} intervals x 2 readers agree (count@p99: ${summary})`);
