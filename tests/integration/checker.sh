#!/usr/bin/env bash
# The checker fails when it should: one test per anomaly, each exiting 1 and
# naming the invariant and the amount; and the ledger passes when all is well.
source "$(dirname "$0")/lib.sh"
DB_NAME=t_checker
fresh_db $DB_NAME
export DATABASE_URL=$DSN

# --- Lost update: absolute writes under READ COMMITTED lose money; SERIALIZABLE does not.
expect_exit 0 "$txstorm" init --accounts 100 --balance 1000
expect_exit 1 "$txstorm" run --isolation read-committed --write-mode absolute --hot 5 \
    --workers 8 --duration 2s --progress-every 0
assert_match "$work/out" "conservation \(total\) +FAIL +100000 +[0-9]+ +off by [+-][0-9]+"
expect_exit 0 "$txstorm" init --drop --accounts 100 --balance 1000
expect_exit 0 "$txstorm" run --isolation serializable --write-mode absolute --hot 5 \
    --workers 8 --duration 2s --progress-every 0
assert_in "$work/out" "check: PASS"

# --- Overdraft: the interactive shape's funds check under READ COMMITTED reads a balance
# that another transfer debits before this one does. Built so that it is no race: only
# account 1 can pay (200, account 2 has 0), each of 8 workers makes one transfer of 200
# between the two, and seed 1 sends three of them from account 1; all three read 200
# together, 600 ms (three think pauses) before the first can commit, so at least two pay.
overdraft_bank() {
    expect_exit 0 "$txstorm" init --drop --accounts 10 --balance 100
    sql "UPDATE accounts SET balance = CASE id WHEN 1 THEN 200 ELSE 0 END WHERE id IN (1, 2)"
}
overdraft_run() { # overdraft_run EXIT ISOLATION [FLAGS...]
    local want=$1 iso=$2
    shift 2
    expect_exit "$want" "$txstorm" run --isolation "$iso" --hot 2 --amount 200 --workers 8 \
        --transactions 8 --think-time 200ms --lock-order ordered --seed 1 --progress-every 0 \
        --json "$work/overdraft.json" "$@"
}
warning="txstorm: warning: --shape interactive under --isolation read-committed can overdraw an account"
overdraft_bank
overdraft_run 1 read-committed
assert_match "$work/out" "no overdraft \(negatives\) +FAIL +0 +1\$"
assert_in "$work/out" "conservation (total)         PASS"
assert_in "$work/err" "$warning"
[[ $(wc -l <"$work/err") == 1 ]] || fail "more than the warning on stderr: $(cat "$work/err")"
jq -e '.check.negative_accounts == 1 and .check.total_ok and .committed >= 2' \
    "$work/overdraft.json" >/dev/null || fail "overdraft: $(jq -c '{committed, check}' "$work/overdraft.json")"
[[ $(sql "SELECT balance < 0 FROM accounts WHERE id = 1") == t ]] || fail "account 1 is not overdrawn"
# Accepted: the same overdraft, no warning, exit 0 (relative writes conserve the total).
overdraft_bank
overdraft_run 0 read-committed --allow-overdraft
assert_match "$work/out" "no overdraft \(negatives\) +allowed +0 +1\$"
assert_not_in "$work/err" "warning"
# REPEATABLE READ refuses the second debit of a changed row (40001); its retry reads 0.
overdraft_bank
overdraft_run 0 repeatable-read
assert_in "$work/out" "check: PASS"
assert_not_in "$work/err" "warning"
jq -e '.committed >= 1 and .retries_by_class.serialization >= 1' "$work/overdraft.json" >/dev/null ||
    fail "repeatable read: $(jq -c '{committed, retries_by_class}' "$work/overdraft.json")"
# FOR UPDATE reads the newest balance and holds it: safe under READ COMMITTED.
overdraft_bank
overdraft_run 0 read-committed --shape for-update
assert_in "$work/out" "check: PASS"
assert_not_in "$work/err" "warning"

# --- A clean ledger run passes every invariant, at the end and standalone. The lock order
# is fixed: two hot accounts in random order deadlock so often that a busy machine committed
# 15 transfers in the 2 s (fewer than the 25 the listing below removes); ordered, thousands,
# and with no retry, many serialization failures for the ledger's failed rows.
expect_exit 0 "$txstorm" init --drop --accounts 100 --balance 1000
expect_exit 0 "$txstorm" run --ledger --hot 2 --lock-order ordered --max-retries 0 --workers 4 --duration 2s \
    --progress-every 0 --json "$work/l.json" --audit-every 50ms
