// Reads and writes of the bucardo.* catalog by the launcher and the clone workers. Each call is a
// short transaction of its own; the queue is the bucardo.clone table.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "remote/clone_runner.hpp"

namespace catalog {

bool extension_exists();

// Clones left 'running' by workers that no longer exist (a crash or restart) become 'failed'.
// after_restart: no worker of an earlier launcher can still be starting.
int fail_orphaned_clones(bool after_restart);

// The clones marked running: they hold worker slots.
int running_clones();

// Claims up to `limit` due clones, in start order; start_worker returns false when no worker slot
// was free, and the clone then stays queued. Returns the number started.
int claim_due_clones(int limit, const std::function<bool(int64_t)> &start_worker);

// Milliseconds until the earliest queued clone is due (0 if one is due now), if any is queued.
std::optional<long> next_due_in_ms();

void fail_if_running(int64_t id, const std::string &error);

struct ClaimedClone {
    pgclone::CloneJob job;
    bool cancel_requested;  // a cancel that came before the worker's pid was recorded
};

// Called by the worker: records its pid and loads the request; empty if it is no longer running.
std::optional<ClaimedClone> begin_clone(int64_t id);

bool cancel_requested(int64_t id);

// Records how a clone ended; for a clone that is done, also one bucardo.clone_table row per database
// written and table (report may be null).
void finish_clone(int64_t id, const std::string &status, const std::string &summary, const std::string &error,
                  const pgclone::CloneReport *report = nullptr);

}  // namespace catalog
