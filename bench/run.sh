#!/usr/bin/env bash
# pg_clone benchmark: compares pg_clone with raw binary COPY pipes, pg_dump | psql, pgcopydb and logical
# replication's initial copy, in one run on the same data, as ratios. It never fails because something
# is slow; it fails only when something breaks (a command fails or a target ends with wrong row counts).
#
#   sudo bash bench/run.sh                  # default scale, about 1.5 minutes on 2 cores
#   sudo SCALE=full bash bench/run.sh       # DESIGN.md's data set: ~1 GB in 6M rows over 5 tables
#   sudo SCALE=0.2 REPEAT=3 bash bench/run.sh
#
# Environment: SCALE (fraction of 6M rows, or "full"; default 0.5), REPEAT (runs per timed contestant,
# the best is kept; default 1), SMALL_TABLES (200), SMALL_ROWS (1000), PGCOPYDB (1: use it if
# installable; 0: skip), LOGREP (1: run logical replication's initial copy; 0: skip), ONLY (a subset
# of the contestants, see below), KEEP (1: leave the scratch dir and the servers' logs behind,
# servers stopped).
# See bench/README.md for what each line means.
set -euo pipefail
shopt -s inherit_errexit

PG_BIN=/usr/lib/postgresql/15/bin
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

SCALE=${SCALE:-0.5}
[ "$SCALE" = full ] && SCALE=1
REPEAT=${REPEAT:-1}
SMALL_TABLES=${SMALL_TABLES:-200}
SMALL_ROWS=${SMALL_ROWS:-1000}
PGCOPYDB=${PGCOPYDB:-1}
LOGREP=${LOGREP:-1}
KEEP=${KEEP:-0}
STREAMS=${STREAMS-1 2 4}   # pg_clone is also run with streams => N for each N here
TRANSPORT=${TRANSPORT:-unix}   # unix: every connection over unix sockets; tcp: over 127.0.0.1
DATASET=${DATASET:-standard}   # standard: 5 tables of mixed columns; shapes: a narrow and a wide table
SRC_PORT=${SRC_PORT:-55491}
TGT_PORT=${TGT_PORT:-55492}
BIG_WEIGHTS=(3 2 2 2 1)   # table sizes in tenths of the total: two lanes of 5/10 each, balanced
[ "$DATASET" = shapes ] && BIG_WEIGHTS=(8 2)   # one dominant narrow table, one wide table

die() { echo "bench: $*" >&2; exit 1; }
[[ "$TRANSPORT" =~ ^(unix|tcp)$ ]] || die "TRANSPORT must be unix or tcp"
[[ "$DATASET" =~ ^(standard|shapes)$ ]] || die "DATASET must be standard or shapes"
[[ "$SCALE" =~ ^[0-9]*\.?[0-9]+$ ]] || die "SCALE must be a number (fraction of 6M rows) or 'full'"
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive integer"
BIG_ROWS=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 6000000 }')
[ "$BIG_ROWS" -ge 1000 ] || die "SCALE too small"

is_root() { [ "$(id -u)" -eq 0 ]; }
# Servers run as the unprivileged postgres user when we are root; clients connect as role postgres.
as_pg() {
    if is_root; then runuser -u postgres -- env PATH="$PG_BIN:$PATH" "$@"; else env PATH="$PG_BIN:$PATH" "$@"; fi
}

[ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 is not installed ($PG_BIN)"
[ -f "$("$PG_BIN/pg_config" --pkglibdir)/pg_clone.so" ] ||
    die "pg_clone is not installed: run 'make && sudo make install' in $REPO_DIR first"

if [ "$PGCOPYDB" = 1 ] && ! command -v pgcopydb >/dev/null && is_root; then
    echo "== installing pgcopydb (apt-get install -y pgcopydb)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgcopydb >/dev/null 2>&1 ||
        echo "   could not install pgcopydb: it is skipped"
fi
command -v pgcopydb >/dev/null || PGCOPYDB=0

# ---------------------------------------------------------------------------------------------- setup
work=$(mktemp -d /tmp/pg_clone_bench.XXXXXX)
chmod 755 "$work"
is_root && chown postgres: "$work"
sampler_pid=

cleanup() {
    local rc=$? c pids
    set +e
    trap - EXIT INT TERM
    [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null
    pids=$(jobs -p)
    # shellcheck disable=SC2086  # one word per pid
    [ -n "$pids" ] && kill $pids 2>/dev/null
    for c in tgt src; do
        if [ -f "$work/$c/postmaster.pid" ]; then
            as_pg pg_ctl -D "$work/$c" -m immediate -w stop >/dev/null 2>&1 ||
                echo "bench: could not stop the $c cluster (data dir $work/$c)" >&2
        fi
    done
    if [ "$KEEP" = 1 ]; then echo "bench: scratch dir kept: $work" >&2; else rm -rf "$work"; fi
    [ "$rc" -eq 0 ] || echo "bench: FAILED (exit $rc)" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Where clients connect: the socket directory, or the loopback address.
HOST=$work
[ "$TRANSPORT" = tcp ] && HOST=127.0.0.1
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -U postgres -h "$HOST")
src() { local db=$1; shift; "${PSQL[@]}" -p "$SRC_PORT" -d "$db" "$@"; }
tgt() { local db=$1; shift; "${PSQL[@]}" -p "$TGT_PORT" -d "$db" "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

make_cluster() {  # name port extra-conf
    local name=$1 port=$2 extra=$3
    as_pg initdb -D "$work/$name" -A trust -U postgres -E UTF8 --locale=C --no-sync >/dev/null
    # The same settings on both clusters and for every contestant.
    cat >>"$work/$name/postgresql.conf" <<CONF
port = $port
listen_addresses = '$([ "$TRANSPORT" = tcp ] && echo 127.0.0.1)'
unix_socket_directories = '$work'
shared_buffers = 512MB
max_wal_size = 4GB
min_wal_size = 4GB
checkpoint_timeout = 30min
wal_level = logical
autovacuum = off
max_worker_processes = 16
log_min_messages = warning
log_checkpoints = off
$extra
CONF
    as_pg pg_ctl -D "$work/$name" -l "$work/$name.log" -w start >/dev/null
}

echo "== two clusters in $work (source :$SRC_PORT, targets :$TGT_PORT, pg_clone in the target cluster)"
make_cluster src "$SRC_PORT" ""
make_cluster tgt "$TGT_PORT" "shared_preload_libraries = 'pg_clone'
pg_clone.database = 'postgres'
max_prepared_transactions = 20
pg_clone.two_phase = ${TWO_PHASE:-auto}"
SRC_PM=$(head -1 "$work/src/postmaster.pid")
TGT_PM=$(head -1 "$work/tgt/postmaster.pid")

COLUMNS_DDL="id int8 PRIMARY KEY, account int8 NOT NULL, label text NOT NULL, amount numeric(14,2),
             created timestamptz NOT NULL, note text"
# DATASET=shapes: big_1 is narrow (about 40 bytes a row), big_2 wide and of mixed types, with NULLs.
NARROW_DDL="id int8 PRIMARY KEY, n int4 NOT NULL, flag bool"
WIDE_DDL="id int8 PRIMARY KEY, amount numeric(18,6), doc jsonb, blob bytea, ref uuid, at timestamptz, name text"
big_ddl() {  # index
    if [ "$DATASET" = shapes ]; then
        if [ "$1" -eq 0 ]; then echo "$NARROW_DDL"; else echo "$WIDE_DDL"; fi
    else
        echo "$COLUMNS_DDL"
    fi
}
big_fill_sql() {  # index table rows
    if [ "$DATASET" = shapes ] && [ "$1" -eq 0 ]; then
        echo "INSERT INTO $2 SELECT g, (g * 7919) % 1000003, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 2 = 0 END
              FROM generate_series(1::int8, $3) g"
    elif [ "$DATASET" = shapes ]; then
        echo "INSERT INTO $2 SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 31) / 1000.0 END,
                CASE WHEN g % 13 = 0 THEN NULL
                     ELSE jsonb_build_object('id', g, 'tags', jsonb_build_array('a' || g % 10, 'b' || g % 7),
                                             'score', g / 3.0, 'ok', g % 2 = 0) END,
                CASE WHEN g % 17 = 0 THEN NULL ELSE decode(md5(g::text) || md5((g * 3)::text), 'hex') END,
                md5(g::text)::uuid,
                CASE WHEN g % 19 = 0 THEN NULL ELSE timestamptz '2024-01-01 00:00+00' + g * interval '1.5 second' END,
                CASE WHEN g % 23 = 0 THEN NULL ELSE 'name ' || g || ' ' || repeat('x', (g % 40)::int) END
              FROM generate_series(1::int8, $3) g"
    else
        fill_sql "$2" "$3"
    fi
}
fill_sql() {  # table rows: rows of mixed types, about 180 bytes each on disk
    echo "INSERT INTO $1 SELECT g, (g * 7919) % 100003, 'item-' || g, ((g * 31) % 10000000) / 100.0,
            timestamptz '2024-01-01 00:00+00' + g * interval '1 second',
            CASE WHEN g % 50 = 0 THEN NULL ELSE md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text) END
          FROM generate_series(1::int8, $2) g"
}

BIG=() BIG_N=()
for i in "${!BIG_WEIGHTS[@]}"; do
    BIG+=("big_$((i + 1))")
    BIG_N+=($((BIG_ROWS * BIG_WEIGHTS[i] / 10)))
done
BIG_TOTAL=0
for n in "${BIG_N[@]}"; do BIG_TOTAL=$((BIG_TOTAL + n)); done
SMALL=()
for i in $(seq 1 "$SMALL_TABLES"); do SMALL+=("$(printf 'small_%03d' "$i")"); done
SMALL_TOTAL=$((SMALL_TABLES * SMALL_ROWS))
join_by() { local IFS=$1; shift; echo "$*"; }
BIG_LIST=$(join_by , "${BIG[@]}")
SMALL_LIST=$(join_by , "${SMALL[@]}")

echo "== transport: $TRANSPORT; big data set: $DATASET"
echo "== data: big = ${#BIG[@]} tables, $BIG_TOTAL rows (SCALE=$SCALE); small = $SMALL_TABLES tables of $SMALL_ROWS rows"
t0=$(now)
src postgres -c "CREATE DATABASE srcbig" -c "CREATE DATABASE srcsmall"
for db in tgt1 tgt2 tgt3; do tgt postgres -c "CREATE DATABASE $db"; done
# The big source tables are filled without their primary key (faster), in two lanes, then indexed.
for i in "${!BIG[@]}"; do
    ddl=$(big_ddl "$i")
    src srcbig -c "CREATE TABLE ${BIG[i]} (${ddl/ PRIMARY KEY/})"
done
lane_fill() {
    local i
    for i in "$@"; do
        src srcbig -c "$(big_fill_sql "$i" "${BIG[i]}" "${BIG_N[i]}")" -c "ALTER TABLE ${BIG[i]} ADD PRIMARY KEY (id)"
    done
}
if [ "$DATASET" = shapes ]; then
    lane_fill 0 & lf1=$!
    lane_fill 1 & lf2=$!
else
    lane_fill 0 3 & lf1=$!
    lane_fill 1 2 4 & lf2=$!
fi
wait $lf1
wait $lf2
for t in "${SMALL[@]}"; do echo "CREATE TABLE $t ($COLUMNS_DDL); $(fill_sql "$t" "$SMALL_ROWS");"; done | src srcsmall
for db in srcbig srcsmall; do src "$db" -c "VACUUM (FREEZE, ANALYZE)"; done
src postgres -c "CHECKPOINT"
for db in tgt1 tgt2 tgt3; do
    for i in "${!BIG[@]}"; do tgt "$db" -c "CREATE TABLE ${BIG[i]} ($(big_ddl "$i"))"; done
    for t in "${SMALL[@]}"; do echo "CREATE TABLE $t ($COLUMNS_DDL);"; done | tgt "$db"
done
BIG_MB=$(src srcbig -At -c "SELECT round(sum(pg_table_size(oid)) / 1048576.0), round(sum(pg_indexes_size(oid)) / 1048576.0)
                            FROM pg_class WHERE relname LIKE 'big\_%' AND relkind = 'r'" | tr '|' ' ')
read -r BIG_HEAP_MB BIG_INDEX_MB <<<"$BIG_MB"
echo "   generated in $(elapsed "$t0" "$(now)") s; big: ${BIG_HEAP_MB} MB of heap + ${BIG_INDEX_MB} MB of primary keys"

tgt postgres -c "CREATE EXTENSION pg_clone"
T="host=$HOST port=$TGT_PORT user=postgres"
tgt postgres -c "SELECT bucardo.add_db('srcbig', 'host=$HOST port=$SRC_PORT dbname=srcbig user=postgres'),
                        bucardo.add_db('srcsmall', 'host=$HOST port=$SRC_PORT dbname=srcsmall user=postgres'),
                        bucardo.add_db('tgt1', '$T dbname=tgt1'), bucardo.add_db('tgt2', '$T dbname=tgt2'),
                        bucardo.add_db('tgt3', '$T dbname=tgt3')" >/dev/null
src srcbig -c "CREATE PUBLICATION bench_pub FOR TABLE $BIG_LIST"

# Row counts of the source, "table count" per line, sorted: what every target must hold afterwards.
counts_sql() {  # tables...
    local parts=() t
    for t in "$@"; do parts+=("SELECT '$t', count(*) FROM $t"); done
    printf '%s UNION ALL ' "${parts[@]}" | sed 's/ UNION ALL $/ ORDER BY 1/'
}
BIG_COUNTS_SQL=$(counts_sql "${BIG[@]}")
SMALL_COUNTS_SQL=$(counts_sql "${SMALL[@]}")
BIG_EXPECTED=$(src srcbig -At -F ' ' -c "$BIG_COUNTS_SQL")         # also warms the caches
SMALL_EXPECTED=$(src srcsmall -At -F ' ' -c "$SMALL_COUNTS_SQL")

check_counts() {  # label set db...
    local label=$1 set=$2 db got expected sql
    shift 2
    if [ "$set" = big ]; then expected=$BIG_EXPECTED sql=$BIG_COUNTS_SQL; else expected=$SMALL_EXPECTED sql=$SMALL_COUNTS_SQL; fi
    for db in "$@"; do
        got=$(tgt "$db" -At -F ' ' -c "$sql")
        if [ "$got" != "$expected" ]; then
            echo "bench: $label: wrong row counts in $db:" >&2
            diff <(echo "$expected") <(echo "$got") | head -10 >&2
            exit 1
        fi
    done
}

# Empties the targets (not timed), vacuums them (with autovacuum off, the catalog rows every run's
# TRUNCATE leaves dead would slow the next run's catalog lookups), and checkpoints so that no run pays
# for the previous one's writes.
empty_targets() {  # set db...
    local set=$1 db list
    shift
    if [ "$set" = big ]; then list=$BIG_LIST; else list=$SMALL_LIST; fi
    for db in "$@"; do tgt "$db" -c "TRUNCATE $list" -c "VACUUM"; done
    tgt postgres -c "VACUUM"
    tgt postgres -c "CHECKPOINT"
    src postgres -c "CHECKPOINT"
}

# CPU used per cluster: the postmaster's cutime + cstime (backends and workers that exited) plus the
# CPU of its children still running (checkpointer, walwriter, the pg_clone launcher...); between two
# calls made while the cluster is idle (see settle), the difference is what a run cost that cluster.
# Also the CPU of this script's own children (psql, pg_dump, pgcopydb).
CLK_TCK=$(getconf CLK_TCK)
proc_ticks() { local f; read -r -a f <"/proc/$1/stat" 2>/dev/null || { echo 0; return; }; echo $((f[13] + f[14])); }
child_ticks() {
    local f total pid
    read -r -a f <"/proc/$1/stat"
    total=$((f[15] + f[16]))
    for pid in $(ps --ppid "$1" -o pid=); do total=$((total + $(proc_ticks "$pid"))); done
    echo "$total"
}
# `times` must run in this shell (not in a $(...) subshell) to count this script's children.
times_sum() { awk '{ gsub(/s/, ""); split($1, u, "m"); split($2, s, "m"); printf "%.2f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'; }
cpu_mark() {
    times >"$work/times"
    CPU_MARK=("$(child_ticks "$SRC_PM")" "$(child_ticks "$TGT_PM")" "$(tail -1 "$work/times" | times_sum)")
}
cpu_since_mark() {  # sets CPU_USED to "src tgt client" CPU seconds since cpu_mark
    local s t c
    times >"$work/times"
    s=$(child_ticks "$SRC_PM") t=$(child_ticks "$TGT_PM") c=$(tail -1 "$work/times" | times_sum)
    CPU_USED=$(awk -v s=$((s - CPU_MARK[0])) -v t=$((t - CPU_MARK[1])) -v c0="${CPU_MARK[2]}" -v c1="$c" -v hz="$CLK_TCK" \
        'BEGIN { printf "%.1f %.1f %.1f", s / hz, t / hz, c1 - c0 }')
}

# Waits (10 s at most) until both postmasters are back to their idle number of children: the backends
# of the last run have exited and their CPU time is in the postmasters' cutime.
pm_children() { ps --ppid "$1" -o pid= | wc -l; }
settle() {
    local i
    for i in $(seq 100); do
        [ "$(pm_children "$SRC_PM")" -le "$SRC_IDLE" ] && [ "$(pm_children "$TGT_PM")" -le "$TGT_IDLE" ] && return 0
        sleep 0.1
    done
}

# The pg_clone worker's memory and CPU, sampled every 0.1 s while a clone runs: the process whose
# title is "pg_clone worker for clone N" (backend_type 'pg_clone worker'), a child of the postmaster.
sample_worker() {  # out-file
    local out=$1 pid='' hwm=0 anon=0 cpu=0 key val rest f
    while [ -d "$work" ] && [ ! -e "$work/stop_sampler" ]; do
        if [ -z "$pid" ] || [ ! -e "/proc/$pid/status" ]; then
            pid=$(ps --ppid "$TGT_PM" -o pid=,args= | awk '/pg_clone worker for clone/ { print $1; exit }')
        fi
        if [ -n "$pid" ]; then
            while read -r key val rest; do
                case $key in
                    VmHWM:) [ "$val" -gt "$hwm" ] && hwm=$val ;;
                    RssAnon:) [ "$val" -gt "$anon" ] && anon=$val ;;
                esac
            done <"/proc/$pid/status" 2>/dev/null || true
            if read -r -a f <"/proc/$pid/stat" 2>/dev/null; then
                cpu=$((f[13] + f[14]))
            fi
            echo "$hwm $anon $cpu" >"$out"
        fi
        sleep 0.1
    done
}
start_sampler() { rm -f "$work/stop_sampler" "$work/sample"; sample_worker "$work/sample" & sampler_pid=$!; }
stop_sampler() {  # prints "VmHWM_kB RssAnon_kB cpu_s"
    touch "$work/stop_sampler"
    wait "$sampler_pid" || true
    sampler_pid=
    if [ -f "$work/sample" ]; then
        read -r hwm anon ticks <"$work/sample"
        awk -v h="$hwm" -v a="$anon" -v t="$ticks" -v hz="$CLK_TCK" 'BEGIN { printf "%d %d %.1f", h, a, t / hz }'
    else
        echo "0 0 0"
    fi
}

# ------------------------------------------------------------------------------------------ contestants
# Each prints "seconds [extra]" on its last line; the targets are emptied before and checked after.
pipe_one() {  # srcdb tgtdb table
    src "$1" -c "COPY $3 TO STDOUT (FORMAT binary)" | tgt "$2" -c "COPY $3 FROM STDIN (FORMAT binary)"
}
# Splits the big tables in two lanes of about the same number of rows (largest first).
LANE1=() LANE2=()
lane_rows=(0 0)
for i in $(for j in "${!BIG[@]}"; do echo "${BIG_N[j]} $j"; done | sort -rn | awk '{ print $2 }'); do
    if [ "${lane_rows[0]}" -le "${lane_rows[1]}" ]; then
        LANE1+=("${BIG[i]}") lane_rows[0]=$((lane_rows[0] + BIG_N[i]))
    else
        LANE2+=("${BIG[i]}") lane_rows[1]=$((lane_rows[1] + BIG_N[i]))
    fi
done

run_pipe1() {
    local t0 t
    t0=$(now)
    for t in "${BIG[@]}"; do pipe_one srcbig tgt1 "$t"; done
    elapsed "$t0" "$(now)"
}
run_pipe2() {
    local t0 p1 p2
    t0=$(now)
    (for t in "${LANE1[@]}"; do pipe_one srcbig tgt1 "$t"; done) & p1=$!
    (for t in "${LANE2[@]}"; do pipe_one srcbig tgt1 "$t"; done) & p2=$!
    wait $p1
    wait $p2
    elapsed "$t0" "$(now)"
}
# pg_clone: "ended-started wall VmHWM RssAnon worker_cpu"
run_clone() {  # tables dbs [streams]
    local t0 id status wall server mem streams=${3:+, streams => $3}
    start_sampler
    t0=$(now)
    id=$(tgt postgres -At -c "SELECT bucardo.clone(tables => '$1', dbs => '$2'$streams${CLONE_ARGS:-})")
    status=$(tgt postgres -At -c "SELECT bucardo.clone_wait($id, '3600 s')")
    wall=$(elapsed "$t0" "$(now)")
    mem=$(stop_sampler)
    if [ "$status" != "done" ]; then
        tgt postgres -x -c "SELECT id, status, error FROM bucardo.clone WHERE id = $id" >&2
        tail -20 "$work/tgt.log" >&2
        die "pg_clone clone $id ended '$status'"
    fi
    server=$(tgt postgres -At -c "SELECT round(extract(epoch FROM ended - started), 3) FROM bucardo.clone WHERE id = $id")
    echo "$server $wall $mem"
}
run_pipe3() {  # one lane per target database, side by side: the source is read three times
    local t0 p1 p2 p3
    t0=$(now)
    (for t in "${BIG[@]}"; do pipe_one srcbig tgt1 "$t"; done) & p1=$!
    (for t in "${BIG[@]}"; do pipe_one srcbig tgt2 "$t"; done) & p2=$!
    (for t in "${BIG[@]}"; do pipe_one srcbig tgt3 "$t"; done) & p3=$!
    wait $p1
    wait $p2
    wait $p3
    elapsed "$t0" "$(now)"
}
URI_HOST=%2F${work//\//%2F}
[ "$TRANSPORT" = tcp ] && URI_HOST=127.0.0.1
run_pgcopydb() {
    local t0 rc=0
    rm -rf "$work/pgcopydb"
    t0=$(now)
    pgcopydb copy table-data --dir "$work/pgcopydb" --table-jobs 2 \
        --source "postgres://postgres@$URI_HOST:$SRC_PORT/srcbig" \
        --target "postgres://postgres@$URI_HOST:$TGT_PORT/tgt1" >"$work/pgcopydb.log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        tail -20 "$work/pgcopydb.log" >&2
        die "pgcopydb failed"
    fi
    elapsed "$t0" "$(now)"
}
run_logrep() {
    local t0 state secs
    t0=$(now)
    PGOPTIONS='-c client_min_messages=warning' tgt tgt1 -c "CREATE SUBSCRIPTION bench_sub
                   CONNECTION 'host=$HOST port=$SRC_PORT dbname=srcbig user=postgres'
                   PUBLICATION bench_pub WITH (copy_data = true)"
    while :; do
        state=$(tgt tgt1 -At -c "SELECT count(*) FILTER (WHERE srsubstate = 'r') || '/' || count(*) FROM pg_subscription_rel")
        [ "$state" = "${#BIG[@]}/${#BIG[@]}" ] && break
        sleep 0.1
    done
    secs=$(elapsed "$t0" "$(now)")
    PGOPTIONS='-c client_min_messages=warning' tgt tgt1 -c "DROP SUBSCRIPTION bench_sub"
    echo "$secs"
}
run_dump() {
    local t0
    t0=$(now)
    "$PG_BIN/pg_dump" -U postgres -h "$HOST" -p "$SRC_PORT" --data-only -t 'public.small_*' srcsmall |
        tgt tgt1 >/dev/null
    elapsed "$t0" "$(now)"
}
run_dump_truncate() {  # the same, but emptying the tables itself, in one transaction as pg_clone does
    local t0
    t0=$(now)
    { echo "BEGIN; TRUNCATE $SMALL_LIST;"
      "$PG_BIN/pg_dump" -U postgres -h "$HOST" -p "$SRC_PORT" --data-only -t 'public.small_*' srcsmall
      echo "COMMIT;"; } | tgt tgt1 >/dev/null
    elapsed "$t0" "$(now)"
}
run_small_pipes() {
    local t0 t
    t0=$(now)
    for t in "${SMALL[@]}"; do pipe_one srcsmall tgt1 "$t"; done
    elapsed "$t0" "$(now)"
}

# Runs a contestant REPEAT times, emptying and checking the targets around each run; keeps the best
# (lowest first field). Sets BEST (its output) and CPU (src tgt client CPU seconds of that run), and
# for pg_clone MAX_HWM and MAX_ANON, the worker's peak memory over all runs.
BEST='' CPU='' MAX_HWM=0 MAX_ANON=0
measure() {  # label set "dbs" command...
    local label=$1 set=$2 dbs=$3 r out cpu f
    shift 3
    BEST='' CPU='' MAX_HWM=0 MAX_ANON=0
    for r in $(seq 1 "$REPEAT"); do
        # shellcheck disable=SC2086
        empty_targets "$set" $dbs
        settle
        cpu_mark
        out=$("$@")
        settle
        cpu_since_mark
        cpu=$CPU_USED
        # shellcheck disable=SC2086
        check_counts "$label" "$set" $dbs
        printf '   %-44s run %d: %s s\n' "$label" "$r" "${out%% *}"
        read -r -a f <<<"$out"
        if [ "${#f[@]}" -ge 5 ]; then
            [ "${f[2]}" -gt "$MAX_HWM" ] && MAX_HWM=${f[2]}
            [ "${f[3]}" -gt "$MAX_ANON" ] && MAX_ANON=${f[3]}
        fi
        if [ -z "$BEST" ] || awk -v a="${out%% *}" -v b="${BEST%% *}" 'BEGIN { exit !(a < b) }'; then
            BEST=$out CPU=$cpu
        fi
    done
}

declare -a ROWS_BIG=() ROWS_SMALL=()
add_row() {  # set label seconds rows cpu note
    local line
    line=$(printf '%s\x1f%s\x1f%s\x1f%s\x1f%s' "$2" "$3" "$4" "$5" "$6")
    if [ "$1" = big ]; then ROWS_BIG+=("$line"); else ROWS_SMALL+=("$line"); fi
}

# ONLY="pipe2 clone1 ..." runs a subset (keys: pipe1 pipe2 clone1 clone3 pipe3 pgcopydb logrep dump
# dumpt sclone spipes).
ONLY=${ONLY:-pipe1 pipe2 clone1 clone3 pipe3 pgcopydb logrep dump dumpt sclone spipes}
want() { [[ " ${ONLY//,/ } " == *" $1 "* ]]; }
[ "$PGCOPYDB" = 1 ] || ONLY=${ONLY//pgcopydb/}
[ "$LOGREP" = 1 ] || ONLY=${ONLY//logrep/}

LAUNCHER_PID=$(ps --ppid "$TGT_PM" -o pid=,args= | awk '/pg_clone launcher/ { print $1; exit }')
[ -n "$LAUNCHER_PID" ] || die "no pg_clone launcher in the target cluster"
# Wake the launcher once now (it would otherwise see the new extension only after pg_clone.naptime),
# so that it is in its steady state during every contestant.
tgt postgres -c "NOTIFY bucardo_clone_ready"
sleep 1
SRC_IDLE=$(pm_children "$SRC_PM") TGT_IDLE=$(pm_children "$TGT_PM")

# Warm-up, not timed: one pass of every big table through the target cluster, so that the WAL
# segments exist (min_wal_size keeps them recycled) and no contestant pays for creating them first.
echo "== warm-up (not timed): one 2-lane pipe pass into tgt1, tgt2 and tgt3"
for db in tgt1 tgt2 tgt3; do
    (for t in "${LANE1[@]}"; do pipe_one srcbig "$db" "$t"; done) & w1=$!
    (for t in "${LANE2[@]}"; do pipe_one srcbig "$db" "$t"; done) & w2=$!
    wait $w1
    wait $w2
done

echo "== big: ${#BIG[@]} tables, $BIG_TOTAL rows; lanes: ${LANE1[*]} | ${LANE2[*]}; REPEAT=$REPEAT"
BASE_BIG='' BASE_SMALL='' PIPE1='' DUMPT='' c1_server='' c3_server='' s_server='' fan_ratio='' c1_hwm=0 c1_anon=0 c3_hwm=0 c3_anon=0
if want pipe1; then
    measure "raw binary pipe, 1 lane" big tgt1 run_pipe1
    add_row big "raw binary pipe, 1 lane" "$BEST" "$BIG_TOTAL" "$CPU" ""
    PIPE1=$BEST
fi
if want pipe2; then
    measure "raw binary pipes, 2 lanes" big tgt1 run_pipe2
    add_row big "raw binary pipes, 2 lanes" "$BEST" "$BIG_TOTAL" "$CPU" "baseline"
    BASE_BIG=$BEST
fi
# pg_clone runs once per number of streams in STREAMS; the goals are judged on the default (the
# server's pg_clone.max_streams, the first line), the others show what the number changes.
declare -A C1_SERVER=()
if want clone1; then
    for n in default $STREAMS; do
        streams_arg=$n label="pg_clone, 1 target, $n streams"
        [ "$n" = default ] && streams_arg='' label="pg_clone, 1 target (default streams)"
        measure "$label" big tgt1 run_clone "$BIG_LIST" "srcbig:source,tgt1:target" $streams_arg
        read -r server wall _ _ wcpu <<<"$BEST"
        C1_SERVER[$n]=$server
        [ "$MAX_HWM" -gt "$c1_hwm" ] && c1_hwm=$MAX_HWM c1_anon=$MAX_ANON
        add_row big "$label" "$server" "$BIG_TOTAL" "$CPU" "worker $wcpu s CPU; wall $wall s"
    done
    c1_server=${C1_SERVER[default]}
fi
if want clone3; then
    for n in default $STREAMS; do
        streams_arg=$n label="pg_clone, 3 targets, $n streams"
        [ "$n" = default ] && streams_arg='' label="pg_clone, 3 targets (default streams)"
        measure "$label" big "tgt1 tgt2 tgt3" run_clone "$BIG_LIST" "srcbig:source,tgt1:target,tgt2:target,tgt3:target" $streams_arg
        read -r server _ _ _ wcpu <<<"$BEST"
        [ "$MAX_HWM" -gt "$c3_hwm" ] && c3_hwm=$MAX_HWM c3_anon=$MAX_ANON
        note="worker $wcpu s CPU"
        if [ -n "${C1_SERVER[$n]:-}" ]; then
            ratio=$(awk -v a="$server" -v b="${C1_SERVER[$n]}" 'BEGIN { printf "%.2f", a / b }')
            note="${ratio}x one target; $note"
            [ "$n" = default ] && fan_ratio=$ratio
        fi
        [ "$n" = default ] && c3_server=$server
        add_row big "$label" "$server" "$BIG_TOTAL" "$CPU" "$note"
    done
fi
if want pipe3; then
    measure "raw binary pipes, 1 lane per target, x3" big "tgt1 tgt2 tgt3" run_pipe3
    note="3 targets; source read 3 times"
    [ -n "$PIPE1" ] && note="$(awk -v a="$BEST" -v b="$PIPE1" 'BEGIN { printf "%.2f", a / b }')x one lane; $note"
    add_row big "raw binary pipes, 1 lane per target, x3" "$BEST" "$BIG_TOTAL" "$CPU" "$note"
fi
if want pgcopydb; then
    measure "pgcopydb copy table-data, 2 jobs" big tgt1 run_pgcopydb
    add_row big "pgcopydb copy table-data (--table-jobs 2)" "$BEST" "$BIG_TOTAL" "$CPU" \
        "version $(pgcopydb --version 2>/dev/null | awk '/^pgcopydb version/ { print $3; exit }'); text COPY + VACUUM ANALYZE"
elif [ "$PGCOPYDB" != 1 ]; then
    add_row big "pgcopydb" "" "" "" "skipped: not installed, or PGCOPYDB=0"
fi
if want logrep; then
    measure "logical replication initial copy" big tgt1 run_logrep
    add_row big "logical replication initial copy" "$BEST" "$BIG_TOTAL" "$CPU" "2 sync workers, text COPY"
fi

echo "== small: $SMALL_TABLES tables of $SMALL_ROWS rows"
if want dump; then
    measure "pg_dump --data-only | psql" small tgt1 run_dump
    add_row small "pg_dump --data-only | psql (one session)" "$BEST" "$SMALL_TOTAL" "$CPU" "baseline"
    BASE_SMALL=$BEST
fi
if want dumpt; then
    measure "pg_dump | psql, with TRUNCATE" small tgt1 run_dump_truncate
    add_row small "pg_dump | psql, BEGIN; TRUNCATE; ...; COMMIT" "$BEST" "$SMALL_TOTAL" "$CPU" "empties the tables itself, like pg_clone"
    DUMPT=$BEST
fi
if want sclone; then
    tgt postgres -c "CHECKPOINT"
    t0=$(now)
    tgt tgt1 -c "TRUNCATE $SMALL_LIST"
    add_row small "TRUNCATE of the $SMALL_TABLES tables, one statement" "$(elapsed "$t0" "$(now)")" "" "" \
        "psql included; pg_clone's time includes this, the others' do not"
    measure "pg_clone, 1 target" small tgt1 run_clone "$SMALL_LIST" "srcsmall:source,tgt1:target"
    read -r s_server s_wall _ _ s_wcpu <<<"$BEST"
    add_row small "pg_clone, 1 target (ended-started)" "$s_server" "$SMALL_TOTAL" "$CPU" "worker $s_wcpu s CPU"
    add_row small "pg_clone, 1 target (wall, clone..clone_wait)" "$s_wall" "$SMALL_TOTAL" "" ""
fi
if want spipes; then
    measure "raw binary pipe per table" small tgt1 run_small_pipes
    add_row small "raw binary pipe per table (2 psql each)" "$BEST" "$SMALL_TOTAL" "$CPU" ""
fi

# ------------------------------------------------------------------------------------------- report
# The launcher's CPU while no clone runs (what it takes from every contestant on the target side).
l0=$(proc_ticks "$LAUNCHER_PID")
sleep 3
LAUNCHER_IDLE=$(awk -v t=$(($(proc_ticks "$LAUNCHER_PID") - l0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * t / hz / 3 }')

print_table() {  # title baseline rows...
    local title=$1 base=$2 line label secs rows cpu note ratio
    shift 2
    [ "$#" -gt 0 ] || return 0
    echo
    echo "$title"
    printf '%-46s %8s %6s %9s  %-15s %s\n' contestant seconds ratio rows/s "cpu src/tgt/cli" note
    for line in "$@"; do
        IFS=$'\x1f' read -r label secs rows cpu note <<<"$line"
        if [ -z "$secs" ]; then
            printf '%-46s %8s %6s %9s  %-15s %s\n' "$label" - - - - "$note"
            continue
        fi
        ratio=- rate=-
        [ -n "$rows" ] && rate=$(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", r / s }')
        [ -n "$base" ] && ratio=$(awk -v a="$secs" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
        printf '%-46s %8.2f %6s %9s  %-15s %s\n' "$label" "$secs" "$ratio" "$rate" "${cpu// //}" "$note"
    done
}
echo
echo "== results (best of $REPEAT; ratio = seconds / baseline's seconds: below 1 is faster than the baseline)"
echo "   $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM; $("$PG_BIN/postgres" --version)"
echo "   transport: $TRANSPORT; big data set: $DATASET; pg_clone.max_streams: $(tgt postgres -At -c "SHOW pg_clone.max_streams" 2>/dev/null || echo -)"
print_table "big: ${#BIG[@]} tables, $BIG_TOTAL rows, ${BIG_HEAP_MB} MB heap + ${BIG_INDEX_MB} MB primary keys (baseline: 2 lanes)" \
    "$BASE_BIG" ${ROWS_BIG[@]+"${ROWS_BIG[@]}"}
print_table "small: $SMALL_TABLES tables x $SMALL_ROWS rows (baseline: pg_dump | psql)" "$BASE_SMALL" ${ROWS_SMALL[@]+"${ROWS_SMALL[@]}"}
echo
echo "pg_clone launcher while no clone runs: ${LAUNCHER_IDLE}% of one core (taken from every contestant on the target side)"
if want clone1 || want clone3; then
    awk -v h1="$c1_hwm" -v a1="$c1_anon" -v h3="$c3_hwm" -v a3="$c3_anon" 'BEGIN {
        printf "pg_clone worker memory, peak over the big clones: 1 target VmHWM %.1f MB (RssAnon peak %.1f MB); 3 targets VmHWM %.1f MB (RssAnon peak %.1f MB)\n",
            h1 / 1024, a1 / 1024, h3 / 1024, a3 / 1024 }'
fi
echo
echo "DESIGN.md targets (met / MISSED; a miss never fails the bench):"
verdict() { awk -v v="$1" -v limit="$2" 'BEGIN { print (v < limit ? "met" : "MISSED") }'; }
if [ -n "$c1_server" ] && [ -n "$BASE_BIG" ]; then
    r=$(awk -v a="$c1_server" -v b="$BASE_BIG" 'BEGIN { printf "%.2f", a / b }')
    printf '  big: 10%% faster than 2 binary pipes (ratio <= 0.90):  %-7s %s\n' "$r" "$(verdict "$r" 0.905)"
fi
if [ -n "$fan_ratio" ]; then
    printf '  fan-out to 3 targets under 2x one target:             %-7s %s\n' "${fan_ratio}x" "$(verdict "$fan_ratio" 2)"
fi
if [ -n "$s_server" ] && [ -n "$BASE_SMALL" ]; then
    r=$(awk -v a="$s_server" -v b="$BASE_SMALL" 'BEGIN { printf "%.2f", a / b }')
    printf '  small tables vs pg_dump | psql (ratio <= 0.90):       %-7s %s\n' "$r" "$(verdict "$r" 0.905)"
fi
if [ -n "$s_server" ] && [ -n "$DUMPT" ]; then
    r=$(awk -v a="$s_server" -v b="$DUMPT" 'BEGIN { printf "%.2f", a / b }')
    printf '    (against pg_dump | psql that also truncates:       %-7s %s)\n' "$r" "$(verdict "$r" 1)"
fi
if want clone1 || want clone3; then
    m=$(awk -v a="$c1_hwm" -v b="$c3_hwm" 'BEGIN { printf "%.0f", (a > b ? a : b) / 1024 }')
    printf '  worker memory (peak VmHWM < 64 MB):                   %-7s %s\n' "${m} MB" "$(verdict "$m" 64)"
fi
