#!/usr/bin/env bash
# pg_clone in other PostgreSQL majors. For each MAJOR: its toolchain (test/pg_toolchain.sh: cached,
# built from Debian's packages and npm's servers), a build of pg_clone with it (warnings are errors),
# installed into a private copy of the toolchain; then the pg_regress suites, every major's side by
# side; then, major after major, the TAP tests that exercise the server's API (launcher, workers,
# restarts, progress, two-phase commit) and the cross-version test, on servers of that major.
#
#   test/run_matrix.sh [MAJOR...]     default: 15 17 18
#
# Environment:
#   MATRIX_STEPS  what to run for each major, of: build (compile and install), regress, tap;
#                 default "build regress tap"
#   MATRIX_TAP    the TAP tests (default: 001_restart 003_worker_crash 004_launcher 007_done_notice
#                 008_progress 010_two_phase 023_versions)
#   MATRIX_KEEP=1 keeps the scratch directory (it is always kept, and named, when something fails)
#   MATRIX_REUSE=no  compiles src/core, src/remote and src/cli for every major (by default a major
#                 whose PGXS has the previous one's compiler flags takes their objects from that
#                 one's build, any other from the checkout's build if make -q finds it up to date)
#   PG_CLONE_MATRIX_CACHE, and the others of test/pg_toolchain.sh
#
# As root the servers run as the user postgres. Prints what each major passed, then
# "matrix: N passed, N failed" (a build counts as one test); exits non-zero if anything failed.
set -uo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_DIR" || exit 1

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(15 17 18)
steps=${MATRIX_STEPS:-build regress tap}
tap_tests=${MATRIX_TAP:-001_restart 003_worker_crash 004_launcher 007_done_notice 008_progress 010_two_phase 023_versions}

