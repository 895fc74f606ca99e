// Reads and writes of the bucardo.* catalog by the launcher and the clone workers. Each call is a
// short transaction of its own; the queue is the bucardo.clone table.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "remote/prepared_recovery.hpp"
#include "remote/run_clone.hpp"

namespace queue {

bool extension_exists();

// Whether the installed extension is version 1.2 or later (two-phase commit, filters, verify...).
bool has_1_2_catalog();

// Clones left 'running' by workers that no longer exist (a crash or restart) become 'failed', or,
// when they have prepared transactions to resolve, wait for the recovery (resolve_at).
// after_restart: no worker of an earlier launcher can still be starting.
struct Orphans {
    int failed = 0;
    int to_resolve = 0;
};
Orphans handle_orphaned_clones(bool after_restart, bool two_phase);

// The clones marked running: they hold worker slots.
int running_clones(bool two_phase);

// Claims up to `limit` due clones, in start order; start_worker returns false when no worker slot
// was free, and the clone then stays queued. Returns the number started.
int claim_due_clones(int limit, const std::function<bool(int64_t)> &start_worker);

// Claims up to `limit` clones whose prepared transactions are due for a recovery attempt;
// start_worker as above. Returns the number started.
int claim_due_resolutions(int limit, const std::function<bool(int64_t)> &start_worker);

// Milliseconds until the earliest queued clone (or recovery attempt) is due (0 if one is due now).
std::optional<long> next_due_in_ms(bool two_phase);

struct ClaimedClone {
    pgclone::CloneJob job;
    bool cancel_requested;  // a cancel that came before the worker's pid was recorded
    int retries = 0;        // clone(..., retries => N)
    bool superuser = true;  // requested by a superuser (else: grants checked, passwords required)
};

// A failed attempt of a clone that will be run again.
void record_attempt(int64_t id, int attempt, const std::string &started, const std::string &error);
std::string now_text();  // the control server's clock_timestamp(), as text

// Called by the worker: records its pid and loads the request; empty if it is no longer running.
std::optional<ClaimedClone> begin_clone(int64_t id);

bool cancel_requested(int64_t id);
// The clone's max_rate in bytes per second (bucardo.clone_set_rate changes it while it runs); none: the
// setting pg_clone.max_rate.
std::optional<int64_t> max_rate(int64_t id);

// The commit round's records (see pgclone::CommitRecord): each call commits before it returns.
std::string gid_tag();  // the control database's system identifier and oid
void record_prepares(int64_t id, const std::vector<pgclone::PreparedXact> &xacts);
void record_decision(int64_t id, bool commit, const pgclone::CloneReport *report);
void record_resolved(const std::string &gid, bool committed);
void record_commit_round(int64_t id);  // a round without two-phase commit begins
void record_committed(int64_t id, const std::string &db, const std::string &gid);  // and commits db
// commit => 'table': a unit's rows in bucardo.clone_table, with (gids not empty) the decision "commit"
// for those prepared transactions, in one transaction (see CommitRecord::tables_committed).
void record_tables_committed(int64_t id, const std::vector<std::string> &gids, const pgclone::CloneReport &report);
// commit => 'table': the (table, database) pairs the clone has committed so far (a retry leaves them out).
std::vector<std::pair<std::string, std::string>> committed_tables(int64_t id);

// Prepared transactions of the clone not yet known to be committed or rolled back.
int unresolved_transactions(int64_t id);
// Leaves the clone running, for the launcher's recovery in delay_ms; error says why, if known.
void await_resolution(int64_t id, const std::string &error, long delay_ms);

// A recovery worker's view of its clone: the decision (recorded now as rollback if there was none)
// and the unresolved transactions, by database.
struct Resolution {
    bool commit = false;
    int attempts = 0;  // this one included
    std::vector<pgclone::InDoubtDb> dbs;
    // commit => 'table': each unit has its own decision. dbs then holds the transactions decided commit
    // (state 'prepared'), and rollback_dbs those never decided ('preparing').
    bool per_table = false;
    std::vector<pgclone::InDoubtDb> rollback_dbs;
};
std::optional<Resolution> begin_resolution(int64_t id);
// Every transaction resolved: the clone ends done (commit) or failed (rollback).
void finish_resolution(int64_t id, bool commit, bool per_table = false);
// Some still unresolved: the next attempt after a back-off.
void retry_resolution(int64_t id, int attempts, const std::string &error);

// Records how a clone ended; for a clone that is done, also one bucardo.clone_table row per database
// written and table (report may be null).
// How a clone ended (bucardo.clone.status).
enum class Ended { Done, Failed, Cancelled };
const char *status_name(Ended ended);

void finish_clone(int64_t id, Ended ended, const std::string &summary, const std::string &error,
                  const pgclone::CloneReport *report = nullptr);

}  // namespace queue
