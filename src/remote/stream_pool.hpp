// Parallel streams of one clone. Each stream copies its own tables over its own sessions, in a thread
// of its own that runs libpq and C++ only (never a PostgreSQL function: the backend is not thread
// safe), waiting on its sockets with poll(). The calling thread, the backend's own, keeps waiting on
// its latch through its Waiter, so cancel, shutdown and postmaster death are seen as before; it then
// stops every stream and waits for them before it rethrows.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/waiter.hpp"

namespace pgclone {

// A pipe that becomes readable once stop() or notify() is called; both can be called from any thread.
class WakePipe {
  public:
    WakePipe();
    ~WakePipe();
    WakePipe(const WakePipe &) = delete;
    WakePipe &operator=(const WakePipe &) = delete;
    void notify() noexcept;
    void drain() noexcept;
    int read_fd() const { return fds_[0]; }

  private:
    int fds_[2] = {-1, -1};
};

// The Waiter of a stream thread: poll() on the sockets and on the pool's stop pipe. Throws
// Error(query_canceled) once the pool is stopping.
class PollWaiter : public Waiter {
  public:
    PollWaiter(const WakePipe &stop, const std::atomic<bool> &stopping) : stop_(stop), stopping_(stopping) {}
    void wait(const std::vector<SocketInterest> &sockets, long timeout_ms) override;
    void set_interruptible(bool) override {}

  private:
    const WakePipe &stop_;
    const std::atomic<bool> &stopping_;
};

class StreamPool {
  public:
    // A stream's work: runs in its thread with that thread's waiter; throws Error on failure.
    using Work = std::function<void(size_t stream, Waiter &waiter)>;
    // Told every second or so (and at each stream's end) from the calling thread, for monitoring.
    using Progress = std::function<void()>;

    // Runs work(0..streams-1) in parallel and returns when all have ended. If one fails, or the
    // calling thread's waiter throws (cancel, shutdown), the others are stopped, and the first real
    // error is rethrown after every thread has ended. wake_fd (if not -1) readable also calls progress.
    static void run(size_t streams, const Work &work, Waiter &caller, const Progress &progress,
                    int wake_fd = -1);
};

}  // namespace pgclone
