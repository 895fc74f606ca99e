// run_clone: runs one clone request (core/clone_job.hpp) against the remote databases
// (docs/architecture.md, "The life of a clone"), with the options the server gives it and the record of
// its commit round. Pure C++ and libpq; waits through a Waiter.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clone_job.hpp"
#include "core/progress.hpp"
#include "core/two_phase.hpp"
#include "remote/connection.hpp"
#include "remote/copy_stream.hpp"

namespace pgclone {

// A prepared transaction of a clone: the database it is on, and its global id.
struct PreparedXact {
    std::string db;
    std::string gid;
};

// The control database's record of a clone's commit round (clone_queue.cpp). Every call has committed
// when it returns; a call that cannot record throws.
class CommitRecord {
  public:
    virtual ~CommitRecord() = default;
    // Before the first PREPARE TRANSACTION: every id about to be prepared.
    virtual void will_prepare(const std::vector<PreparedXact> &xacts) = 0;
    // The decision, before the first COMMIT PREPARED (or ROLLBACK PREPARED); with commit, the report.
    virtual void decide(bool commit, const CloneReport *report) = 0;
    // A prepared transaction committed or rolled back on its database.
    virtual void resolved(const std::string &gid, bool committed) = 0;
    // A commit round without two-phase commit begins: from now on the targets may end up split.
    virtual void commit_round_begins() = 0;
    // That round committed database db (recorded under gid, the id it would have prepared).
    virtual void committed(const std::string &db, const std::string &gid) = 0;
    // A named step of the commit round (pg_clone.test_pause_at may hold the clone there).
    virtual void reached(const char *step) = 0;
    // commit => 'table': the tables of report committed on its databases, recorded (one
    // bucardo.clone_table row per table and database). With gids, in the same transaction, the decision
    // "commit" for those prepared transactions (already recorded by will_prepare), before the first
    // COMMIT PREPARED; throws if any of them is no longer 'preparing' (a recovery rolled it back).
    virtual void tables_committed(const std::vector<std::string> &gids, const CloneReport &report) = 0;
};

// A program of the server's own installation (pg_dump, pg_restore), run for clone(..., schema =>
// 'create') by RunnerOptions::run_tool: no shell, an argument vector, stdout and stderr captured.
struct ToolRun {
    std::string program;            // "pg_dump": found in the server's bindir
    std::vector<std::string> args;  // after argv[0]
    // Added to the server's environment (a value here replaces the server's): PGPASSWORD, never an
    // argument that ps would show.
    std::vector<std::pair<std::string, std::string>> env;
    size_t max_output = size_t(256) << 20;  // a longer stdout fails the run
};
struct ToolResult {
    int status = 0;   // the exit status; 128 + the signal that ended it
    std::string out;  // stdout
    std::string err;  // stderr, its first 64 kB
};

struct RunnerOptions {
    ConnectDefaults connect;
    int lock_timeout_ms = 60000;
    // Target tables up to this size are emptied with DELETE rather than TRUNCATE (0: never).
    int64_t delete_below_bytes = 0;
    // A table this large on the source is copied into a TRUNCATEd table, never a DELETEd one, and
    // (with build_indexes_after, on targets where the clone is a superuser) gets its indexes built
    // once its rows are in rather than row by row.
    int64_t large_table_bytes = 8 * 1024 * 1024;
    bool build_indexes_after = false;
    // maintenance_work_mem of a target session while it builds indexes (pg_clone.maintenance_work_mem;
    // 0: the target's own setting).
    int64_t build_memory_kb = 0;
    // pg_clone.split_min_size: a table this large on the source (pg_table_size: heap and TOAST) is read
    // in ctid ranges by several streams, where its targets allow it (0: never).
    int64_t split_min_bytes = 0;
    // COPY ... FREEZE into the tables the clone truncated (pg_clone.copy_freeze; off only to measure it).
    bool copy_freeze = true;
    // database_identity() of the control database: its tables in schema bucardo are never cloned.
    std::string control_identity;
    PumpLimits limits;
    // pg_clone.two_phase, and where the commit round is recorded (nullptr: nowhere, and no two-phase
    // commit). gid_tag names the control database in global transaction ids.
    TwoPhaseMode two_phase = TwoPhaseMode::Auto;
    CommitRecord *record = nullptr;
    std::string gid_tag;
    // The first number of this run's global transaction ids (commit => 'table': every unit takes new
    // ones; a retry of the clone starts past its earlier attempts').
    int gid_base = 0;
    // Where live progress goes (nullptr: nowhere).
    ProgressBoard *progress = nullptr;
    // A progress line goes to log every this often while the streams copy (0: never).
    long log_progress_interval_ms = 0;
    std::function<void(const std::string &)> log;
    // Told what the clone is doing now ("copying public.foo from alpha into beta"), for monitoring.
    std::function<void(const std::string &)> report_phase;
    // clone(..., schema => 'create'): runs pg_dump and pg_restore (the server's, so as new as the
    // server: tool_version is its PG_VERSION_NUM), waiting through the clone's Waiter; their files go
    // in a directory of their own made under scratch_dir. Unset: tables are never created.
    std::function<ToolResult(const ToolRun &)> run_tool;
    int tool_version = 0;
    std::string scratch_dir;
    // Called about every second while the streams copy, in the caller's thread (never a stream's): the
    // server re-reads the clone's max_rate there into limits.rate.
    std::function<void()> every_second;
};

// Throws pgclone::Error naming the database and table; every target is then left unchanged.
CloneReport run_clone(const CloneJob &job, const RunnerOptions &options, Waiter &waiter);

}  // namespace pgclone
