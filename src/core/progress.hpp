// Live progress of a clone, one slot per table, source and target: written by the clone worker (its
// stream threads update the counters), read by any backend through bucardo.clone_progress. The slots
// live in shared memory (src/pg/progress_board.cpp); this header only says what a slot holds, in
// lock-free atomics, so that the stream threads never call into PostgreSQL to update one.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <atomic>
#include <cstdint>
#include <string>

namespace pgclone {

enum class ProgressPhase : uint32_t { Waiting = 0, Emptying, Copying, Done, Skipped };

struct ProgressSlot {
    // Who the slot is for; written once when it is claimed, while changecount is odd.
    std::atomic<uint32_t> changecount{0};
    int64_t clone_id = 0;   // 0: free
    int32_t owner_pid = 0;  // the worker that claimed it
    char source[64] = {};
    char target[64] = {};
    char table[160] = {};
    int64_t estimated_rows = -1;   // from the source's statistics; -1 when unknown
    int64_t estimated_bytes = 0;   // the source table's size on disk
    int64_t clone_started_us = 0;  // microseconds since the Unix epoch
    // Counters and phase: updated while the clone runs, each read on its own.
    std::atomic<uint32_t> phase{0};
    std::atomic<int64_t> rows{0};
    std::atomic<int64_t> bytes{0};
    std::atomic<int64_t> copy_started_us{0};
    std::atomic<int64_t> updated_us{0};

    void set_phase(ProgressPhase p) { phase.store(static_cast<uint32_t>(p), std::memory_order_relaxed); }
    void add(int64_t more_rows, int64_t more_bytes);
};
static_assert(std::atomic<int64_t>::is_always_lock_free,
              "progress counters must be lock-free in shared memory");

int64_t now_us();

// What the runner asks for: a slot per table, source and target, or nullptr when none is free (the
// clone then runs unwatched).
class ProgressBoard {
  public:
    virtual ~ProgressBoard() = default;
    virtual ProgressSlot *claim(const std::string &table, const std::string &source,
                                const std::string &target, int64_t estimated_rows,
                                int64_t estimated_bytes) = 0;
};

}  // namespace pgclone
