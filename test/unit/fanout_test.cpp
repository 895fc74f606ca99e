// Unit tests of src/core/fanout: the COPY pump's bounded buffer shared by every target.
#include "core/fanout.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using pgclone::FanOutBuffer;

namespace {

void append(FanOutBuffer &buffer, const std::string &text) { buffer.append(text.data(), text.size()); }

// Everything queued for one consumer, consumed in order.
std::string drain(FanOutBuffer &buffer, size_t consumer) {
    std::string out;
    while (buffer.has_data(consumer)) {
        out += buffer.front(consumer);
        buffer.consume(consumer);
    }
    return out;
}

size_t queued_chunks(FanOutBuffer buffer, size_t consumer) {
    size_t chunks = 0;
    while (buffer.has_data(consumer)) {
        buffer.consume(consumer);
        chunks++;
    }
    return chunks;
}

TEST(FanOutBuffer, StartsEmptyAndAccepting) {
    FanOutBuffer buffer(2, 8, 32);
    EXPECT_EQ(buffer.consumers(), 2u);
    EXPECT_EQ(buffer.buffered_bytes(), 0u);
    EXPECT_EQ(buffer.open_bytes(), 0u);
    EXPECT_TRUE(buffer.can_accept());
    EXPECT_TRUE(buffer.any_consumer_idle());
    for (size_t c = 0; c < 2; c++) {
        EXPECT_FALSE(buffer.has_data(c));
        EXPECT_EQ(buffer.pending_bytes(c), 0u);
    }
}

TEST(FanOutBuffer, ChunkSealsAtChunkSize) {
    FanOutBuffer buffer(1, 8, 1000);
    append(buffer, "abc");
    EXPECT_FALSE(buffer.has_data(0));
    EXPECT_EQ(buffer.open_bytes(), 3u);
    EXPECT_EQ(buffer.buffered_bytes(), 3u);

    append(buffer, "defg");  // 7 bytes: one short of a chunk
    EXPECT_FALSE(buffer.has_data(0));
    EXPECT_EQ(buffer.open_bytes(), 7u);

    append(buffer, "h");  // exactly chunk_size: sealed
    ASSERT_TRUE(buffer.has_data(0));
    EXPECT_EQ(buffer.front(0), "abcdefgh");
    EXPECT_EQ(buffer.open_bytes(), 0u);
    EXPECT_EQ(buffer.pending_bytes(0), 8u);
    EXPECT_EQ(buffer.buffered_bytes(), 8u);
}

TEST(FanOutBuffer, RowThatWouldOverflowSealsTheOpenChunkFirst) {
    FanOutBuffer buffer(1, 4, 1000);
    append(buffer, "ab");
    append(buffer, "cde");  // would make 5 bytes: "ab" goes alone, so no chunk outgrows its allocation
    ASSERT_TRUE(buffer.has_data(0));
    EXPECT_EQ(buffer.front(0), "ab");
    EXPECT_EQ(buffer.open_bytes(), 3u);
}

TEST(FanOutBuffer, RowLargerThanAChunkGoesWholeInItsOwn) {
    FanOutBuffer buffer(1, 4, 1000);
    append(buffer, "ab");
    append(buffer, "cdefghij");  // rows are never split
    ASSERT_TRUE(buffer.has_data(0));
    EXPECT_EQ(buffer.front(0), "ab");
    buffer.consume(0);
    ASSERT_TRUE(buffer.has_data(0));
    EXPECT_EQ(buffer.front(0), "cdefghij");
    EXPECT_EQ(buffer.open_bytes(), 0u);
    buffer.consume(0);
    EXPECT_FALSE(buffer.has_data(0));
}

TEST(FanOutBuffer, SealHandsOverAPartialChunk) {
    FanOutBuffer buffer(2, 100, 1000);
    append(buffer, "row 1\n");
    buffer.seal();
    EXPECT_EQ(buffer.open_bytes(), 0u);
    for (size_t c = 0; c < 2; c++) {
        ASSERT_TRUE(buffer.has_data(c));
        EXPECT_EQ(buffer.front(c), "row 1\n");
        EXPECT_EQ(buffer.pending_bytes(c), 6u);
    }
}

TEST(FanOutBuffer, SealOfEmptyOpenChunkDoesNothing) {
    FanOutBuffer buffer(2, 8, 100);
    buffer.seal();
    EXPECT_FALSE(buffer.has_data(0));
    EXPECT_FALSE(buffer.has_data(1));
    EXPECT_EQ(buffer.buffered_bytes(), 0u);

    append(buffer, "12345678");  // sealed by append
    buffer.seal();               // nothing open: no empty chunk queued
    EXPECT_EQ(queued_chunks(buffer, 0), 1u);
    EXPECT_EQ(queued_chunks(buffer, 1), 1u);
    EXPECT_EQ(buffer.pending_bytes(0), 8u);
}

TEST(FanOutBuffer, EmptyAppendQueuesNothing) {
    FanOutBuffer buffer(1, 8, 100);
    append(buffer, "");
    buffer.seal();
    EXPECT_FALSE(buffer.has_data(0));
    EXPECT_EQ(buffer.buffered_bytes(), 0u);
}

TEST(FanOutBuffer, EveryConsumerSeesTheSameBytesInOrder) {
    FanOutBuffer buffer(3, 5, 1000);
    std::string all;
    for (int i = 0; i < 20; i++) {
        std::string row = std::to_string(i) + "\tvalue " + std::to_string(i * i) + "\n";
        append(buffer, row);
        all += row;
    }
    buffer.seal();
    for (size_t c = 0; c < 3; c++)
        EXPECT_EQ(drain(buffer, c), all) << "consumer " << c;
    EXPECT_EQ(buffer.buffered_bytes(), 0u);
}

TEST(FanOutBuffer, ChunkIsSharedAndConsumersProgressIndependently) {
    FanOutBuffer buffer(3, 4, 1000);
    append(buffer, "aaaa");
    append(buffer, "bbbb");
    append(buffer, "cccc");
    for (size_t c = 0; c < 3; c++)
        ASSERT_EQ(queued_chunks(buffer, c), 3u);

    // The same chunk, not a copy, in every queue.
    EXPECT_EQ(buffer.front(0).data(), buffer.front(1).data());
    EXPECT_EQ(buffer.front(0).data(), buffer.front(2).data());

    buffer.consume(0);
    buffer.consume(0);
    buffer.consume(1);
    EXPECT_EQ(buffer.front(0), "cccc");
    EXPECT_EQ(buffer.front(1), "bbbb");
    EXPECT_EQ(buffer.front(2), "aaaa");
    EXPECT_EQ(buffer.pending_bytes(0), 4u);
    EXPECT_EQ(buffer.pending_bytes(1), 8u);
    EXPECT_EQ(buffer.pending_bytes(2), 12u);
    EXPECT_EQ(buffer.buffered_bytes(), 12u);  // the slowest consumer's backlog

    append(buffer, "dd");  // the open chunk counts too
    EXPECT_EQ(buffer.buffered_bytes(), 14u);

    buffer.consume(2);
    EXPECT_EQ(buffer.buffered_bytes(), 10u);  // consumer 1 and 2 are now the slowest
    buffer.consume(1);
    EXPECT_EQ(buffer.buffered_bytes(), 10u);  // consumer 2 still holds bbbb and cccc
    buffer.consume(2);
    EXPECT_EQ(buffer.buffered_bytes(), 6u);
}

TEST(FanOutBuffer, CanAcceptFollowsTheSlowestConsumer) {
    FanOutBuffer buffer(2, 4, 12);
    append(buffer, "1111");
    append(buffer, "2222");
    EXPECT_TRUE(buffer.can_accept());
    append(buffer, "33");
    EXPECT_TRUE(buffer.can_accept());  // 10 < 12
    append(buffer, "33");
    EXPECT_EQ(buffer.buffered_bytes(), 12u);
    EXPECT_FALSE(buffer.can_accept());  // reached max_buffered

    // The fast consumer alone does not free anything.
    drain(buffer, 0);
    EXPECT_EQ(buffer.pending_bytes(0), 0u);
    EXPECT_FALSE(buffer.can_accept());

    // The slow one catching up does.
    buffer.consume(1);
    EXPECT_EQ(buffer.buffered_bytes(), 8u);
    EXPECT_TRUE(buffer.can_accept());
}

TEST(FanOutBuffer, CanAcceptCountsTheOpenChunk) {
    FanOutBuffer buffer(1, 100, 10);
    append(buffer, "123456789");
    EXPECT_TRUE(buffer.can_accept());
    append(buffer, "0");
    EXPECT_FALSE(buffer.can_accept());  // nothing sealed yet, but 10 bytes held
    buffer.seal();
    EXPECT_FALSE(buffer.can_accept());
    buffer.consume(0);
    EXPECT_TRUE(buffer.can_accept());
}

TEST(FanOutBuffer, AnyConsumerIdle) {
    FanOutBuffer buffer(2, 4, 100);
    EXPECT_TRUE(buffer.any_consumer_idle());
    append(buffer, "ab");
    EXPECT_TRUE(buffer.any_consumer_idle());  // the open chunk is no consumer's yet
    append(buffer, "cd");
    EXPECT_FALSE(buffer.any_consumer_idle());
    append(buffer, "efgh");
    buffer.consume(0);
    EXPECT_FALSE(buffer.any_consumer_idle());  // consumer 0 still has efgh
    buffer.consume(0);
    EXPECT_TRUE(buffer.any_consumer_idle());
    drain(buffer, 1);
    EXPECT_TRUE(buffer.any_consumer_idle());
}

TEST(FanOutBuffer, NoConsumers) {
    FanOutBuffer buffer(0, 4, 8);
    EXPECT_EQ(buffer.consumers(), 0u);
    append(buffer, "abcdef");  // sealed into no queue
    EXPECT_EQ(buffer.buffered_bytes(), 0u);
    EXPECT_TRUE(buffer.can_accept());
    EXPECT_FALSE(buffer.any_consumer_idle());
}

// Random appends, seals and consumes, the producer appending only while can_accept(): every
// consumer receives exactly what was appended, and memory stays bounded.
TEST(FanOutBuffer, RandomizedPumpKeepsBytesAndBound) {
    constexpr size_t consumers = 3;
    constexpr size_t max_append = 50;
    size_t refused_appends = 0;  // the bound is only tested if the producer is held back at times
    for (unsigned seed = 1; seed <= 200; seed++) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        std::mt19937 rng(seed);
        auto below = [&rng](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };

        const size_t chunk_size = 1 + below(64);
        const size_t max_buffered = 1 + below(256);
        FanOutBuffer buffer(consumers, chunk_size, max_buffered);
        const size_t bound = max_buffered + chunk_size + max_append;

        std::string appended;
        std::vector<std::string> received(consumers);
        size_t largest_append = 0;
        size_t next_byte = 0;

        auto check = [&] {
            ASSERT_LE(buffer.buffered_bytes(), max_buffered + chunk_size + largest_append);
            ASSERT_LE(buffer.buffered_bytes(), bound);
            size_t slowest = 0;
            for (size_t c = 0; c < consumers; c++)
                slowest = std::max(slowest, buffer.pending_bytes(c));
            ASSERT_EQ(buffer.buffered_bytes(), slowest + buffer.open_bytes());
        };

        for (int step = 0; step < 2000; step++) {
            size_t action = below(10);
            if (action < 5) {
                if (!buffer.can_accept()) {
                    refused_appends++;
                    continue;
                }
                size_t size = below(max_append + 1);
                std::string row;
                for (size_t i = 0; i < size; i++)
                    row += static_cast<char>(next_byte++ % 251);
                append(buffer, row);
                appended += row;
                largest_append = std::max(largest_append, size);
            } else if (action == 5) {
                buffer.seal();
            } else {
                // Consumers run at different speeds: consumer 2 is the slow one.
                size_t c = below(consumers);
                if (c == 2 && below(3) != 0)
                    continue;
                if (buffer.has_data(c)) {
                    size_t before = buffer.pending_bytes(c);
                    std::string_view chunk = buffer.front(c);
                    ASSERT_FALSE(chunk.empty());
                    received[c] += chunk;
                    size_t size = chunk.size();
                    buffer.consume(c);
                    ASSERT_EQ(buffer.pending_bytes(c), before - size);
                }
            }
            check();
            if (HasFatalFailure())
                return;
        }

        buffer.seal();
        EXPECT_EQ(buffer.open_bytes(), 0u);
        for (size_t c = 0; c < consumers; c++) {
            received[c] += drain(buffer, c);
            EXPECT_EQ(received[c], appended) << "consumer " << c;
            EXPECT_EQ(buffer.pending_bytes(c), 0u);
        }
        EXPECT_EQ(buffer.buffered_bytes(), 0u);
        EXPECT_TRUE(buffer.can_accept());
    }
    EXPECT_GT(refused_appends, 0u);
}

}  // namespace

