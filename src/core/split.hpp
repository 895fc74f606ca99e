// One big table read by several streams (pg_clone.split_min_size): its heap pages cut into ctid ranges,
// one slice per stream, every slice read in the same exported snapshot and written by its stream's own
// target sessions into the same target table. Pure C++: the ranges, their SQL condition, and how the
// slices and whole tables are spread over the streams.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgclone {

// Heap pages [first, end) of a table; no end: to the table's last page, however many there are when
// it is read (the first slice starts at page 0, the last one has no end, so that every row of the
// snapshot is read once whatever the table's size was when it was measured).
struct PageRange {
    int64_t first = 0;
    std::optional<int64_t> end;
    bool operator==(const PageRange &o) const { return first == o.first && end == o.end; }
};

// `pages` cut into `slices` ranges of (almost) equal size, in order; fewer when the table has fewer
// pages than that (at least one range, even for an empty table).
std::vector<PageRange> page_ranges(int64_t pages, size_t slices);

// The WHERE condition that reads one range: "ctid >= '(12,0)' AND ctid < '(24,0)'", schema-qualified
// (remote sessions run with an empty search_path); "" for the whole table. A TID range scan reads only
// those pages from PostgreSQL 14 on; before, every slice would read the whole table.
std::string ctid_condition(const PageRange &range);

// How many slices a table of `bytes` is read in: one per stream when it is at least min_bytes
// (min_bytes <= 0: never split), never more than its pages.
size_t slice_count(int64_t bytes, int64_t pages, int64_t min_bytes, int streams);

// A part of a stream's work: a whole table (slice 0 of 1) or one slice of a split table.
struct Piece {
    size_t table;
    size_t slice = 0;
    bool operator==(const Piece &o) const { return table == o.table && slice == o.slice; }
};

// Like assign_streams (core/plan.hpp), with split tables: a table of n slices (slices[t], 1 for a
// whole table) counts as n pieces of a n-th of its size each, and its slices go to n different
// streams (so a table cannot be split in more slices than there are streams; a table that is linked
// to another must not be split). Pieces go largest first to the stream with the least work so far;
// each stream lists its pieces largest first. A split table's slice 0 is its owner: the stream that
// empties it (empty => 'delete'), analyzes and verifies it.
std::vector<std::vector<Piece>> assign_pieces(const std::vector<int64_t> &table_sizes,
                                              const std::vector<size_t> &slices, int streams,
                                              const std::vector<std::pair<size_t, size_t>> &links = {});

// The summary's notes: "public.big (2 GB) split into 4 slices read by 4 streams" and
// "public.big (2 GB) not split: <reason>".
std::string split_note(const std::string &table, int64_t bytes, size_t slices);
std::string not_split_note(const std::string &table, int64_t bytes, const std::string &reason);

// 2 GB, 15 MB, 900 kB, 12 bytes: as pg_size_pretty says it.
std::string pretty_size(int64_t bytes);

}  // namespace pgclone
