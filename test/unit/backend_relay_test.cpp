// BackendRelay (src/remote/backend_relay.hpp): a stream thread's request runs in the thread that made the
// relay, once it serves; its exception comes back; a request abandoned before it started never runs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "remote/backend_relay.hpp"

namespace pgclone {
namespace {

// A stream's waiter: waits a little, and throws once told to stop.
class TestWaiter : public Waiter {
  public:
    void wait(const std::vector<SocketInterest> &, long) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        if (stop)
            throw Error(sqlstate::query_canceled, "stream stopped");
    }
    void set_interruptible(bool) override {}
    std::atomic<bool> stop{false};
};

TEST(BackendRelay, RunsInTheServingThread) {
    BackendRelay relay;
    std::thread::id here = std::this_thread::get_id(), ran_in;
    std::atomic<bool> done{false};
    std::thread stream([&] {
        TestWaiter waiter;
        relay.call([&] { ran_in = std::this_thread::get_id(); }, waiter);
        done = true;
    });
    while (!done) {
        relay.serve();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    stream.join();
    EXPECT_EQ(ran_in, here);
}

TEST(BackendRelay, CalledFromItsOwnThreadRunsAtOnce) {
    BackendRelay relay;
    TestWaiter waiter;
    int runs = 0;
    relay.call([&] { runs++; }, waiter);
    EXPECT_EQ(runs, 1);
}

TEST(BackendRelay, ExceptionsComeBack) {
    BackendRelay relay;
    std::atomic<bool> done{false};
    std::string caught;
    std::thread stream([&] {
        TestWaiter waiter;
        try {
            relay.call([] { throw Error(sqlstate::internal_error, "no record"); }, waiter);
        } catch (const Error &e) {
            caught = e.what();
        }
        done = true;
    });
    while (!done) {
        relay.serve();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    stream.join();
    EXPECT_EQ(caught, "no record");
}

TEST(BackendRelay, AbandonedRequestsNeverRun) {
    BackendRelay relay;
    std::atomic<int> runs{0};
    std::string caught;
    std::thread stream([&] {
        TestWaiter waiter;
        waiter.stop = true;
        try {
            relay.call([&] { runs++; }, waiter);
        } catch (const Error &e) {
            caught = e.sqlstate();
        }
    });
    stream.join();
    relay.serve();
    EXPECT_EQ(caught, sqlstate::query_canceled);
    EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace pgclone