has_step() { case " $steps " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

work=$(scratch_dir)
passed=0
failed=0
results=()
keep=${MATRIX_KEEP:-}
prev_build=""
prev_flags=""
prev_major=""
built=()
declare -A pg_configs lines

# The files of the checkout (tracked, and new ones not ignored), to build in a copy per major.
source_files() {
    if git -C "$REPO_DIR" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$REPO_DIR" ls-files -z -co --exclude-standard
    else
        find . -path ./build -prune -o -path ./.git -prune -o -type f \
            ! -name '*.o' ! -name '*.so' ! -name '*.bc' -print0
    fi
}

for major in "${majors[@]}"; do
    echo "== PostgreSQL $major"
    dir=$work/$major
    mkdir -p "$dir/src"
    line="PostgreSQL $major:"
    started=$SECONDS

    # The toolchain, in a private copy that make install may write to.
    if ! pg_config=$(bash test/pg_toolchain.sh install "$major" "$dir/pg" 2>"$dir/toolchain.log"); then
        cat "$dir/toolchain.log"
        echo "PostgreSQL $major: no toolchain"
        failed=$((failed + 1))
        results+=("$line no toolchain (see above)")
        keep=1
        continue
    fi
    grep -v '^pg_toolchain: dropped' "$dir/toolchain.log" || true
    echo "pg_config: $pg_config ($("$pg_config" --version))"

    # Build and install.
    (cd "$REPO_DIR" && source_files | xargs -0 cp --parents -t "$dir/src")
    # src/core, src/remote and the program include no PostgreSQL header: when this major's PGXS
    # compiles C++ with the same flags as the previous major's, their objects would be the same, and
    # are taken from that build (copied after the sources, so make finds them up to date).
    # MATRIX_REUSE=no compiles everything for every major.
    global=$(dirname "$("$pg_config" --pgxs)")/../Makefile.global
    flags=$(sed -n -e 's/^CXXFLAGS = //p' -e 's/^CXXFLAGS_SL_MODULE = //p' -e 's/^CPPFLAGS = //p' "$global")
    # Otherwise they come from the checkout's own build (PostgreSQL 15's, which run_all.sh has just
    # made) when that build is up to date (make -q): the Makefile compiles them with the warnings the
    # newer majors add (-Wshadow=compatible-local), so that only code-generation flags differ
    # (hardening, symbol visibility), which change nothing these objects do.
    reused=""
    from=""
    if [ "${MATRIX_REUSE:-yes}" != no ]; then
        if [ -n "$prev_build" ] && [ "$flags" = "$prev_flags" ]; then
            from=$prev_build
            reused=", src/core, src/remote and src/cli from $prev_major's build"
        elif [ -x "$PG_BIN/pg_config" ] &&
            make -C "$REPO_DIR" -q PG_CONFIG="$PG_BIN/pg_config" >/dev/null 2>&1; then
            from=$REPO_DIR
            reused=", src/core, src/remote and src/cli from the checkout's build ($("$PG_BIN/pg_config" --version))"
        fi
    fi
    if [ -n "$from" ]; then
        (cd "$from" && { find src/core src/remote src/cli -name '*.o' -print0; printf 'src/cli/pg_clone\0'; } |
            xargs -0 cp --parents -t "$dir/src") || reused=""
    fi
    if make -C "$dir/src" -s -j2 PG_CONFIG="$pg_config" >"$dir/build.log" 2>&1 &&
        make -C "$dir/src" -s install PG_CONFIG="$pg_config" >>"$dir/build.log" 2>&1; then
        passed=$((passed + 1))
        line+=" build ok ($((SECONDS - started)) s$reused)"
        echo "build: ok$reused"
        prev_build=$dir/src
        prev_flags=$flags
        prev_major=$major
    else
        grep -E 'error|warning|Error' "$dir/build.log" | head -40
        failed=$((failed + 1))
        results+=("$line build FAILED")
        keep=1
        continue
    fi
    chmod -R a+rX "$dir"

    built+=("$major")
    pg_configs[$major]=$pg_config
    lines[$major]=$line
done

# The regress suites of every major at once, each on its own temporary instance (pg_regress picks a
# port from the server's version, and another if that one is taken): they mostly wait for the
# clones' workers, so side by side they take the time of one.
if has_step regress; then
    for major in "${built[@]}"; do
        dir=$work/$major
        [ "$(id -u)" -ne 0 ] || chown -R postgres: "$dir/src"
        (
            started=$SECONDS
            cd "$dir/src" && as_pg_user make -s installcheck PG_CONFIG="${pg_configs[$major]}" >"$dir/regress.log" 2>&1
            echo $((SECONDS - started)) >"$dir/regress.seconds"
        ) &
    done
    wait
    for major in "${built[@]}"; do
        dir=$work/$major
        echo "== PostgreSQL $major: regress"
        # "test name ... ok" up to 15, "ok 1 - name" from 16.
        total=$(grep -cE '^(test|ok|not ok) ' "$dir/regress.log")
        bad=$(grep -cE '^not ok |^test .*(FAILED|failed)' "$dir/regress.log")
        if [ "$total" -eq 0 ] || ! grep -qE 'All [0-9]+ tests passed' "$dir/regress.log"; then
            [ "$bad" -gt 0 ] || bad=1
            tail -40 "$dir/regress.log"
            [ -f "$dir/src/regression.diffs" ] && head -80 "$dir/src/regression.diffs"
            keep=1
        fi
        passed=$((passed + total - (bad < total ? bad : total)))
        failed=$((failed + bad))
        lines[$major]+=", regress $((total - bad))/$total ($(cat "$dir/regress.seconds" 2>/dev/null || echo '?') s)"
        echo "regress: $((total - bad))/$total"
    done
fi

for major in "${built[@]}"; do
    dir=$work/$major
    pg_config=${pg_configs[$major]}
    line=${lines[$major]}
    if has_step tap && [ -n "$tap_tests" ]; then
        started=$SECONDS
        # shellcheck disable=SC2086
        PG_CONFIG=$pg_config bash test/run_tap.sh $tap_tests >"$dir/tap.log" 2>&1
        status=$?
        total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$dir/tap.log")
        total=${total:-0}
        grep -E '^t/|^Files=|^Result|skipped' "$dir/tap.log"
        if [ "$status" -eq 0 ] && [ "$total" -gt 0 ]; then
            bad=0
        else
            tail -60 "$dir/tap.log"
            bad=$(grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$dir/tap.log" | awk '{split($2, a, "/"); s += a[1]} END {print s + 0}')
            [ "$bad" -gt 0 ] || bad=1
            keep=1
        fi
        passed=$((passed + total - (bad < total ? bad : total)))
        failed=$((failed + bad))
        line+=", tap $((total - (bad < total ? bad : total)))/$total ($((SECONDS - started)) s)"
    fi
    results+=("$line")
done

echo
for r in "${results[@]}"; do echo "$r"; done
if [ -n "$keep" ]; then
    echo "run_matrix.sh: kept $work"
else
    rm -rf "$work"
fi
echo "matrix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
