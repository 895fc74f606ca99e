// What a clone tells the user: the summary of a finished clone and where an error happened.

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "remote/run_clone.hpp"

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

TEST(ErrorPlace, TheDatabaseAndTableAreFieldsShownInFront) {
    Error e(sqlstate::internal_error, "new row violates check constraint");
    e.in_database("beta").on_table("public.foo");
    EXPECT_STREQ(e.what(), "new row violates check constraint");
    EXPECT_EQ(e.info().database, "beta");
    EXPECT_EQ(e.info().object, "table public.foo");
    EXPECT_EQ(e.text(), "database \"beta\", table public.foo: new row violates check constraint");
    EXPECT_EQ(e.context(), "while cloning table public.foo in database \"beta\"");
}

TEST(ErrorPlace, TheInnermostPlaceWins) {
    Error e(sqlstate::internal_error, "boom");
    e.on_object("sequence public.s").in_database("beta");
    e.on_table("public.foo").in_database("gamma");
    EXPECT_EQ(e.text(), "database \"beta\", sequence public.s: boom");
}

TEST(ErrorPlace, WhatIsKnownOnly) {
    Error e(sqlstate::internal_error, "boom");
    EXPECT_EQ(e.text(), "boom");
    EXPECT_EQ(e.context(), "");
    e.on_table("public.foo");
    EXPECT_EQ(e.text(), "table public.foo: boom");
    EXPECT_EQ(e.context(), "while cloning table public.foo");
    Error d(sqlstate::internal_error, "boom");
    d.in_database("beta");
    EXPECT_EQ(d.text(), "database \"beta\": boom");
    EXPECT_EQ(d.sqlstate(), "XX000");
}

TEST(ErrorPlace, KeepsDetailAndHint) {
    Error e(sqlstate::undefined_column, "columns differ", "Columns missing: c.", "Same columns.");
    e.in_database("beta").on_table("public.t");
    EXPECT_EQ(e.info().detail, "Columns missing: c.");
    EXPECT_EQ(e.info().hint, "Same columns.");
    EXPECT_EQ(e.sqlstate(), "42703");
}

}  // namespace
}  // namespace pgclone
