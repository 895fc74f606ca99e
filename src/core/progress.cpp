#include "core/progress.hpp"

#include <chrono>

namespace pgclone {

int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void ProgressSlot::add(int64_t more_rows, int64_t more_bytes) {
    rows.fetch_add(more_rows, std::memory_order_relaxed);
    bytes.fetch_add(more_bytes, std::memory_order_relaxed);
    updated_us.store(now_us(), std::memory_order_relaxed);
}

}  // namespace pgclone
