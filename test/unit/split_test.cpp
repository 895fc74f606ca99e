// Unit tests of src/core/split: one big table cut into ctid ranges read by several streams.
#include "core/split.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

using pgclone::assign_pieces;
using pgclone::ctid_condition;
using pgclone::page_ranges;
using pgclone::PageRange;
using pgclone::Piece;
using pgclone::slice_count;

namespace {

// Every page in exactly one range, in order, the first from 0 and the last open-ended.
void expect_cover(const std::vector<PageRange> &ranges) {
    ASSERT_FALSE(ranges.empty());
    EXPECT_EQ(ranges.front().first, 0);
    EXPECT_FALSE(ranges.back().end.has_value());
    for (size_t i = 0; i + 1 < ranges.size(); i++) {
        ASSERT_TRUE(ranges[i].end.has_value());
        EXPECT_EQ(*ranges[i].end, ranges[i + 1].first);
        EXPECT_LT(ranges[i].first, *ranges[i].end) << "range " << i << " is empty";
    }
}

TEST(PageRanges, EqualParts) {
    auto ranges = page_ranges(1000, 4);
    ASSERT_EQ(ranges.size(), 4u);
    EXPECT_EQ(ranges[0], (PageRange{0, 250}));
    EXPECT_EQ(ranges[1], (PageRange{250, 500}));
    EXPECT_EQ(ranges[2], (PageRange{500, 750}));
    EXPECT_EQ(ranges[3], (PageRange{750, std::nullopt}));
    expect_cover(ranges);
}

TEST(PageRanges, UnevenPagesStillCoverEverything) {
    for (int64_t pages : {2, 3, 7, 10, 1001, 123457})
        for (size_t slices : {2u, 3u, 4u, 7u, 16u}) {
            auto ranges = page_ranges(pages, slices);
            EXPECT_EQ(ranges.size(), std::min<size_t>(slices, static_cast<size_t>(pages)));
            expect_cover(ranges);
        }
}

TEST(PageRanges, FewerPagesThanSlices) {
    auto ranges = page_ranges(3, 8);
    ASSERT_EQ(ranges.size(), 3u);
    expect_cover(ranges);
    EXPECT_EQ(page_ranges(0, 4).size(), 1u);
    EXPECT_EQ(page_ranges(1, 4), (std::vector<PageRange>{{0, std::nullopt}}));
}

TEST(CtidCondition, BothEndsQualified) {
    EXPECT_EQ(ctid_condition({250, 500}),
              "ctid OPERATOR(pg_catalog.>=) '(250,0)'::pg_catalog.tid AND "
              "ctid OPERATOR(pg_catalog.<) '(500,0)'::pg_catalog.tid");
    EXPECT_EQ(ctid_condition({0, 250}), "ctid OPERATOR(pg_catalog.<) '(250,0)'::pg_catalog.tid");
    EXPECT_EQ(ctid_condition({750, std::nullopt}), "ctid OPERATOR(pg_catalog.>=) '(750,0)'::pg_catalog.tid");
    EXPECT_EQ(ctid_condition({0, std::nullopt}), "");
}

TEST(SliceCount, OnePerStreamFromTheMinimumOn) {
    const int64_t mb = 1024 * 1024;
    EXPECT_EQ(slice_count(10 * mb, 1280, mb, 4), 4u);
    EXPECT_EQ(slice_count(mb, 128, mb, 4), 4u);        // at least the minimum
    EXPECT_EQ(slice_count(mb - 1, 128, mb, 4), 1u);    // below it
    EXPECT_EQ(slice_count(10 * mb, 1280, 0, 4), 1u);   // 0: never
    EXPECT_EQ(slice_count(10 * mb, 1280, -1, 4), 1u);  // -1: never
    EXPECT_EQ(slice_count(10 * mb, 1280, mb, 1), 1u);  // one stream
    EXPECT_EQ(slice_count(10 * mb, 3, mb, 8), 3u);     // no more slices than pages
    EXPECT_EQ(slice_count(10 * mb, 1, mb, 8), 1u);
}

std::set<size_t> streams_of(const std::vector<std::vector<Piece>> &assigned, size_t table) {
    std::set<size_t> found;
    for (size_t k = 0; k < assigned.size(); k++)
        for (const Piece &p : assigned[k])
            if (p.table == table)
                found.insert(k);
    return found;
}

// The case the split is for: one table holds most of the bytes.
TEST(AssignPieces, BigTableSlicesGoToEveryStream) {
    auto assigned = assign_pieces({400000, 10, 20}, {4, 1, 1}, 4);
    ASSERT_EQ(assigned.size(), 4u);
    EXPECT_EQ(streams_of(assigned, 0), (std::set<size_t>{0, 1, 2, 3}));
    // Every slice once.
    std::set<size_t> slices;
    for (const auto &stream : assigned)
        for (const Piece &p : stream) {
            if (p.table == 0) {
                EXPECT_TRUE(slices.insert(p.slice).second);
            }
        }
    EXPECT_EQ(slices, (std::set<size_t>{0, 1, 2, 3}));
    // The small tables go to the streams with the least work, each once.
    EXPECT_EQ(streams_of(assigned, 1).size(), 1u);
    EXPECT_EQ(streams_of(assigned, 2).size(), 1u);
    // Largest first in each stream.
    for (const auto &stream : assigned)
        EXPECT_EQ(stream.front().table, 0u);
}

TEST(AssignPieces, WithoutSplitsAsBefore) {
    auto assigned = assign_pieces({100000, 300000, 200000}, {1, 1, 1}, 2);
    ASSERT_EQ(assigned.size(), 2u);
    EXPECT_EQ(assigned[0], (std::vector<Piece>{{1, 0}}));
    EXPECT_EQ(assigned[1], (std::vector<Piece>{{2, 0}, {0, 0}}));
}

// Two split tables: each one's slices in different streams, the load balanced.
TEST(AssignPieces, TwoSplitTables) {
    auto assigned = assign_pieces({800000, 400000}, {2, 2}, 2);
    ASSERT_EQ(assigned.size(), 2u);
    EXPECT_EQ(streams_of(assigned, 0), (std::set<size_t>{0, 1}));
    EXPECT_EQ(streams_of(assigned, 1), (std::set<size_t>{0, 1}));
}

// A split table in fewer slices than streams leaves the rest to the other tables.
TEST(AssignPieces, LinkedTablesStayTogetherBesideSlices) {
    auto assigned = assign_pieces({1000000, 300000, 300000, 5}, {3, 1, 1, 1}, 4, {{1, 2}});
    ASSERT_EQ(assigned.size(), 4u);
    EXPECT_EQ(streams_of(assigned, 0).size(), 3u);
    EXPECT_EQ(streams_of(assigned, 1), streams_of(assigned, 2));
}

TEST(AssignPieces, NoTableStillOneStream) {
    auto assigned = assign_pieces({}, {}, 4);
    ASSERT_EQ(assigned.size(), 1u);
    EXPECT_TRUE(assigned[0].empty());
}

}  // namespace

namespace {

TEST(SplitNotes, SayWhatHappened) {
    EXPECT_EQ(pgclone::pretty_size(8100000), "7910 kB");
    EXPECT_EQ(pgclone::pretty_size(int64_t(3) << 30), "3072 MB");
    EXPECT_EQ(pgclone::pretty_size(int64_t(30) << 30), "30 GB");
    EXPECT_EQ(pgclone::pretty_size(500), "500 bytes");
    EXPECT_EQ(pgclone::split_note("public.big", int64_t(30) << 30, 4),
              "public.big (30 GB) split into 4 slices read by 4 streams");
    EXPECT_EQ(pgclone::not_split_note("public.big", int64_t(30) << 30, "the clone has one stream"),
              "public.big (30 GB) not split: the clone has one stream");
}

}  // namespace
