// The server's Waiter: a WaitEventSet with our latch, postmaster death and the sockets. Every wake is
// followed by CHECK_FOR_INTERRUPTS (a cancel becomes an ERROR, rethrown as pgclone::Error) and by a
// look at the shutdown flag that the process's SIGTERM handler sets.
#pragma once

#include <csignal>
#include <vector>

#include "core/waiter.hpp"

namespace pg {

class LatchWaiter : public pgclone::Waiter {
  public:
    explicit LatchWaiter(volatile sig_atomic_t *shutdown_requested) : shutdown_requested_(shutdown_requested) {}
    void wait(const std::vector<pgclone::SocketInterest> &sockets, long timeout_ms) override;
    void set_interruptible(bool interruptible) override;

  private:
    void check_shutdown() const;

    volatile sig_atomic_t *shutdown_requested_;
    bool interruptible_ = true;
};

}  // namespace pg