assert_in "$work/out" "balances = ledger            PASS"
assert_in "$work/out" "ledger: acknowledged found   PASS"
assert_in "$work/out" "ledger: nothing invented     PASS"
assert_in "$work/out" "auditor readings             PASS"
jq -e '.check.ledger.ok and .check.ledger.acked == .committed and .check.ledger.lost == 0
       and .check.auditor.readings >= 10 and .ledger.failed > 0
       and ([.ledger.workers[].n] | add) == .committed + .failed + .insufficient + .ambiguous' \
    "$work/l.json" >/dev/null || fail "ledger run: $(jq -c '{committed, failed, c: .check.ledger}' "$work/l.json")"
[[ $(sql "SELECT count(*) FROM transfers") == $(jq .committed "$work/l.json") ]] ||
    fail "one ledger row per committed transfer"
expect_exit 0 "$txstorm" check --ledger --result "$work/l.json"
# One result given twice would count its transfers twice: refused, in check, merge
# and compare alike, also under another name.
cp "$work/l.json" "$work/l-copy.json"
expect_exit 2 "$txstorm" check --ledger --result "$work/l.json" --result "$work/l-copy.json"
assert_one_line_stderr
assert_in "$work/err" "hold the same record"
expect_exit 2 "$txstorm" merge "$work/l.json" "$work/l-copy.json"
assert_one_line_stderr
assert_in "$work/err" "are the same run"
expect_exit 2 "$txstorm" compare "$work/l.json" "$work/l-copy.json"
assert_one_line_stderr
assert_in "$work/err" "are the same run"
run_id=$(jq -r .ledger.run_id "$work/l.json")

# --- A ledger row removed after the run: an acknowledged transfer is lost.
lost_id=$(sql "SELECT transfer_id FROM transfers ORDER BY transfer_id LIMIT 1")
sql "CREATE TABLE kept AS SELECT * FROM transfers WHERE transfer_id = $lost_id"
sql "DELETE FROM transfers WHERE transfer_id = $lost_id"
expect_exit 1 "$txstorm" check --ledger --result "$work/l.json"
assert_match "$work/out" "lost \(acknowledged, absent\) +0 +1 +e\.g\. transfer $lost_id\$"
sql "INSERT INTO transfers SELECT * FROM kept; DROP TABLE kept"
expect_exit 0 "$txstorm" check --ledger --result "$work/l.json"

# --- More lost than the text names: it says where the rest are, a file that exists (check
# --json writes it, the verdict as a run's result has it) or the flag that writes one.
(($(jq .committed "$work/l.json") > 25)) || fail "the ledger run committed $(jq .committed "$work/l.json"), not more than the 25 removed below"
sql "CREATE TABLE kept AS SELECT * FROM transfers ORDER BY transfer_id LIMIT 25"
sql "DELETE FROM transfers WHERE transfer_id IN (SELECT transfer_id FROM kept)"
expect_exit 1 "$txstorm" check --ledger --result "$work/l.json"
assert_in "$work/out" "... and 5 more (all in the JSON that \`txstorm check --json FILE\` writes: check.ledger.lost_transfers)"
expect_exit 1 "$txstorm" check --ledger --result "$work/l.json" --json "$work/check.json"
assert_in "$work/out" "... and 5 more (all in $work/check.json: check.ledger.lost_transfers)"
jq -e --arg r "$work/l.json" '.tool == "txstorm" and .kind == "check" and .results == [$r]
       and (.check.ok | not) and .check.ledger.lost == 25
       and (.check.ledger.lost_transfers | length) == 25' "$work/check.json" >/dev/null ||
    fail "check --json: $(jq -c '{kind, results, ok: .check.ok, lost: .check.ledger.lost}' "$work/check.json")"
[[ $(jq -r '.check.ledger.lost_transfers[].id' "$work/check.json" | sort -n) == \
   $(sql "SELECT transfer_id FROM kept ORDER BY transfer_id") ]] || fail "check --json names other transfers"
sql "INSERT INTO transfers SELECT * FROM kept; DROP TABLE kept"
expect_exit 0 "$txstorm" check --ledger --result "$work/l.json" --json "$work/check-ok.json"
jq -e '.check.ok and .check.ledger.lost == 0' "$work/check-ok.json" >/dev/null || fail "check --json when all holds"

# --- A ledger row for a transfer the tool saw fail: invented.
failed_id=$(jq '.ledger.failed_sample[0]' "$work/l.json")
sql "INSERT INTO transfers VALUES ($run_id, $failed_id, 1, 2, 0, 0, now())"
expect_exit 1 "$txstorm" check --ledger --result "$work/l.json"
assert_match "$work/out" "ledger: nothing invented +FAIL +0 +1 +\(1 of failed transfers, 0 unknown; e\.g\. transfer $failed_id\)"
sql "DELETE FROM transfers WHERE transfer_id = $failed_id"

