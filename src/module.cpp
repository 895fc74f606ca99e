// pg_clone's entry: settings (pg_clone.*) and the launcher's registration. The library must be in
// shared_preload_libraries: the launcher is a background worker started by the postmaster.

#include <climits>

#include <unistd.h>

#include "pg/progress_board.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "utils/guc.h"

#if PG_VERSION_NUM < 150000
#error "pg_clone needs PostgreSQL 15 or later (shmem_request_hook)"
#endif

#if PG_VERSION_NUM >= 180000
// Named, with the extension's version, in pg_get_loaded_modules().
PG_MODULE_MAGIC_EXT(.name = "pg_clone", .version = PG_CLONE_VERSION);
#else
PG_MODULE_MAGIC;
#endif

void _PG_init(void);
}

namespace pg::settings {

char *database = nullptr;
int naptime_s = 10;
int max_workers = 4;
char *listen_conninfo = nullptr;
int connect_timeout_s = 30;
int lock_timeout_ms = 60000;
int max_streams = 4;
int delete_max_size_kb = 256;
bool build_indexes_after = true;
int maintenance_work_mem_kb = 0;
bool copy_freeze = true;
int stall_timeout_ms = 300000;
int max_rate_kb = 0;
int split_min_size_kb = 1024 * 1024;
int log_progress_interval_ms = 0;
int two_phase = two_phase_auto;
char *test_pause_at = nullptr;

int effective_max_workers() {
    int slots = max_worker_processes - 1;  // one is the launcher's
    return max_workers < slots ? max_workers : (slots > 0 ? slots : 1);
}

}  // namespace pg::settings

