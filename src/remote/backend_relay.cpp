#include "remote/backend_relay.hpp"

#include <utility>

namespace pgclone {

void BackendRelay::call(const std::function<void()> &f, Waiter &waiter) {
    if (std::this_thread::get_id() == owner_) {
        f();
        return;
    }
    auto request = std::make_shared<Request>();
    request->f = f;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(request);
    }
    wake_.notify();
    try {
        for (;;) {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (request->done)
                    break;
            }
            waiter.wait({{request->answered.read_fd(), true, false}}, 1000);
            request->answered.drain();
        }
    } catch (...) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!request->started) {
            request->abandoned = true;
            throw;
        }
        // Already running in the backend's thread (a short transaction): its outcome is awaited.
        done_.wait(lock, [&] { return request->done; });
    }
    if (request->error)
        std::rethrow_exception(request->error);
}

void BackendRelay::serve() noexcept {
    wake_.drain();
    for (;;) {
        std::shared_ptr<Request> request;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (queue_.empty())
                return;
            request = std::move(queue_.front());
            queue_.pop_front();
            if (request->abandoned)
                continue;
            request->started = true;
        }
        std::exception_ptr error;
        try {
            request->f();
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            request->error = error;
            request->done = true;
        }
        done_.notify_all();
        request->answered.notify();
    }
}

void BackendRelay::discard() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.clear();
}

}  // namespace pgclone
