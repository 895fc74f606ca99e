// One clone run (run_clone in run_clone.hpp): its state and its steps, implemented in eight files,
// one for each part of a clone:
//   clone_run.cpp         connections, snapshots, streams, checking the tables on every database
//   target_setup.cpp      locking, checking and emptying the target tables
//   table_copy.cpp        the streams' copies, table after table
//   post_copy_checks.cpp  index builds, constraint and foreign key checks, ANALYZE after the copy
//   sequences.cpp         the sequences named in the table list or owned by its tables
//   verification.cpp      clone(..., verify => true): every table compared before the commit
//   commit_round.cpp      the commit (two-phase, or one database after another) and the rollback
//   table_commit.cpp      commit => 'table': each unit of linked tables committed as its copy ends,
//                         and the tables a resumed clone leaves out
//   schema_copy.cpp       clone(..., schema => 'create') and target_names: tables created on the targets
// Pure C++ and libpq.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/plan.hpp"
#include "core/progress.hpp"
#include "core/split.hpp"
#include "remote/catalog_queries.hpp"
#include "remote/connection.hpp"
#include "remote/copy_stream.hpp"
#include "remote/backend_relay.hpp"
#include "remote/run_clone.hpp"

namespace pgclone {

constexpr long first_user_oid = 16384;  // FirstNormalObjectId: built-in types share OIDs everywhere

inline const Column *find_column(const RemoteTable &table, const std::string &name) {
    for (const Column &c : table.columns)
        if (c.name == name)
            return &c;
    return nullptr;
}

inline std::string join(const std::vector<std::string> &items, const char *separator) {
    std::string out;
    for (const auto &item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

// The sessions of one stream: one per source (reading) and one per writer, by database index.
struct StreamSessions {
    std::vector<std::optional<Connection>> readers;
    std::vector<std::optional<Connection>> writers;
};

class CloneRun {
  public:
    CloneRun(const CloneJob &job, const RunnerOptions &options, Waiter &waiter)
        : job_(job), options_(options), waiter_(waiter), plan_(make_plan(roles(job), job.empty_only)),
          streams_(1), dbs_(job.dbs.size()) {
        streams_[0].readers.resize(job.dbs.size());
        streams_[0].writers.resize(job.dbs.size());
    }

    CloneReport run();

  private:
    // clone_run.cpp: the run's frame, connections, snapshots, streams, table checks.
    void phase(const std::string &what) const;
    static std::vector<DbRole> roles(const CloneJob &job);
    Connection open(size_t db);
    Connection open(size_t db, Waiter &waiter);
    ConnectRequest connect_request(size_t db) const;
    std::string quoted(Connection &conn, const RemoteTable &table) const;
    // Stream 0's sessions do the checks for all; every stream reads and writes its own tables.
    Connection &reader(size_t db, size_t stream = 0) { return *streams_[stream].readers[db]; }
    Connection &writer(size_t db, size_t stream = 0) { return *streams_[stream].writers[db]; }
    Connection &any_session(size_t db);
    template <typename F>
    void each_session(F f) {
        for (StreamSessions &stream : streams_)
            for (auto *sessions : {&stream.readers, &stream.writers})
                for (auto &conn : *sessions)
                    if (conn)
                        f(*conn);
    }
    template <typename F>
    void each_session_of(size_t stream, F f) {
        for (auto *sessions : {&streams_[stream].readers, &streams_[stream].writers})
            for (auto &conn : *sessions)
                if (conn)
                    f(*conn);
    }
    void open_sessions(const std::vector<size_t> &streams);
    void connect_all();
    std::string pick_client_encoding();
    void refuse_same_database_twice();
    void set_lock_timeout(Connection &conn);
    void refuse_own_catalog() const;
    void open_sources();
    void plan_streams();
    std::vector<size_t> plan_splits(const std::vector<int64_t> &bytes,
                                    const std::vector<std::pair<size_t, size_t>> &links);
    std::string split_refusal_on(size_t w, const RemoteTable &here, const SplitFacts &facts);
    void set_stream_work(std::vector<std::vector<Piece>> work);
    void unsplit(const std::string &reason);
    void note_splits();
    bool is_split(size_t t) const { return t < slices_.size() && slices_[t].size() > 1; }
    std::vector<size_t> guest_tables(size_t stream) const;
    void size_states();
    void open_streams();
    void resolve_on_first_source(Connection &conn);
    void check_tables(size_t db, Connection &conn);
    void check_column_types(size_t db, Connection &conn);
    void check_filters(size_t s, Connection &conn);
    CloneReport report() const;
    TableOutcome table_outcome(size_t w, size_t t) const;

    // target_setup.cpp: locking, checking and emptying the targets.
    std::string target_name(Connection &conn, size_t w, size_t t) const;
    static bool use_replica_role(Connection &conn);
    void refuse_read_only(size_t w);
    void open_writers();
    void plan_index_builds(size_t w, size_t k, Connection &conn, const std::vector<RemoteTable> &mine);
    void ask_every_stream(size_t w, std::vector<std::vector<bool>> &cheaper,
                          std::vector<std::vector<KeyReference>> &references,
                          const std::vector<std::vector<RemoteTable>> &stream_mine,
                          const std::vector<std::vector<size_t>> &whole_tables);
    void plan_referenced_tables(size_t w, size_t k, Connection &conn, const std::vector<size_t> &tables,
                                const std::vector<KeyReference> &references);
    void refuse_rows_in_seeded(size_t w, size_t k, Connection &conn);
    void refuse_delete_blockers(size_t w, size_t k, Connection &conn);
    void refuse_foreign_code(size_t w, Connection &conn, const std::vector<RemoteTable> &tables,
                             bool deleting = false) const;
    void refuse_found_code(size_t w, Connection &conn, const std::vector<RemoteTable> &tables,
                           const std::vector<ForeignCode> &found) const;
    void name_emptied_table(Error &e, size_t w, size_t k) const;
    void claim_progress();
    void set_progress(size_t t, size_t d, ProgressPhase phase);
    void prepare_writers();
    const char *lock_mode(size_t w) const;
    std::string emptying_script(Connection &conn, size_t w, const std::vector<size_t> &tables) const;

    // table_copy.cpp: the streams' copies.
    // A table whose rows were all sent, and whose targets are finishing it (see copy_table).
    struct PendingCopy {
        size_t table;
        size_t slice;
        std::vector<size_t> dests;
        std::vector<Connection *> targets;
        std::vector<ProgressSlot *> slots;
        std::chrono::steady_clock::time_point started;
    };
    std::string source_query(Connection &conn, const RemoteTable &here, size_t t, size_t slice,
                             const std::string &column_list) const;
    void copy_all();
    void log_progress_now_and_then();
    void set_copying(size_t stream, std::string what);
    int server_version(size_t db) const;
    bool binary_ok(size_t t, size_t s, const std::vector<size_t> &dests) const;
    std::string copy_in_options(size_t d, size_t t, bool binary) const;
    void finish_pending(std::optional<PendingCopy> &pending);
    void copy_table(size_t k, const Piece &piece, size_t s, const std::vector<size_t> &dests,
                    const PumpLimits &limits, std::optional<PendingCopy> &pending);

    // post_copy_checks.cpp: after the copy, before the commit.
    void check_deferrable_constraints(size_t w);
    void check_outside_keys(size_t w);
    void build_postponed_indexes();
    // The same for the given tables of stream k only (commit => 'table': in that stream's thread).
    void check_deferrable_constraints(size_t w, size_t k, const std::vector<size_t> &tables);
    void check_outside_keys(size_t w, size_t k, const std::vector<size_t> &tables);
    // alone: no other build or copy runs on the target's server (the build may use parallel workers).
    void build_postponed_indexes(size_t w, size_t k, const std::vector<size_t> &tables, bool alone);
    // Clone mode, in stream k's thread once its last copy is in: its tables' verification, index builds
    // and ANALYZE, while the other streams still copy (see post_copy_in_streams_).
    bool post_copy_fits_streams() const;
    void finish_stream(size_t k);
    void set_build_settings(Connection &conn, bool alone) const;
    void analyze_tables();
    void analyze_tables(size_t k, const std::vector<size_t> &tables);
    void send_analyze(size_t w, size_t k, const std::vector<size_t> &tables, std::vector<Connection *> &busy);
    void analyze_split_tables() noexcept;

    // verification.cpp: every table on every target against the sources, before the commit.
    void verify_tables();
    void verify_split_table(size_t t);
    // One round: per (stream, table), every side's figures at once. Calls no PostgreSQL function.
    void verify_round(const std::vector<std::pair<size_t, size_t>> &stream_tables);

    // sequences.cpp: the sequences named in the table list, and those owned by the tables.
    void plan_sequences();
    void find_sequences_on(size_t db);
    void pick_sequence_values();
    void check_target_sequences(size_t w);
    void set_sequences(size_t w);
    // On stream k's session: the sequences owned by the given tables, or (owned == false) the named ones.
    void set_sequences(size_t w, size_t k, const std::vector<size_t> &tables, bool named);

    // schema_copy.cpp: target_names, and the tables created on the targets (schema => 'create').
    void resolve_target_names();
    TableName name_on(size_t db, size_t t) const;
    void plan_schema();
    void create_before_rows(size_t w);
    void create_after_rows(size_t w);
    void finish_created(size_t w);
    void run_schema_script(size_t w, const std::string &sql, const char *what);
    void restore_session(Connection &conn);
    void join_streams(const std::string &reason);
    void one_session_for_schema();

    // commit_round.cpp: the commit, two-phase or not, and the rollback.
    void reached(const char *step);
    void choose_commit();
    void commit_all();
    void commit_two_phase();
    void roll_back_prepared(const std::vector<std::pair<size_t, size_t>> &prepared) noexcept;
    void commit_one_by_one();
    CommitState commit_outcome(size_t w, const std::string &xid);
    CommitState commit_outcome(size_t w, const std::string &xid, Waiter &waiter);
    void abort_all() noexcept;

    // table_commit.cpp: commit => 'table', and the tables a resumed clone leaves out.
    void leave_out_done_tables();
    void plan_units();
    void copy_units(size_t k, Waiter &waiter, const PumpLimits &limits);
    void begin_unit(size_t k, const std::vector<size_t> &unit);
    void finish_unit(size_t k, const std::vector<size_t> &unit, Waiter &waiter);
    void commit_unit_two_phase(size_t k, const std::vector<size_t> &unit, Waiter &waiter);
    void commit_unit_one_by_one(size_t k, const std::vector<size_t> &unit, Waiter &waiter);
    CloneReport unit_report(const std::vector<size_t> &unit, const std::vector<size_t> &writers) const;
    void finish_table_mode();
    std::vector<std::string> named_sequence_labels() const;
    Error table_mode_failure(const Error &e) const;

    const CloneJob &job_;
    const RunnerOptions &options_;
    Waiter &waiter_;
    ClonePlan plan_;
    std::vector<StreamSessions> streams_;             // stream 0 first; more once the tables are known
    // per stream: the tables it owns (locks, empties, checks and analyzes), largest first: its whole
    // tables, and the split tables whose slice 0 it copies
    std::vector<std::vector<size_t>> stream_tables_;
    std::vector<std::vector<Piece>> stream_work_;  // per stream: what it copies, whole tables and slices
    std::vector<std::vector<PageRange>> slices_;   // per table: its slices' pages when split, else none
    std::vector<std::string> no_split_;            // per table at least split_min_size: why not split
    std::mutex outcome_mutex_;  // a split table's outcome and progress, which several streams write
    std::vector<std::vector<size_t>> slices_left_;  // per table and database: slices not finished yet
    std::string client_encoding_;                     // the SET statement every session runs
    std::vector<RemoteTable> tables_;                 // as resolved on the first source
    std::vector<std::string> table_filters_;          // per table: its row filter, or empty
    std::vector<std::optional<TableName>> listed_as_;  // per table: the list's name for it (none: a pattern)
    std::vector<std::string> creating_on_;  // schema => 'create': the databases that get tables created
    std::vector<std::optional<TableName>> renamed_;    // per table: its name on the targets (target_names)
    std::vector<RemoteTable> named_sequences_;        // sequences named in the table list (first source)
    // A sequence the clone sets on every database written: named, or owned by a column of a table.
    struct SequencePlan {
        std::string label;            // as on the first source
        std::optional<size_t> table;  // owned: the table whose column owns it
        std::string column;
        SequenceState value;                         // to set: the highest of all sources
        std::vector<std::optional<RemoteTable>> on;  // per database: the sequence there, if any
    };
    std::vector<SequencePlan> sequences_;
    // One table on one database the clone writes: how it is emptied and filled, and what came of it
    // (outcome: the report's own fields, copied as they are into the clone's report).
    struct TargetTable {
        TableOutcome outcome;
        bool empty_by_delete = false;  // DELETE, not TRUNCATE
        std::optional<KeyReference> referenced_from;  // why it is emptied by DELETE, if a table refers to it
        std::vector<DeferrableConstraint> deferrable;  // checked by rebuilding their indexes
        std::vector<TableIndex> build_after;           // indexes built once the rows are in
    };
    // A foreign key from a table outside the clone, checked before the commit.
    struct OutsideKey {
        size_t table;  // the cloned table it references (or one of whose partitions it references)
        ForeignKeyCheck check;
    };
    // One database of the clone (a source, a target, or both).
    struct DbState {
        std::vector<RemoteTable> described;  // its tables, aligned with tables_ (not the first source)
        std::vector<TargetTable> tables;     // written: aligned with tables_
        bool replica = false;                // session_replication_role = replica
        bool foreign_functions = true;       // has_foreign_functions, once the tables are locked
        std::vector<SequenceOutcome> sequences_set;
        std::vector<std::string> gids;                   // per stream: its global transaction id
        std::vector<std::vector<OutsideKey>> outside_keys;  // per stream: the foreign keys its session checks
        // schema => 'create': the tables created here (per table), and the scripts that do it, run in
        // the database's one writing session: before the rows, after them, and at the end (owners, grants,
        // target names).
        std::vector<bool> create;
        std::string before_rows, after_rows, grants;
        std::vector<std::pair<std::string, std::string>> owners;  // (ALTER ... OWNER TO ..., what it names)
        std::vector<std::string> renames;                         // ALTER TABLE ... RENAME / SET SCHEMA
    };
    std::vector<DbState> dbs_;  // per database, in list order
    std::vector<TableSize> source_estimates_;  // per table, on the first source: size and rows
    // per table, source and database written: the progress slot (or nullptr)
    std::vector<std::vector<std::vector<ProgressSlot *>>> progress_;
    bool two_phase_ = false;                      // the commit round prepares every writing session
    // Clone mode: each stream verifies, builds the postponed indexes of and analyzes its own tables as
    // soon as its copies are done (finish_stream), not after every stream's.
    bool post_copy_in_streams_ = false;
    std::atomic<size_t> streams_busy_{0};  // streams whose thread has not ended yet
    std::optional<size_t> control_db_;            // the database holding pg_clone's own catalog
    std::vector<std::string> notes_;
    std::mutex copying_mutex_;
    std::vector<std::string> copying_;  // per stream: what it copies now, for report_phase
    std::chrono::steady_clock::time_point last_progress_log_{};
    // commit => 'table' (table_commit.cpp):
    std::vector<std::pair<size_t, size_t>> table_links_;  // tables joined by a foreign key or inheritance
    std::vector<std::vector<std::vector<size_t>>> stream_units_;  // per stream: its units, in copy order
    BackendRelay relay_;                                  // the streams' records, made by this thread
    mutable std::mutex unit_mutex_;                          // guards what follows, and notes_ meanwhile
    std::atomic<int> next_gid_{0};
    std::vector<std::set<size_t>> committed_on_;  // per table: the databases where it committed
    bool nothing_left_ = false;                   // a resumed clone found every table done
    bool named_sequences_set_ = false;            // commit => 'table': their last unit committed
};

}  // namespace pgclone
