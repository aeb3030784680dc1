#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server:
#
#   scripts/with-postgres.sh .venv/bin/pytest
#
# Creates a cluster in a fresh temporary directory (fsync off: it is thrown away), starts it on the
# first free port from $PGPORT (default 54330; 54329 is left to a developer's own server), creates
# the database ret_test, exports TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/ret_test
# and runs the command. The server is stopped and the directory removed when the command ends,
# fails or is interrupted. Exits with the command's exit status.
#
# The server binaries are taken from the PATH or else from the newest /usr/lib/postgresql/*/bin.
# initdb refuses to run as root, so as root the server runs as the `postgres` user (runuser).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

find_pg_bin() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]]; then
        echo "$dir"
        return
    fi
    echo "with-postgres: initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin;" \
         "install PostgreSQL (apt-get install postgresql)" >&2
    exit 1
}

PG_BIN=$(find_pg_bin)

if [[ $(id -u) -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "with-postgres: running as root but there is no 'postgres' user to run the server" >&2
        exit 1
    fi
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/ret-pg.XXXXXX")
[[ $(id -u) -eq 0 ]] && chown postgres: "$PGTMP"
started=0

cleanup() {
    local status=$?
    if [[ $started -eq 1 ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGTMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null

port_in_use() { (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

port=${PGPORT:-54330}
for _ in $(seq 1 50); do
    if ! port_in_use "$port"; then
        # pg_ctl -w fails when the server cannot start (for instance when another process took the
        # port in the meantime); then the next port is tried.
        if as_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 30 -o \
            "-p $port -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
            started=1
            break
        fi
    fi
    port=$((port + 1))
done
if [[ $started -ne 1 ]]; then
    echo "with-postgres: could not start PostgreSQL; server log:" >&2
    cat "$PGTMP/server.log" >&2 || true
    exit 1
fi

as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres ret_test

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/ret_test"
echo "with-postgres: PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') on port $port ($TEST_DATABASE_URL)"

# Not exec: the EXIT trap must still stop the server after the command.
set +e
"$@"
status=$?
set -e
exit "$status"
