#!/usr/bin/env bash
# TLS: a server with a certificate from a CA made here; sslmode=verify-full with
# that CA connects, with another CA it fails clearly.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || fail "openssl is needed (scripts/deps installs it)"
own_server
pki=$work/pki
mkdir -p "$pki"
subj() { openssl req -new -nodes -newkey rsa:2048 -keyout "$pki/$1.key" -subj "/CN=$2" \
    -out "$pki/$1.csr" 2>/dev/null; }
openssl req -x509 -new -nodes -newkey rsa:2048 -days 2 -subj "/CN=txstorm test CA" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
openssl req -x509 -new -nodes -newkey rsa:2048 -days 2 -subj "/CN=another CA" \
    -keyout "$pki/other.key" -out "$pki/other.crt" 2>/dev/null
subj server 127.0.0.1
printf 'subjectAltName=IP:127.0.0.1\n' >"$pki/san.ext"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 2 -extfile "$pki/san.ext" -out "$pki/server.crt" 2>/dev/null
cp "$pki/server.crt" "$pki/server.key" "$OWN/data/"
owner=$(stat -c %U "$OWN/data")
chown "$owner" "$OWN/data/server.crt" "$OWN/data/server.key"
chmod 600 "$OWN/data/server.key"
printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >>"$OWN/data/postgresql.conf"
"$root/scripts/pg" ctl "$OWN" restart -w -l "$OWN/server.log" >/dev/null

tls="$DSN?sslmode=verify-full&sslrootcert=$pki/ca.crt"
expect_exit 0 "$txstorm" init --db "$tls" --accounts 20
expect_exit 0 "$txstorm" run --db "$tls" --workers 2 --transactions 50 --progress-every 0
assert_in "$work/out" "sslmode=verify-full"
assert_in "$work/out" "check: PASS"
[[ $(psql "$tls" -X -At -c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") == t ]] ||
    fail "the connection is not encrypted"

expect_exit 3 "$txstorm" check --db "$DSN?sslmode=verify-full&sslrootcert=$pki/other.crt"
assert_one_line_stderr
assert_in "$work/err" "certificate verify failed"
assert_not_in "$work/err" "$TXSTORM_TEST_PASSWORD"
