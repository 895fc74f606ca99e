// The COPY pump: one COPY TO STDOUT on a source feeds COPY FROM STDIN on every target at once, with
// non-blocking libpq on all sides and a bounded FanOutBuffer in between. No table is held in memory.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "core/rate_limit.hpp"
#include "remote/connection.hpp"

namespace pgclone {

struct PumpLimits {
    size_t chunk_size = 256 * 1024;
    size_t max_buffered = 8 * 1024 * 1024;  // for the whole clone: shared by its streams
    long stall_timeout_ms = 0;              // no byte moved for this long fails the copy (0: wait for ever)
    // max_rate: the clone's bucket, shared by its streams, for the bytes read from the sources (nullptr:
    // no limit). A wait for it is not a stall.
    RateLimit *rate = nullptr;
};

struct CopyCounts {
    int64_t source_rows = 0;
    std::vector<int64_t> target_rows;   // one per target, in the order given
    std::vector<int64_t> target_bytes;  // COPY data sent to each target
};

// The source must be in COPY OUT state and every target in COPY IN state. Errors name the database
// and table_label.
// progress, if given, has one slot (or nullptr) per target: rows and bytes as each chunk is sent.
// With FinishTargets::Later the targets' COPY is ended but its result is left unread (target_rows
// stays empty): the caller starts the source's next COPY first, then calls finish_copy_in, so that
// the source starts on the next table while the targets finish this one.
enum class FinishTargets { Now, Later };
CopyCounts pump_copy(Connection &source, const std::vector<Connection *> &targets,
                     const std::string &table_label, const PumpLimits &limits,
                     const std::vector<ProgressSlot *> &progress = {},
                     FinishTargets finish = FinishTargets::Now);

// Reads the result of each target's ended COPY: the rows it took.
std::vector<int64_t> finish_copy_in(const std::vector<Connection *> &targets, const std::string &table_label);

}  // namespace pgclone
