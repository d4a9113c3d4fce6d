#!/usr/bin/env bash
# Through a real pgbouncer in transaction mode (1.18: no prepared statements): the default
# prepared mode fails (26000 or 42P05) and says to use --query-mode extended; extended
# commits and the check passes.
source "$(dirname "$0")/lib.sh"
[[ -x /usr/sbin/pgbouncer ]] || { echo "SKIP: no /usr/sbin/pgbouncer"; exit 0; }
own_server
expect_exit 0 "$txstorm" init --accounts 100

bouncer=$work/bouncer
mkdir -m 755 "$bouncer"
port=$(shuf -i 20000-59999 -n 1)
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$(shuf -i 20000-59999 -n 1); done
echo '"txstorm" ""' >"$bouncer/userlist.txt"
cat >"$bouncer/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PGPORT user=txstorm password=$TXSTORM_TEST_PASSWORD
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $bouncer/userlist.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 50
logfile = $bouncer/pgbouncer.log
pidfile = $bouncer/pgbouncer.pid
INI
# pgbouncer refuses to run as root: it runs as the server's user.
owner=$(stat -c %U "$OWN/data")
((EUID == 0)) && chown -R "$owner" "$bouncer"
as_owner() { if ((EUID == 0)); then runuser -u "$owner" -- "$@"; else "$@"; fi; }
as_owner /usr/sbin/pgbouncer -d "$bouncer/pgbouncer.ini" || fail "pgbouncer did not start"
trap 'kill "$(cat "$bouncer/pgbouncer.pid")" 2>/dev/null; "$root/scripts/pg" destroy "$OWN"; rm -rf "$work"' EXIT
BOUNCED="postgresql://txstorm@127.0.0.1:$port/postgres"
for _ in $(seq 50); do psql -X -q -d "$BOUNCED" -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done

# Prepared: each transaction may land on a server session that never saw the statements
# (26000), or already holds another client's (42P05, when preparing): the one line says
# what to do.
expect_exit 3 "$txstorm" run --db "$BOUNCED" --workers 6 --hot 50 --duration 2s \
    --progress-every 0
assert_in "$work/err" "use --query-mode extended"
assert_match "$work/err" 'prepared statement "txstorm_[a-z_]+" (already exists|does not exist)'

# Extended: unnamed statements pass through.
expect_exit 0 "$txstorm" run --db "$BOUNCED" --query-mode extended --ledger --workers 6 \
    --hot 50 --duration 2s --progress-every 0 --json "$work/extended.json"
jq -e '.committed > 0 and .check.ok and .check.ledger.ok and .errors_by_class.other == 0' \
    "$work/extended.json" >/dev/null ||
    fail "extended: $(jq -c '{committed, check: .check.ok, errors_by_class}' "$work/extended.json")"
