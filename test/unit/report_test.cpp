// What a clone tells the user: the summary of a finished clone and where an error happened.

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "remote/clone_runner.hpp"

namespace pgclone {
namespace {

TEST(CloneReportSummary, CountsTablesAndRowsPerDatabaseWritten) {
    CloneReport report;
    report.writers.push_back({"beta", {{"public.foo", 1000, false}, {"public.bar", 500, false}}, {}});
    report.writers.push_back({"gamma", {{"public.foo", 1, false}}, {}});
    EXPECT_EQ(
        report.summary(),
        "beta: 2 tables, 1500 rows (public.foo 1000, public.bar 500); gamma: 1 table, 1 row (public.foo 1)");
}

TEST(CloneReportSummary, ListsSkippedTablesApart) {
    CloneReport report;
    report.writers.push_back({"beta", {{"public.foo", 0, true}, {"public.bar", 500, false}}, {}});
    report.writers.push_back({"gamma", {{"public.foo", 0, true}, {"public.bar", 0, true}}, {}});
    EXPECT_EQ(report.summary(),
              "beta: 1 table, 500 rows (public.bar 500), skipped (not empty): public.foo; "
              "gamma: 0 tables, 0 rows, skipped (not empty): public.foo, public.bar");
}

TEST(CloneReportSummary, AppendsNotes) {
    CloneReport report;
    report.writers.push_back({"beta", {{"public.foo", 0, false}}, {}});
    report.notes.push_back("beta: triggers stayed active");
    EXPECT_EQ(report.summary(), "beta: 1 table, 0 rows (public.foo 0); note: beta: triggers stayed active");
}

TEST(CloneReportSummary, ListsTheSequencesSet) {
    CloneReport report;
    report.writers.push_back({"beta", {{"public.foo", 10, false}}, {{"public.foo_id_seq", 10, true}}});
    report.writers.push_back({"gamma", {}, {{"public.a", 5, false}, {"public.b", 7, true}}});
    EXPECT_EQ(report.summary(),
              "beta: 1 table, 10 rows (public.foo 10), 1 sequence (public.foo_id_seq 10); "
              "gamma: 0 tables, 0 rows, 2 sequences (public.a 5 (not called), public.b 7)");
}

TEST(ErrorContext, TableGoesAfterTheDatabase) {
    Error e(sqlstate::internal_error, "database \"beta\": new row violates check constraint");
    e.add_table("public.foo");
    EXPECT_STREQ(e.what(), "database \"beta\", table public.foo: new row violates check constraint");
}

TEST(ErrorContext, TableIsAddedOnce) {
    Error e(sqlstate::internal_error, "database \"beta\": boom");
    e.add_table("public.foo");
    e.add_table("public.foo");
    EXPECT_STREQ(e.what(), "database \"beta\", table public.foo: boom");
}

TEST(ErrorContext, WithoutDatabaseTheTableLeads) {
    Error e(sqlstate::internal_error, "boom");
    e.add_table("public.foo");
    EXPECT_STREQ(e.what(), "table public.foo: boom");
    EXPECT_EQ(e.sqlstate(), "XX000");
}

TEST(ErrorContext, KeepsDetailAndHint) {
    Error e(sqlstate::undefined_column, "database \"beta\": columns differ", "Columns missing: c.",
            "Same columns.");
    e.add_table("public.t");
    EXPECT_EQ(e.info().detail, "Columns missing: c.");
    EXPECT_EQ(e.info().hint, "Same columns.");
    EXPECT_EQ(e.sqlstate(), "42703");
}

}  // namespace
}  // namespace pgclone