# --- Money moved behind the ledger's back: the total holds, the balances do not.
sql "UPDATE accounts SET balance = balance - 30 WHERE id = 7; UPDATE accounts SET balance = balance + 30 WHERE id = 8"
expect_exit 1 "$txstorm" check --ledger
assert_in "$work/out" "conservation (total)         PASS"
assert_match "$work/out" "balances = ledger +FAIL +0 +2 +e\.g\. account 7: ledger says [0-9]+, balance [0-9]+"
sql "UPDATE accounts SET balance = balance + 30 WHERE id = 7; UPDATE accounts SET balance = balance - 30 WHERE id = 8"

# --- A duplicated (extra) account and a deleted one.
sql "INSERT INTO accounts VALUES (101, 0)"
expect_exit 1 "$txstorm" check
assert_match "$work/out" "accounts \(ids 1\.\.N\) +FAIL +100 +101 +ids 1\.\.101"
sql "DELETE FROM accounts WHERE id = 101"
expect_exit 0 "$txstorm" check --ledger

# --- Corruption in the middle of a run, undone before its end: only the auditor sees it.
mkfifo "$work/progress"
"$txstorm" run --workers 4 --hot 5 --duration 3s --audit-every 50ms --progress-every 100ms \
    --json "$work/a.json" >"$work/a.out" 2>"$work/progress" &
pid=$!
exec 3<"$work/progress"
for _ in 1 2; do IFS= read -r -t 30 _ <&3 || fail "no progress"; done
sql "UPDATE accounts SET balance = balance + 500 WHERE id = 90"
for _ in 1 2 3 4 5; do IFS= read -r -t 30 _ <&3 || fail "no progress"; done # 0.5 s of readings
sql "UPDATE accounts SET balance = balance - 500 WHERE id = 90"
cat <&3 >/dev/null &
rc=0
wait "$pid" || rc=$?
wait
((rc == 1)) || { cat "$work/a.out" >&2; fail "run with mid-run corruption exited $rc, expected 1"; }
assert_in "$work/a.out" "conservation (total)         PASS"
assert_in "$work/a.out" "auditor readings             FAIL"
grep -Eq "first  at +[0-9.]+ s: total 100500 \(off by \+500\)" "$work/a.out" ||
    fail "auditor did not report the first wrong reading: $(grep -A4 wrong-total "$work/a.out")"
jq -e '.check.auditor.wrong_total.count >= 3 and .check.auditor.wrong_total.first.total == 100500
       and ([.auditor_series[] | select(.ok | not)] | length) == .check.auditor.wrong_total.count' \
    "$work/a.json" >/dev/null || fail "auditor JSON: $(jq -c .check.auditor "$work/a.json")"

# --- A run without the ledger leaves the per-account invariant nothing to stand on.
expect_exit 0 "$txstorm" check --ledger
assert_in "$work/out" "balances = ledger            skipped"
# --- Overdrafts can be allowed.
# Account 3 overdrawn by 5, account 4 given the difference: the total holds.
sql "UPDATE accounts SET balance = CASE id WHEN 3 THEN -5
     ELSE balance + (SELECT balance + 5 FROM accounts WHERE id = 3) END WHERE id IN (3, 4)"
expect_exit 1 "$txstorm" check
assert_match "$work/out" "no overdraft \(negatives\) +FAIL +0 +1"
expect_exit 0 "$txstorm" check --allow-overdraft
assert_in "$work/out" "no overdraft (negatives)     allowed"

# --- The bank's identity. init --drop while a run holds the bank is refused, and
# the run's ledger stays whole; a result checked against a re-created bank says so.
expect_exit 0 "$txstorm" init --drop --accounts 100
start_run --workers 2 --duration 3s --ledger --json "$work/held.json"
expect_exit 2 "$txstorm" init --drop --accounts 100
assert_one_line_stderr
assert_in "$work/err" "a txstorm run is using this bank"
finish_run 0
assert_nothing_lost "$work/held.json"
jq -e '.config.bank_id == .ledger.bank_id and .ledger.bank_id != 0' "$work/held.json" >/dev/null ||
    fail "bank identity: $(jq -c '{c: .config.bank_id, l: .ledger.bank_id}' "$work/held.json")"
expect_exit 0 "$txstorm" check --ledger --result "$work/held.json"
expect_exit 0 "$txstorm" init --drop --accounts 100
expect_exit 2 "$txstorm" check --ledger --result "$work/held.json"
assert_one_line_stderr
assert_in "$work/err" "ran against another bank"
