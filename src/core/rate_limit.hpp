// clone(..., max_rate => '50MB'): the rate text, and the token bucket that holds a clone's streams to it.
// Pure C++: no PostgreSQL headers, unit-tested by test/unit with GoogleTest.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace pgclone {

// Bytes per second from '1500000', '512kB', '50MB', '1GB', '2TB' (PostgreSQL's memory units, as
// written by PostgreSQL: B, kB, MB, GB, TB, multiples of 1024), blanks allowed around the number and
// unit. 0 means unlimited. Throws pgclone::Error (22023) for a negative number, anything else, or more
// than fits in a bigint.
int64_t parse_rate(const std::string &text);

// A token bucket shared by all the streams of one clone, counting the COPY bytes read from the sources.
// It holds at most one second's worth, so that a pause never turns into a burst of more than that, and
// starts empty at the first read, so that a clone's first second is no faster than the others. Reading may go
// on while the balance is not negative; each row read is then taken, which may overdraw it by that row.
// Thread-safe: the streams take, the backend thread changes the rate.
class RateLimit {
  public:
    using Clock = std::function<int64_t()>;  // nanoseconds, monotonic
    explicit RateLimit(int64_t bytes_per_second, Clock clock = {});

    // 0: unlimited. The balance is kept (up to the new second's worth).
    void set_rate(int64_t bytes_per_second);
    int64_t rate() const;
    // Milliseconds until reading may go on (0: now).
    long ms_until_ready();
    void take(int64_t bytes);

  private:
    void refill();  // under mutex_

    Clock clock_;
    mutable std::mutex mutex_;
    int64_t rate_;
    // rate_ != 0, read without the mutex: an unlimited clone (the common case) pays one atomic load per
    // row, not a lock its streams contend for.
    std::atomic<bool> limited_;
    double balance_ = 0;  // bytes
    bool started_ = false;
    int64_t refilled_at_ = 0;
};

}  // namespace pgclone