namespace pgclone {
namespace {

TEST(FanOutBuffer, SentChunksAreReusedNotReallocated) {
    FanOutBuffer buffer(2, 4, 16);
    append(buffer, "abcd");  // sealed: chunk 1
    EXPECT_EQ(buffer.spare_chunks(), 0u);
    buffer.consume(0);
    EXPECT_EQ(buffer.spare_chunks(), 0u);  // consumer 1 has not sent it yet
    buffer.consume(1);
    EXPECT_EQ(buffer.spare_chunks(), 1u);  // sent by both: kept for reuse
    append(buffer, "efgh");                // sealed, and the spare becomes the open chunk
    EXPECT_EQ(buffer.spare_chunks(), 0u);
    EXPECT_EQ(buffer.front(0), "efgh");
    EXPECT_EQ(buffer.open_bytes(), 0u);
}

TEST(FanOutBuffer, NoMoreSparesThanTheBoundHolds) {
    FanOutBuffer buffer(1, 4, 8);
    for (const char *row : {"aaaa", "bbbb", "cccc"})
        append(buffer, row);
    for (int i = 0; i < 3; i++)
        buffer.consume(0);
    EXPECT_LE(buffer.spare_chunks(), 3u);
    EXPECT_GE(buffer.spare_chunks(), 1u);
}

}  // namespace
}  // namespace pgclone

namespace pgclone {
namespace {

TEST(FanOutBuffer, ConsumeTellsHowManyRowsTheChunkHeld) {
    FanOutBuffer buffer(1, 6, 100);
    append(buffer, "ab");
    append(buffer, "cd");
    append(buffer, "ef");  // 6 bytes: sealed with 3 rows
    append(buffer, "g");
    buffer.seal();
    EXPECT_EQ(buffer.consume(0), 3);
    EXPECT_EQ(buffer.consume(0), 1);
}

}  // namespace
}  // namespace pgclone
