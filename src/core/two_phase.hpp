// Two-phase commit across every target session (pg_clone.two_phase): whether a clone uses it, the
// global ids of its prepared transactions, how often recovery retries, and what a clone says when a
// commit round without it is cut. Pure C++: the commit round itself is in remote/commit_round.cpp,
// the recorded decisions in clone_queue.cpp, the recovery in remote/prepared_recovery.cpp.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pgclone {

enum class TwoPhaseMode { Auto, On, Off };

// One server written by a clone: its databases (as registered) and its prepared-transaction slots.
struct PrepareCapacity {
    std::vector<std::string> dbs;
    int sessions = 0;      // the clone's writing sessions on this server
    int max_prepared = 0;  // max_prepared_transactions
    int in_use = 0;        // prepared transactions already there
};

struct TwoPhaseChoice {
    bool use = false;
    std::string note;    // auto without it: why, for the clone's summary
    std::string reason;  // the same, alone: database "beta" cannot take ...
    std::string error;  // on, and a server that cannot: why (the clone then fails before any change)
    std::string hint;
};

// auto: two-phase commit when more than one session writes and every server has a free slot for each
// of its sessions; on: always, or an error naming the first server that cannot; off: never.
TwoPhaseChoice choose_two_phase(TwoPhaseMode mode, const std::vector<PrepareCapacity> &servers);

// Without two-phase commit several sessions of one database cannot commit as one, so a clone of several
// streams runs in one: what its summary says about it ("two-phase commit not available (...): one
// session per target database, 1 stream instead of 3").
std::string one_session_note(TwoPhaseMode mode, const TwoPhaseChoice &choice, size_t streams);

// "pg_clone_<clone>_<n>_<tag>": names the clone, and through tag the control database, so that two
// installations writing to one server never take each other's prepared transactions.
std::string prepared_gid(int64_t clone_id, int n, const std::string &tag);

// Wait before recovery attempt number `attempt` (1, 2, ...): 1 s, doubling, at most 60 s.
long resolve_backoff_ms(int attempt);

// Where each writing database stands after a commit round without two-phase commit was cut.
enum class CommitState { Committed, RolledBack, Unknown };

struct DbCommitState {
    std::string db;
    CommitState state;
};

// "the commit round was cut at database "beta": <cause>. Committed: alpha. Rolled back: gamma.
// Unknown (COMMIT sent, no answer): beta."
std::string cut_commit_message(const std::string &db, const std::string &cause,
                               const std::vector<DbCommitState> &states);

}  // namespace pgclone
