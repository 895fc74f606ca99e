// Work that only the backend's own thread may do (the control database's records, which go through
// PostgreSQL functions), asked for by a stream thread (commit => 'table': a unit's commit round is
// recorded while the other streams copy on). The stream thread waits for the answer through its
// Waiter, so a stopping pool still stops it; the backend thread serves the requests when the stream
// pool wakes it (StreamPool::run's wake_fd). Pure C++.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/waiter.hpp"
#include "remote/stream_pool.hpp"

namespace pgclone {

class BackendRelay {
  public:
    // Constructed in the backend's thread, which is the one that serves.
    BackendRelay() : owner_(std::this_thread::get_id()) {}

    // Runs f in the backend's thread: now when called there, else once serve() runs, waiting for it
    // through waiter. Returns when f returned; rethrows what f threw; or, when the waiter throws (the
    // stream is stopped) before f started, rethrows that, and f never runs. So f ran to its end if and
    // only if call returns: what it records is known to the caller.
    void call(const std::function<void()> &f, Waiter &waiter);
    // The backend's thread: runs every request waiting. Never throws.
    void serve() noexcept;
    // Once the streams have ended: requests never served are dropped, never run.
    void discard() noexcept;
    int wake_fd() const { return wake_.read_fd(); }

  private:
    struct Request {
        std::function<void()> f;
        std::exception_ptr error;
        bool started = false;    // guarded by the relay's mutex
        bool abandoned = false;  // the caller was stopped before it started: never run
        bool done = false;
        WakePipe answered;
    };
    std::thread::id owner_;
    std::mutex mutex_;
    std::condition_variable done_;
    std::deque<std::shared_ptr<Request>> queue_;
    WakePipe wake_;
};

}  // namespace pgclone
