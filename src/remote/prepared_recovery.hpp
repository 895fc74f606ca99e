// Recovery of a clone's prepared transactions (two-phase commit) after its commit round was cut: a
// worker crash, a control server restart, a target unreachable at the decision. On each database it
// waits until no session of the clone is left (a PREPARE in flight would otherwise land after the
// look), then commits or rolls back every prepared transaction of the clone it finds there.
// Pure C++ and libpq; the decision and the ids come from the control database (clone_queue.cpp).
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "remote/connection.hpp"

namespace pgclone {

struct InDoubtDb {
    std::string name;
    std::string conninfo;  // empty: the database is no longer registered
    std::vector<std::string> gids;
};

struct InDoubtOutcome {
    std::vector<std::string> resolved;  // gids committed or rolled back now, or found already gone
    std::vector<std::string> errors;    // per database that could not be finished: why
};

// commit: the recorded decision. clone_application_name: the application_name of the clone's own
// sessions ("pg_clone clone 12"); they are ended before the look. log gets one line per transaction
// resolved.
InDoubtOutcome resolve_in_doubt(const std::vector<InDoubtDb> &dbs, bool commit,
                                const std::string &clone_application_name, const ConnectDefaults &defaults,
                                Waiter &waiter, const std::function<void(const std::string &)> &log);

}  // namespace pgclone
