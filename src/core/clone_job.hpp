// A clone request as the worker hands it to the remote code (CloneJob), and what came of it (CloneReport,
// whose summary is the clone's summary column). Plain data: pure C++, no libpq, no PostgreSQL headers.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/parse.hpp"

namespace pgclone {

struct DbSpec {
    std::string name;
    std::string conninfo;
    DbRole role;
    // The requester's user mapping (bucardo.set_mapping), if any: logs in instead of the conninfo's.
    std::string login_user;
    std::string login_password;
};

struct CloneJob {
    int64_t id = 0;
    bool empty_only = false;
    int streams = 1;        // parallel streams at most (never more than tables)
    bool sequences = true;  // the sequences owned by the tables follow them
    bool analyze = true;    // ANALYZE every target table filled, before the commit
    // Per table (aligned with tables): a row filter, an SQL condition run on the source ("" for none).
    std::vector<std::string> filters;
    bool verify = false;        // compare every table on every target with the source before the commit
    bool empty_delete = false;  // empty targets by DELETE (readers keep the old rows), not TRUNCATE
    // clone(..., max_rate): bytes per second read from the sources, across streams (0: unlimited);
    // none: pg_clone.max_rate.
    std::optional<int64_t> max_rate;
    // clone(..., schema => 'create'): a table missing on a target is created there from the source's
    // definition, in the clone's transaction.
    bool schema_create = false;
    // clone(..., target_names): (source table as written in the list or schema-qualified, target name).
    std::vector<std::pair<std::string, std::string>> target_names;
    // clone(..., commit => 'table'): each table commits on every target as soon as its copy ends.
    bool commit_per_table = false;
    // bucardo.clone_resume(): the clone this one resumes, and what the clones it resumes committed:
    // (table as bucardo.clone_table names it, database).
    std::optional<int64_t> resumes;
    std::vector<std::pair<std::string, std::string>> done_before;
    // commit => 'table', a retry of this clone: what its earlier attempts committed, as done_before.
    std::vector<std::pair<std::string, std::string>> done_here;
    std::vector<TableName> tables;
    std::vector<DbSpec> dbs;
};

struct TableOutcome {
    TableOutcome() = default;
    TableOutcome(std::string table_, int64_t rows_, bool skipped_)
        : table(std::move(table_)), rows(rows_), skipped(skipped_) {}

    std::string table;
    int64_t rows = 0;
    bool skipped = false;          // empty_only: the table was not empty
    int64_t bytes = 0;             // COPY data sent
    double seconds = 0;            // from its first COPY to its target's answer
    std::string format;            // binary or text ("" when nothing was copied)
    std::string emptied;           // truncate, delete or none
    std::optional<bool> verified;  // verify: whether rows and checksum matched the source
};

struct SequenceOutcome {
    std::string sequence;  // public.foo_id_seq
    int64_t last_value = 0;
    bool is_called = false;
};

struct WriterOutcome {
    std::string db;
    std::vector<TableOutcome> tables;
    std::vector<SequenceOutcome> sequences;
};

struct CloneReport {
    std::vector<WriterOutcome> writers;
    std::vector<std::string> notes;
    // "beta: 2 tables, 30 rows (public.foo 10, public.bar 20); gamma: ..."
    std::string summary() const;
};

}  // namespace pgclone
