#include "core/rate_limit.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using pgclone::parse_rate;
using pgclone::RateLimit;

TEST(ParseRate, Units) {
    EXPECT_EQ(parse_rate("1500000"), 1500000);
    EXPECT_EQ(parse_rate("0"), 0);
    EXPECT_EQ(parse_rate("512kB"), 512 * 1024);
    EXPECT_EQ(parse_rate("50MB"), 50LL * 1024 * 1024);
    EXPECT_EQ(parse_rate(" 1 GB "), 1LL << 30);
    EXPECT_EQ(parse_rate("2TB"), 2LL << 40);
    EXPECT_EQ(parse_rate("100B"), 100);
}

TEST(ParseRate, Refused) {
    for (const char *bad : {"", " ", "-1", "-5MB", "1.5MB", "50mb", "50 M", "MB", "1e6", "abc", "5MBx",
                            "9223372036854775808", "9000000TB", "8388608TB"}) {
        try {
            parse_rate(bad);
            ADD_FAILURE() << bad;
        } catch (const pgclone::Error &e) {
            EXPECT_EQ(e.sqlstate(), std::string("22023")) << bad;
        }
    }
    EXPECT_EQ(parse_rate("8388607TB"), 8388607LL << 40);
}

namespace {
struct FakeClock {
    int64_t ns = 0;
    void advance_ms(int64_t ms) { ns += ms * 1000000; }
};
}  // namespace

TEST(RateLimit, StartsEmptyAndRefillsContinuously) {
    FakeClock clock;
    RateLimit limit(1000, [&] { return clock.ns; });
    EXPECT_EQ(limit.ms_until_ready(), 0);  // balance 0: may read
    limit.take(500);
    EXPECT_EQ(limit.ms_until_ready(), 500);
    clock.advance_ms(250);
    EXPECT_EQ(limit.ms_until_ready(), 250);
    clock.advance_ms(250);
    EXPECT_EQ(limit.ms_until_ready(), 0);
}

TEST(RateLimit, EmptyAtTheFirstRead) {
    FakeClock clock;
    RateLimit limit(1000, [&] { return clock.ns; });
    clock.advance_ms(5000);  // connecting, preparing the targets
    limit.set_rate(1000);    // the server re-reads the rate meanwhile
    clock.advance_ms(5000);
    EXPECT_EQ(limit.ms_until_ready(), 0);
    limit.take(1000);
    EXPECT_EQ(limit.ms_until_ready(), 1000);
}

TEST(RateLimit, NoBurstOfMoreThanOneSecond) {
    FakeClock clock;
    RateLimit limit(1000, [&] { return clock.ns; });
    EXPECT_EQ(limit.ms_until_ready(), 0);
    clock.advance_ms(60000);  // an idle minute saves one second's worth only
    limit.take(1000);
    EXPECT_EQ(limit.ms_until_ready(), 0);
    limit.take(1);
    EXPECT_EQ(limit.ms_until_ready(), 1);
}

TEST(RateLimit, AverageRateHolds) {
    FakeClock clock;
    RateLimit limit(2 * 1024 * 1024, [&] { return clock.ns; });
    int64_t bytes = 0;
    while (bytes < 8 * 1024 * 1024) {
        long wait = limit.ms_until_ready();
        if (wait > 0) {
            clock.advance_ms(wait);
            continue;
        }
        limit.take(8192);
        bytes += 8192;
    }
    EXPECT_NEAR(static_cast<double>(clock.ns) / 1e9, 4.0, 0.01);
}

TEST(RateLimit, RateChangesAtAnyTime) {
    FakeClock clock;
    RateLimit limit(1000, [&] { return clock.ns; });
    limit.take(1000);
    EXPECT_EQ(limit.ms_until_ready(), 1000);
    limit.set_rate(10000);
    EXPECT_EQ(limit.ms_until_ready(), 100);
    limit.set_rate(0);
    EXPECT_EQ(limit.rate(), 0);
    EXPECT_EQ(limit.ms_until_ready(), 0);
    limit.take(1000000);
    EXPECT_EQ(limit.ms_until_ready(), 0);
    clock.advance_ms(5000);
    limit.set_rate(1000);  // from unlimited: empty, no saved burst
    limit.take(100);
    EXPECT_EQ(limit.ms_until_ready(), 100);
}
