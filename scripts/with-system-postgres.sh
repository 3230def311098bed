#!/usr/bin/env bash
# Run a command against a throwaway cluster of a system PostgreSQL: private socket, no TCP,
# removed afterwards. Usage: with-system-postgres.sh BINDIR COMMAND...
set -euo pipefail
bindir=$1; shift
[ -x "$bindir/pg_ctl" ] || { echo "no PostgreSQL server binaries in $bindir" >&2; exit 1; }
# In memory when /dev/shm has room (4 GB), as the suites' own server (tests/conftest.py).
parent=/tmp
if [ -d /dev/shm ] && [ "$(df --output=avail -k /dev/shm | tail -1)" -ge 4194304 ]; then parent=/dev/shm; fi
dir=$(mktemp -d "$parent/sa-syspg-XXXXXX")
owner=$(id -un)
as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: use the unprivileged account the embedded server uses.
  owner=embedded_postgres
  id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  chown "$owner" "$dir"; chmod 755 "$dir"
  as_owner() { runuser -u "$owner" -- "$@"; }
fi
cleanup() { as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# The embedded server's settings (db/embedded.py): JIT off above all, or the suites' own plain
# SQL oracles (owner connections, outside the request path that turns it off) get compiled.
# Like the suites' own embedded server (tests/conftest.py), a throwaway cluster that nothing
# crashes: commits and checkpoints do not wait for the disk.
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-k $dir -c listen_addresses='' -c shared_buffers=512MB -c work_mem=32MB -c maintenance_work_mem=256MB \
  -c max_connections=200 -c jit=off -c fsync=off -c synchronous_commit=off" start >/dev/null
echo "system PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on socket $dir"
export SUPPORT_ANALYTICS_TEST_SERVER_URL="postgresql://postgres@/postgres?host=$dir"
"$@"
