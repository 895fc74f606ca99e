// Runs one clone request against the remote databases (docs/architecture.md, "The promises"):
// connect everywhere, take every source snapshot, check every table everywhere, then empty and fill the
// targets in one transaction each and commit them together. Pure C++ and libpq; waits through a Waiter.
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

#include "core/parse.hpp"
#include "core/progress.hpp"
#include "core/two_phase.hpp"
#include "remote/connection.hpp"
#include "remote/copy_stream.hpp"

namespace pgclone {

struct DbSpec {
    std::string name;
    std::string conninfo;
    DbRole role;
    // The requester's user mapping (bucardo.set_mapping), if any: logs in instead of the conninfo's.
    std::string login_user;
    std::string login_password;
};

struct CloneJob {
    int64_t id = 0;
    bool empty_only = false;
    int streams = 1;        // parallel streams at most (never more than tables)
    bool sequences = true;  // the sequences owned by the tables follow them
    bool analyze = true;    // ANALYZE every target table filled, before the commit
    // Per table (aligned with tables): a row filter, an SQL condition run on the source ("" for none).
    std::vector<std::string> filters;
    bool verify = false;        // compare every table on every target with the source before the commit
    bool empty_delete = false;  // empty targets by DELETE (readers keep the old rows), not TRUNCATE
    std::vector<TableName> tables;
    std::vector<DbSpec> dbs;
};

struct CloneReport;

// A prepared transaction of a clone: the database it is on, and its global id.
struct PreparedXact {
    std::string db;
    std::string gid;
};

// The control database's record of a clone's commit round (catalog.cpp). Every call has committed
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
    // database_identity() of the control database: its tables in schema bucardo are never cloned.
    std::string control_identity;
    PumpLimits limits;
    // pg_clone.two_phase, and where the commit round is recorded (nullptr: nowhere, and no two-phase
    // commit). gid_tag names the control database in global transaction ids.
    TwoPhaseMode two_phase = TwoPhaseMode::Auto;
    CommitRecord *record = nullptr;
    std::string gid_tag;
    // Where live progress goes (nullptr: nowhere).
    ProgressBoard *progress = nullptr;
    // A progress line goes to log every this often while the streams copy (0: never).
    long log_progress_interval_ms = 0;
    std::function<void(const std::string &)> log;
    // Told what the clone is doing now ("copying public.foo from alpha into beta"), for monitoring.
    std::function<void(const std::string &)> report_phase;
};

struct TableOutcome {
    TableOutcome() = default;
    TableOutcome(std::string table_, int64_t rows_, bool skipped_)
        : table(std::move(table_)), rows(rows_), skipped(skipped_) {}

    std::string table;
    int64_t rows = 0;
    bool skipped = false;          // empty_only: the table was not empty
    int64_t bytes = 0;             // COPY data sent
    double seconds = 0;            // from its first COPY to its target's answer
    std::string format;            // binary or text ("" when nothing was copied)
    std::string emptied;           // truncate, delete or none
    std::optional<bool> verified;  // verify: whether rows and checksum matched the source
};

struct SequenceOutcome {
    std::string sequence;  // public.foo_id_seq
    int64_t last_value = 0;
    bool is_called = false;
};

struct WriterOutcome {
    std::string db;
    std::vector<TableOutcome> tables;
    std::vector<SequenceOutcome> sequences;
};

struct CloneReport {
    std::vector<WriterOutcome> writers;
    std::vector<std::string> notes;
    // "beta: 2 tables, 30 rows (public.foo 10, public.bar 20); gamma: ..."
    std::string summary() const;
};

// Throws pgclone::Error naming the database and table; every target is then left unchanged.
CloneReport run_clone(const CloneJob &job, const RunnerOptions &options, Waiter &waiter);

}  // namespace pgclone
