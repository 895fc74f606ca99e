#include "pg/latch_waiter.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/wait_event.h"
}

namespace pg {

namespace {

// Frees the set even when an ERROR is rethrown as an exception past it.
struct EventSet {
    WaitEventSet *set = nullptr;
    ~EventSet() {
        if (set)
            FreeWaitEventSet(set);
    }
};

}  // namespace

void LatchWaiter::check_shutdown() const {
    if (interruptible_ && *shutdown_requested_)
        throw pgclone::Error(pgclone::sqlstate::admin_shutdown,
                             "clone interrupted: the server is shutting down or the worker was terminated");
}

void LatchWaiter::set_interruptible(bool interruptible) {
    if (interruptible == interruptible_)
        return;
    interruptible_ = interruptible;
    if (interruptible)
        call([] { RESUME_INTERRUPTS(); });
    else
        call([] { HOLD_INTERRUPTS(); });
}

void LatchWaiter::wait(const std::vector<pgclone::SocketInterest> &sockets, long timeout_ms) {
    check_shutdown();
    EventSet events;
    call([&] {
#if PG_VERSION_NUM >= 170000
        // Owned by no resource owner: the destructor above frees it on every way out.
        events.set = CreateWaitEventSet(nullptr, static_cast<int>(sockets.size()) + 2);
#else
        events.set = CreateWaitEventSet(CurrentMemoryContext, static_cast<int>(sockets.size()) + 2);
#endif
        AddWaitEventToSet(events.set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
        AddWaitEventToSet(events.set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
        for (const auto &s : sockets) {
            uint32 mask = (s.read ? WL_SOCKET_READABLE : 0) | (s.write ? WL_SOCKET_WRITEABLE : 0);
            if (mask != 0)
                AddWaitEventToSet(events.set, mask, s.fd, NULL, NULL);
        }
        WaitEvent occurred[1];
        WaitEventSetWait(events.set, timeout_ms, occurred, 1, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    });
    check_shutdown();
}

}  // namespace pg
