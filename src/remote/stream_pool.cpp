#include "remote/stream_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace pgclone {

WakePipe::WakePipe() {
    if (pipe2(fds_, O_NONBLOCK | O_CLOEXEC) != 0)
        throw Error(sqlstate::internal_error, "could not create a pipe for the clone's streams");
}

WakePipe::~WakePipe() {
    for (int fd : fds_)
        if (fd >= 0)
            close(fd);
}

void WakePipe::notify() noexcept {
    char byte = 1;
    // A full pipe is readable already: losing this byte loses no wake-up.
    while (write(fds_[1], &byte, 1) < 0 && errno == EINTR) {
    }
}

void WakePipe::drain() noexcept {
    char bytes[64];
    while (read(fds_[0], bytes, sizeof(bytes)) > 0) {
    }
}

void PollWaiter::wait(const std::vector<SocketInterest> &sockets, long timeout_ms) {
    std::vector<pollfd> fds;
    fds.push_back({stop_.read_fd(), POLLIN, 0});
    for (const SocketInterest &s : sockets)
        fds.push_back({s.fd, static_cast<short>((s.read ? POLLIN : 0) | (s.write ? POLLOUT : 0)), 0});
    if (!stopping_.load())
        (void)poll(fds.data(), fds.size(), timeout_ms < 0 ? -1 : static_cast<int>(timeout_ms));
    if (stopping_.load())
        throw Error(sqlstate::query_canceled, "stream stopped");
}

namespace {

struct StreamState {
    std::thread thread;
    std::optional<Error> failure;
    bool ended = false;  // guarded by the pool's mutex
};

}  // namespace

void StreamPool::run(size_t streams, const Work &work, Waiter &caller, const Progress &progress, int wake_fd) {
    WakePipe stop;
    WakePipe ended;
    std::atomic<bool> stopping{false};
    std::mutex mutex;
    std::vector<StreamState> states(streams);
    std::optional<size_t> first_failed;  // the stream whose failure stopped the others

    auto body = [&](size_t k) {
        std::optional<Error> failure;
        try {
            PollWaiter waiter(stop, stopping);
            work(k, waiter);
        } catch (const Error &e) {
            failure = e;
        } catch (const std::bad_alloc &) {
            failure = Error(sqlstate::out_of_memory, "out of memory in a clone stream");
        } catch (const std::exception &e) {
            failure = Error(sqlstate::internal_error, std::string("clone stream failed: ") + e.what());
        }
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (failure && !first_failed && !stopping.load())
                first_failed = k;
            states[k].failure = std::move(failure);
            states[k].ended = true;
        }
        ended.notify();
    };

    // Signals belong to the backend's own thread: the streams start with all of them blocked.
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &saved);
    size_t started = 0;
    std::optional<Error> start_failure;
    try {
        for (; started < streams; started++)
            states[started].thread = std::thread(body, started);
    } catch (const std::exception &e) {
        start_failure =
            Error(sqlstate::internal_error, std::string("could not start a clone stream: ") + e.what());
    }
    pthread_sigmask(SIG_SETMASK, &saved, nullptr);

    auto stop_all = [&] {
        stopping.store(true);
        stop.notify();
    };
    auto join_all = [&] {
        for (size_t k = 0; k < started; k++)
            if (states[k].thread.joinable())
                states[k].thread.join();
    };

    std::optional<Error> caller_failure = start_failure;
    if (start_failure)
        stop_all();
    try {
        for (;;) {
            size_t done = 0;
            bool failed = false;
            {
                std::lock_guard<std::mutex> lock(mutex);
                for (size_t k = 0; k < started; k++) {
                    done += states[k].ended;
                    failed |= states[k].failure.has_value();
                }
            }
            if (failed)
                stop_all();
            if (done == started)
                break;
            std::vector<SocketInterest> wake = {{ended.read_fd(), true, false}};
            if (wake_fd >= 0)
                wake.push_back({wake_fd, true, false});
            caller.wait(wake, 1000);
            ended.drain();
            if (progress && !stopping.load())
                progress();
        }
    } catch (const Error &e) {
        // Cancel or shutdown seen by the backend: stop the streams, then report it.
        caller_failure = e;
        stop_all();
    } catch (...) {
        stop_all();
        join_all();
        throw;
    }
    join_all();

    // Cancel or shutdown first; then the failure that made the others stop.
    if (caller_failure)
        throw *caller_failure;
    if (first_failed)
        throw *states[*first_failed].failure;
}

}  // namespace pgclone
