// The rate text and the token bucket; see rate_limit.hpp.
#include "core/rate_limit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/clone_options.hpp"
#include "core/error.hpp"

namespace pgclone {

int64_t parse_rate(const std::string &text) {
    auto refuse = [&]() {
        return Error(sqlstate::invalid_parameter_value,
                     "invalid rate " + quote_literal(text) + ": bytes per second, with kB, MB, GB or TB", "",
                     "For example '50MB' (50 megabytes per second), or '0' for no limit.");
    };
    size_t i = 0;
    auto blanks = [&] {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            i++;
    };
    blanks();
    if (i == text.size() || text[i] < '0' || text[i] > '9')
        throw refuse();
    constexpr int64_t max = std::numeric_limits<int64_t>::max();
    int64_t number = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; i++) {
        if (number > (max - (text[i] - '0')) / 10)
            throw refuse();
        number = number * 10 + (text[i] - '0');
    }
    blanks();
    std::string unit = text.substr(i);
    while (!unit.empty() && (unit.back() == ' ' || unit.back() == '\t'))
        unit.pop_back();
    int64_t multiplier = 1;
    if (unit == "kB")
        multiplier = int64_t{1} << 10;
    else if (unit == "MB")
        multiplier = int64_t{1} << 20;
    else if (unit == "GB")
        multiplier = int64_t{1} << 30;
    else if (unit == "TB")
        multiplier = int64_t{1} << 40;
    else if (!unit.empty() && unit != "B")
        throw refuse();
    if (number > max / multiplier)
        throw refuse();
    return number * multiplier;
}

namespace {
int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
}  // namespace

RateLimit::RateLimit(int64_t bytes_per_second, Clock clock)
    : clock_(clock ? std::move(clock) : Clock(steady_ns)), rate_(std::max<int64_t>(0, bytes_per_second)),
      limited_(rate_ != 0) {}

void RateLimit::refill() {
    int64_t now = clock_();
    // The bucket fills from the first read on, not while the clone connects and prepares its targets.
    if (!started_) {
        started_ = true;
        refilled_at_ = now;
        return;
    }
    if (rate_ > 0 && now > refilled_at_)
        balance_ =
            std::min(static_cast<double>(rate_),
                     balance_ + static_cast<double>(rate_) * static_cast<double>(now - refilled_at_) / 1e9);
    refilled_at_ = now;
}

void RateLimit::set_rate(int64_t bytes_per_second) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_)
        refill();
    bytes_per_second = std::max<int64_t>(0, bytes_per_second);
    // Unlimited until now: the bucket starts empty, as at the start.
    if (rate_ == 0)
        balance_ = 0;
    rate_ = bytes_per_second;
    limited_.store(rate_ != 0);
    balance_ = std::min(balance_, static_cast<double>(rate_));
}

int64_t RateLimit::rate() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return rate_;
}

long RateLimit::ms_until_ready() {
    if (!limited_.load(std::memory_order_relaxed))
        return 0;
    std::lock_guard<std::mutex> lock(mutex_);
    if (rate_ == 0)
        return 0;
    refill();
    if (balance_ >= 0)
        return 0;
    return std::max(1L, static_cast<long>(std::ceil(-balance_ * 1000.0 / static_cast<double>(rate_))));
}

void RateLimit::take(int64_t bytes) {
    if (!limited_.load(std::memory_order_relaxed))
        return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (rate_ == 0)
        return;
    refill();
    balance_ -= static_cast<double>(bytes);
}

}  // namespace pgclone
