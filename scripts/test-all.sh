#!/usr/bin/env bash
# The whole test suite twice: on SQLite (no TEST_DATABASE_URL) and on a throwaway PostgreSQL
# (scripts/with-postgres.sh). Exits 0 only when both runs pass; any other pytest status fails,
# including 5 (no tests collected). Extra arguments go to both pytest runs.
#
# The two runs go side by side by default: the suite spends much of its time waiting (database,
# browser), so on two cores this takes little longer than one run. The SQLite run prints live; the
# PostgreSQL run's output follows when it is done. TEST_PARALLEL=0 runs them one after the other.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTEST=${PYTEST:-.venv/bin/pytest}
PARALLEL=${TEST_PARALLEL:-1}
mkdir -p test-artifacts
work=$(mktemp -d)
pg_pid=

cleanup() {
    if [[ -n $pg_pid ]] && kill -0 "$pg_pid" 2>/dev/null; then
        # Its own process group (setsid): stop pytest too, so with-postgres.sh stops the server.
        kill -TERM -- "-$pg_pid" 2>/dev/null || kill -TERM "$pg_pid" 2>/dev/null || true
        wait "$pg_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# timed NAME COMMAND...: runs the command, writes its duration in seconds to $work/NAME.time.
timed() {
    local name=$1 start=$SECONDS status
    shift
    "$@"
    status=$?
    echo $((SECONDS - start)) >"$work/$name.time"
    return "$status"
}

explain() {  # NAME STATUS
    case $2 in
        0) echo "passed" ;;
        5) echo "FAILED: no tests collected (exit 5)" ;;
        *) echo "FAILED (exit $2)" ;;
    esac
}

sqlite_run() { timed sqlite env -u TEST_DATABASE_URL "$PYTEST" "$@"; }
# Its own pytest cache, so the runs do not write one file at once and --lf works per database.
postgres_run() { timed postgres scripts/with-postgres.sh "$PYTEST" -o cache_dir=.pytest_cache/postgresql "$@"; }

start=$SECONDS
if [[ $PARALLEL == 1 ]]; then
    export -f timed postgres_run
    export work PYTEST
    setsid bash -c 'postgres_run "$@"' postgres-run "$@" >"$work/postgres.log" 2>&1 &
    pg_pid=$!
    echo "=== pytest on SQLite (the PostgreSQL run goes on alongside; its output follows) ==="
    sqlite_run "$@"
    sqlite=$?
    echo "=== pytest on PostgreSQL ==="
    wait "$pg_pid"
    postgres=$?
    pg_pid=
    cat "$work/postgres.log"
else
    echo "=== pytest on SQLite ==="
    sqlite_run "$@"
    sqlite=$?
    echo "=== pytest on PostgreSQL ==="
    postgres_run "$@"
    postgres=$?
fi

echo "=== SQLite: $(explain sqlite $sqlite) in $(cat "$work/sqlite.time" 2>/dev/null || echo '?') s;" \
     "PostgreSQL: $(explain postgres $postgres) in $(cat "$work/postgres.time" 2>/dev/null || echo '?') s;" \
     "total $((SECONDS - start)) s ==="
[[ $sqlite -eq 0 && $postgres -eq 0 ]]
