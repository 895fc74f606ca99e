// Who sends rows to whom in a clone (docs/architecture.md, "The promises"), and small helpers for the
// SQL we send.
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

#include "core/parse.hpp"

namespace pgclone {

struct ClonePlan {
    std::vector<size_t> sources;  // indexes into the database list, in list order
    std::vector<size_t> writers;  // databases that receive rows: targets, and sources when there are several
    std::vector<bool> truncates;  // per database: emptied before the copy (targets unless empty_only)

    // Where one source's rows go: every writer but itself.
    std::vector<size_t> destinations(size_t source) const;
    bool is_writer(size_t db) const;
};

ClonePlan make_plan(const std::vector<DbRole> &roles, bool empty_only);

// How the first source resolves the tables asked for (as SQL does): a qualified name in its schema,
// an unqualified one in every schema of the session's search_path in order, the first that has it.
struct NameCandidate {
    size_t asked;  // index into the names asked for
    std::string schema;
    std::string name;
};
std::vector<NameCandidate> name_candidates(const std::vector<TableName> &tables,
                                           const std::vector<std::string> &search_path);

// Tables split over at most `streams` parallel streams, largest first, each to the stream with the
// least work so far (so the clone ends about when its largest table does). Each stream lists its
// tables largest first; no stream is empty, so there are min(streams, tables) of them.
// Tables joined by a link (a foreign key: TRUNCATE must name both at once) go to the same stream.
std::vector<std::vector<size_t>> assign_streams(const std::vector<int64_t> &table_sizes, int streams,
                                                const std::vector<std::pair<size_t, size_t>> &links = {});

// A PostgreSQL text[] literal: {"a","b \"c\""}.
std::string text_array_literal(const std::vector<std::string> &items);

}  // namespace pgclone

namespace pgclone {

// schema.name as a user reads it: identifiers quoted only where they need it.
std::string display_name(const std::string &schema, const std::string &name);

// A table list's pattern as a user reads it: "*" or "myschema.*".
std::string display_pattern(const std::optional<std::string> &schema);

}  // namespace pgclone
