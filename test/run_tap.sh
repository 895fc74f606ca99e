#!/bin/bash
# Runs pg_clone's TAP tests (test/t/*.pl): multi-server, restart and fault tests, each on its own
# temporary clusters, with PostgreSQL's TAP framework as Debian's PGXS installs it.
#
#   test/run_tap.sh                      all tests
#   test/run_tap.sh 002_listen_refused   only the tests named (with or without .pl)
#
# Needs pg_clone installed (make install), prove, and libipc-run-perl. PostgreSQL refuses to run as
# root, so as root the tests run as the user $PG_TEST_USER (default postgres) through runuser. They
# run in a scratch copy of test/t, so the checkout may be read-only or owned by root.
# Environment: PG_CONFIG (default: the PostgreSQL 15 one, else pg_config on PATH), PG_CLONE_SERVERS
# (servers of other majors for 023_versions, default: test/pg_toolchain.sh's cache), PROVE_FLAGS,
# PG_TEST_TIMEOUT_DEFAULT (seconds for each bounded wait, default 60), KEEP_TMP=1 keeps the scratch
# directory (it is always kept, and named, when a test fails).
# The nodes of a run copy one initdb'd data directory in the scratch directory instead of running
# initdb each (PgCloneTest.pm, init_node).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ -z "${PG_CONFIG:-}" ]; then
    if [ -x /usr/lib/postgresql/15/bin/pg_config ]; then
        PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
    else
        PG_CONFIG=pg_config
    fi
fi
bindir=$("$PG_CONFIG" --bindir)
pgxsdir=$(cd "$(dirname "$("$PG_CONFIG" --pgxs)")/../.." && pwd)
perldir="$pgxsdir/src/test/perl"
pg_regress="$pgxsdir/src/test/regress/pg_regress"

for need in "$perldir/PostgreSQL/Test/Cluster.pm" "$pg_regress" "$bindir/initdb"; do
    if [ ! -e "$need" ]; then
        echo "run_tap.sh: $need is missing (install postgresql-server-dev for PG_CONFIG=$PG_CONFIG)" >&2
        exit 2
    fi
done
command -v prove >/dev/null || { echo "run_tap.sh: prove is missing (perl)" >&2; exit 2; }
perl -MIPC::Run -e 1 2>/dev/null || { echo "run_tap.sh: IPC::Run is missing (libipc-run-perl)" >&2; exit 2; }

# Servers of other majors for 023_versions (test/pg_toolchain.sh servers caches them there); the
# test skips without them.
if [ -z "${PG_CLONE_SERVERS:-}" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        servers=${PG_CLONE_MATRIX_CACHE:-/var/cache/pg_clone-matrix}/server
    else
        servers=${PG_CLONE_MATRIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pg_clone-matrix}/server
    fi
else
    servers=$PG_CLONE_SERVERS
fi

# The tests to run.
tests=()
if [ $# -eq 0 ]; then
    # The longest files first (015: about 250 s, 013 and 023: about 100 s each), so that with
    # prove -j the others fill the remaining slots instead of waiting behind them at the end.
    slow=(015_fault_matrix 013_table_kinds 023_versions)
    for name in "${slow[@]}"; do
        [ ! -f "$here/t/$name.pl" ] || tests+=("t/$name.pl")
    done
    for t in "$here"/t/*.pl; do
        name=$(basename "$t" .pl)
        case " ${slow[*]} " in *" $name "*) continue ;; esac
        tests+=("t/$name.pl")
    done
else
    for name in "$@"; do
        name=$(basename "$name" .pl)
        [ -f "$here/t/$name.pl" ] || { echo "run_tap.sh: no test $here/t/$name.pl" >&2; exit 2; }
        tests+=("t/$name.pl")
    done
fi

# A scratch directory the test user can write: TESTDIR, where tmp_check/ (data, logs) goes.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pg_clone_tap.XXXXXX")
mkdir "$scratch/t"
cp "${tests[@]/#/$here/}" "$here"/t/*.pm "$scratch/t/"

run_as=()
if [ "$(id -u)" -eq 0 ]; then
    user=${PG_TEST_USER:-postgres}
    chown -R "$user:" "$scratch"
    run_as=(runuser -u "$user" --)
fi

status=0
(
    cd "$scratch"
    "${run_as[@]}" env \
        HOME="$scratch" \
        PATH="$bindir:$PATH" \
        PERL5LIB="$perldir${PERL5LIB:+:$PERL5LIB}" \
        PG_REGRESS="$pg_regress" \
        TESTDIR="$scratch" \
        PG_TEST_TIMEOUT_DEFAULT="${PG_TEST_TIMEOUT_DEFAULT:-60}" \
        PG_CLONE_SERVERS="$servers" \
        PG_CLONE_INITDB_TEMPLATE="$scratch/initdb_template" \
        prove ${PROVE_FLAGS:-} "${tests[@]}"
) || status=$?

if [ "$status" -ne 0 ]; then
    echo "run_tap.sh: failed; test logs and server logs are in $scratch/tmp_check/log" >&2
elif [ -n "${KEEP_TMP:-}" ]; then
    echo "run_tap.sh: kept $scratch" >&2
else
    rm -rf "$scratch"
fi
exit "$status"
