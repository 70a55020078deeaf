#!/usr/bin/env bash
# Starts PgBouncer in transaction mode (what Supabase's pooler on port 6543 is) in front of a local PostgreSQL, for
# the integration suites' pooler run (`npm run test:integration:pooler`, docs/prod-parity-audit.md). Not the Debian
# service: a throwaway config in a temp directory, any database name passed through to the server, trust auth on
# loopback only. Idempotent: does nothing when something already answers on the port.
#   scripts/ci/pgbouncer.sh [listen_port] [server_host] [server_port]
set -euo pipefail

port="${1:-6432}" server_host="${2:-127.0.0.1}" server_port="${3:-5432}"

if ! command -v pgbouncer >/dev/null 2>&1; then
  echo "pgbouncer is not installed" >&2
  exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "something already listens on 127.0.0.1:$port: assuming it is PgBouncer"
  exit 0
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/slotbook-pgbouncer.XXXXXX")"
cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$server_host port=$server_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
max_db_connections = 40
server_idle_timeout = 30
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
printf '"postgres" ""\n' >"$dir/userlist.txt"

# PgBouncer refuses to run as root: drop to the postgres user (or nobody) when started by root.
if [ "$(id -u)" -eq 0 ]; then
  user=postgres
  id -u "$user" >/dev/null 2>&1 || user=nobody
  chown -R "$user" "$dir"
  pgbouncer -d -u "$user" "$dir/pgbouncer.ini"
else
  pgbouncer -d "$dir/pgbouncer.ini"
fi

for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "PgBouncer (transaction mode) on 127.0.0.1:$port -> $server_host:$server_port (config and log in $dir)"
    exit 0
  fi
  sleep 0.1
done
echo "PgBouncer did not start; its log:" >&2
cat "$dir/pgbouncer.log" >&2 || true
exit 1
