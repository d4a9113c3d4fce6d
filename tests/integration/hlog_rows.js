// Reads a result's interval log (--hlog) with hdr-histogram-js and checks it
// against the result's own measured rows: one interval each, with the row's
// start, commits and p99. usage: node hlog_rows.js NODE_MODULES LOG ROWS_JSON
"use strict";
const fs = require("fs");
const [modules, logPath, rowsPath] = process.argv.slice(2);
const { HistogramLogReader } = require(modules + "/hdr-histogram-js");
const reader = new HistogramLogReader(fs.readFileSync(logPath, "utf8"), 64, false);
const rows = JSON.parse(fs.readFileSync(rowsPath, "utf8"));
const failures = [];
rows.forEach((r, i) => {
    const h = reader.nextIntervalHistogram();
    if (h === null) return failures.push(`row ${i}: no interval in the log`);
    if (h.totalCount !== r.committed)
        failures.push(`row ${i}: ${h.totalCount} values in the log, ${r.committed} commits`);
    if (r.committed > 0 && h.getValueAtPercentile(99) !== Math.round(r.p99_ms * 1000))
        failures.push(`row ${i}: p99 ${h.getValueAtPercentile(99)} us in the log, ${r.p99_ms} ms`);
    const start = r.origin_ms + (r.elapsed_s - r.interval_s) * 1000;
    // The log keeps milliseconds: its start time and each row's offset, each rounded.
    if (Math.abs(h.startTimeStampMsec - start) > 2)
        failures.push(`row ${i}: starts at ${h.startTimeStampMsec} ms in the log, ${start} ms`);
});
if (reader.nextIntervalHistogram() !== null) failures.push("more intervals than rows");
if (failures.length) {
    console.error(failures.join("\n"));
    process.exit(1);
}
console.log(`hlog_rows: ${rows.length} intervals agree`);