namespace {

const struct config_enum_entry two_phase_options[] = {
    {"auto", pg::settings::two_phase_auto, false}, {"on", pg::settings::two_phase_on, false},
    {"off", pg::settings::two_phase_off, false},   {"true", pg::settings::two_phase_on, true},
    {"false", pg::settings::two_phase_off, true},  {"yes", pg::settings::two_phase_on, true},
    {"no", pg::settings::two_phase_off, true},     {"1", pg::settings::two_phase_on, true},
    {"0", pg::settings::two_phase_off, true},      {NULL, 0, false}};

void define_settings() {
    using namespace pg::settings;
    DefineCustomStringVariable("pg_clone.database", "Database where pg_clone's catalog and queue live.",
                               "CREATE EXTENSION pg_clone there; the launcher connects to it.", &database,
                               "postgres", PGC_POSTMASTER, 0, NULL, NULL, NULL);
    DefineCustomIntVariable(
        "pg_clone.naptime", "How often the launcher looks for due clones without a wake-up.",
        "Requests wake the launcher by NOTIFY and start times by timer; this is the backstop.", &naptime_s,
        10, 1, 3600, PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
    DefineCustomIntVariable(
        "pg_clone.max_workers", "Maximum number of clones running at once.",
        "Each running clone is a background worker; also bounded by max_worker_processes.", &max_workers, 4,
        1, 1024, PGC_SIGHUP, 0, NULL, NULL, NULL);
    DefineCustomStringVariable(
        "pg_clone.listen_conninfo", "Connection string of the launcher's LISTEN connection to this server.",
        "Empty: the server's own socket, port, control database and bootstrap superuser.", &listen_conninfo,
        "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
    DefineCustomIntVariable("pg_clone.connect_timeout", "How long a clone waits for each remote connection.",
                            NULL, &connect_timeout_s, 30, 1, 3600, PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
    DefineCustomIntVariable("pg_clone.lock_timeout",
                            "How long a clone waits for a table lock on a source or target (0: for ever).",
                            NULL, &lock_timeout_ms, 60000, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL,
                            NULL);
    // One stream per core, 2 to 4: more streams than cores compete for them (measured by bench/run.sh).
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int default_streams = cores < 2 ? 2 : (cores > 4 ? 4 : static_cast<int>(cores));
    DefineCustomIntVariable("pg_clone.max_streams", "Parallel streams of one clone, at most.",
                            "Each stream has its own session on every database and copies its own tables; "
                            "clone(..., streams => N) asks for fewer. Default: the number of CPUs, 2 to 4.",
                            &max_streams, default_streams, 1, 64, PGC_SIGHUP, 0, NULL, NULL, NULL);
    DefineCustomIntVariable(
        "pg_clone.delete_max_size",
        "Target tables up to this size are emptied with DELETE instead of TRUNCATE (0: never).",
        "TRUNCATE makes new files for a table and each of its indexes, which costs more than "
        "deleting a few thousand rows.",
        &delete_max_size_kb, 256, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_KB, NULL, NULL, NULL);
    DefineCustomBoolVariable(
        "pg_clone.build_indexes_after",
        "Build the indexes of large emptied target tables after their rows, not row by row.",
        "Tables of 8 MB or more on the source, on targets where the clone connects as a "
        "superuser. The indexes are marked not ready during the copy and rebuilt before "
        "the commit.",
        &build_indexes_after, true, PGC_SIGHUP, 0, NULL, NULL, NULL);
    // What PostgreSQL's documentation advises for restoring dumps, without ALTER ROLE on every target.
    // Off by default: on the bench's tables (1.44M keys) 64 MB, 256 MB and 1 GB built within 10% of
    // each other (bench/README.md); a sort that spills many runs gains more.
    DefineCustomIntVariable(
        "pg_clone.maintenance_work_mem",
        "maintenance_work_mem of a target session while it builds the indexes of the tables it filled "
        "(0: the target's own).",
        "Set with SET LOCAL for the builds only. At most as many sessions build at once on a server as "
        "the clone has streams.",
        &maintenance_work_mem_kb, 0, 0, MAX_KILOBYTES, PGC_SIGHUP, GUC_UNIT_KB, NULL, NULL, NULL);
    DefineCustomIntVariable(
        "pg_clone.split_min_size",
        "Tables at least this large on the source are read in slices by several streams (0: never).",
        "A slice is a range of the table's pages (ctid), one per stream, read in the clone's snapshot. Only "
        "with two-phase commit, sources of PostgreSQL 14 or later, and targets where the table needs no "
        "TRUNCATE: empty, or emptied by DELETE and without unique indexes.",
        &split_min_size_kb, 1024 * 1024, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_KB, NULL, NULL, NULL);
    // For developers and the benchmark: what FREEZE costs or saves (bench/README.md).
    DefineCustomBoolVariable("pg_clone.copy_freeze",
                             "Copy into tables the clone truncated with COPY ... FREEZE.",
                             "Their rows are then all-visible and frozen from the commit on: no VACUUM is "
                             "needed before index-only scans. For developers and benchmarks.",
                             &copy_freeze, true, PGC_SUSET, 0, NULL, NULL, NULL);
    DefineCustomIntVariable("pg_clone.stall_timeout",
                            "A copy in which no byte moves for this long fails (0: wait for ever).",
                            "A source or target that stops answering without closing its connection would "
                            "otherwise hold the clone for as long as it stays silent.",
                            &stall_timeout_ms, 300000, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
    DefineCustomIntVariable("pg_clone.max_rate",
                            "Bytes per second a clone reads from its sources, across its streams (0: no "
                            "limit).",
                            "The default of clones that give no max_rate; bucardo.clone_set_rate() changes "
                            "a running clone's.",
                            &max_rate_kb, 0, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_KB, NULL, NULL, NULL);
    DefineCustomIntVariable("pg_clone.log_progress_interval",
                            "How often a running clone logs its progress (0: never).",
                            "bucardo.clone_progress shows it at any time.", &log_progress_interval_ms, 0, 0,
                            INT_MAX, PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
    DefineCustomEnumVariable("pg_clone.two_phase",
                             "Commit every target session of a clone with two-phase commit.",
                             "auto: when more than one session writes and every target server has free "
                             "max_prepared_transactions slots, else one session after another; on: always, "
                             "refusing a clone whose targets cannot; off: never.",
                             &two_phase, two_phase_auto, two_phase_options, PGC_SIGHUP, 0, NULL, NULL, NULL);
    // For tests only: holds a clone at a named step (of its commit round, or before pg_dump), until a
    // reload names no longer that step. Costs a string comparison at each step.
    DefineCustomStringVariable(
        "pg_clone.test_pause_at", "For tests: a step at which clones wait.",
        "before_commit, after_prepare, after_decision, after_first_commit, table_after_prepare, "
        "table_after_decision or before_dump; empty: none.",
        &test_pause_at,
        "", PGC_SIGHUP, GUC_NOT_IN_SAMPLE | GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
    MarkGUCPrefixReserved("pg_clone");
}

void register_launcher() {
    BackgroundWorker worker = {};
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 5;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_clone");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "pg_clone_launcher_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "pg_clone launcher");
    snprintf(worker.bgw_type, BGW_MAXLEN, "pg_clone launcher");
    RegisterBackgroundWorker(&worker);
}

}  // namespace

void _PG_init(void) {
    if (!process_shared_preload_libraries_in_progress)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("pg_clone must be loaded via shared_preload_libraries"),
                        errhint("Add pg_clone to shared_preload_libraries in postgresql.conf and restart the "
                                "server.")));
    define_settings();
    pg::progress_init();
    // pg_upgrade starts the server with preloaded libraries; no clone may run then.
    if (IsBinaryUpgrade)
        return;
    register_launcher();
}
