// How the remote code waits: on sockets, with a timeout. The server's implementation also wakes for
// its latch and postmaster death, and turns cancel and shutdown requests into pgclone::Error.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <vector>

namespace pgclone {

struct SocketInterest {
    int fd;
    bool read;
    bool write;
};

class Waiter {
  public:
    virtual ~Waiter() = default;
    // Returns when a socket is ready as asked, timeout_ms passed (-1: no timeout) or the process was
    // woken; callers re-check their state afterwards. Throws pgclone::Error when asked to stop.
    virtual void wait(const std::vector<SocketInterest> &sockets, long timeout_ms) = 0;
    // Cancel and shutdown requests are held back while false (the commit phase).
    virtual void set_interruptible(bool interruptible) = 0;
};

}  // namespace pgclone
