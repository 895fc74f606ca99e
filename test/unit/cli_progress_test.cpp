// Unit tests of what "pg_clone clone --wait" shows: the totals and progress line read from
// bucardo.clone_progress rows, the per-table lines, and stored errors split into their parts.
#include "cli/progress.hpp"

#include <gtest/gtest.h>

using namespace pgclone::cli;

namespace {

TableCopyProgress row(const std::string &table, const std::string &target, const std::string &phase,
                      int64_t rows, int64_t estimated, double elapsed, const std::string &source = "alpha") {
    TableCopyProgress p;
    p.table = table;
    p.source = source;
    p.target = target;
    p.phase = phase;
    p.rows_copied = rows;
    p.bytes_copied = rows * 100;
    p.estimated_rows = estimated;
    p.elapsed_s = elapsed;
    return p;
}

}  // namespace

TEST(CliProgress, TablesDoneWhenEveryCopyIsDone) {
    auto totals = summarize_progress(
        {row("public.foo", "beta", "done", 1000, 900, 2), row("public.foo", "gamma", "copying", 500, 900, 2),
         row("public.bar", "beta", "skipped", 0, 10, 2), row("public.bar", "gamma", "done", 10, 10, 2)});
    EXPECT_EQ(totals.tables_total, 2);
    EXPECT_EQ(totals.tables_done, 1);
    EXPECT_EQ(totals.rows, 1510);
    EXPECT_EQ(totals.bytes, 151000);
    // Expected: 1000 (done) + 900 (estimate) + 0 + 10 = 1910; copied 1510.
    EXPECT_NEAR(totals.percent, 100.0 * 1510 / 1910, 0.01);
    ASSERT_TRUE(totals.seconds_left);
    EXPECT_NEAR(*totals.seconds_left, 400.0 / (1510.0 / 2), 0.01);
}

TEST(CliProgress, NeverOneHundredBeforeTheEnd) {
    auto totals = summarize_progress({row("public.foo", "beta", "done", 1000, 10, 1)});
    EXPECT_DOUBLE_EQ(totals.percent, 99.9);
    // No estimate and nothing copied: tables decide, and no time left is known.
    totals = summarize_progress({row("public.foo", "beta", "waiting", 0, -1, 0)});
    EXPECT_DOUBLE_EQ(totals.percent, 0);
    EXPECT_FALSE(totals.seconds_left);
}

TEST(CliProgress, TheLine) {
    ProgressTotals totals;
    totals.tables_done = 1;
    totals.tables_total = 3;
    totals.rows = 1300;
    totals.bytes = 2 * 1024 * 1024;
    totals.percent = 42;
    totals.elapsed_s = 4;
    totals.seconds_left = 5;
    EXPECT_EQ(progress_line(7, totals, 200),
              "clone 7 [########............]  42.0%  1/3 tables  1300 rows  0.5 MB/s  0:05 left");
    // Narrower terminals: a shorter bar, then none, then the end of the line is cut.
    EXPECT_EQ(progress_line(7, totals, 75),
              "clone 7 [#####.........]  42.0%  1/3 tables  1300 rows  0.5 MB/s  0:05 left");
    EXPECT_EQ(progress_line(7, totals, 60), "clone 7  42.0%  1/3 tables  1300 rows  0.5 MB/s  0:05 left");
    EXPECT_EQ(progress_line(7, totals, 20), "clone 7  42.0%  1/3 ");
    totals.seconds_left.reset();
    EXPECT_NE(progress_line(7, totals, 200).find("--:-- left"), std::string::npos);
    EXPECT_EQ(progress_line(7, finished_totals(3, 4300, 1024 * 1024, 2), 200),
              "clone 7 [####################] 100.0%  3/3 tables  4300 rows  0.5 MB/s  done in 2.0 s");
}

TEST(CliProgress, Durations) {
    EXPECT_EQ(format_duration(0), "0:00");
    EXPECT_EQ(format_duration(7.4), "0:07");
    EXPECT_EQ(format_duration(750), "12:30");
    EXPECT_EQ(format_duration(7384), "2:03:04");
    EXPECT_EQ(format_took(0.26), "0.3 s");
    EXPECT_EQ(format_took(75), "1:15");
    EXPECT_EQ(format_megabytes(1572864), "1.5");
}

TEST(CliProgress, EachEndedCopyOnce) {
    EndedCopies copies;
    auto first = copies.newly_ended(
        {row("public.foo", "beta", "done", 1000, 1000, 1), row("public.bar", "beta", "copying", 5, 10, 1)});
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(ended_copy_line(first[0]), "public.foo -> beta: 1000 rows, 0.1 MB");
    // Two sources into one database: one copy, ended when both are.
    auto second = copies.newly_ended({row("public.foo", "beta", "done", 1000, 1000, 2),
                                      row("public.bar", "beta", "done", 10, 10, 2, "alpha"),
                                      row("public.bar", "beta", "copying", 3, 10, 2, "gamma")});
    EXPECT_TRUE(second.empty());
    auto third = copies.newly_ended({row("public.bar", "beta", "done", 10, 10, 3, "alpha"),
                                     row("public.bar", "beta", "done", 4, 4, 3, "gamma")});
    ASSERT_EQ(third.size(), 1u);
    EXPECT_EQ(third[0].rows, 14);
    // The results of the clone add only what was not shown.
    auto rest = copies.not_reported({EndedCopy{"public.bar", "beta", 14, 1400, false, 0.5},
                                     EndedCopy{"public.baz", "beta", 0, 0, true, 0.1}});
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(ended_copy_line(rest[0]), "public.baz -> beta: skipped (not empty)");
    EXPECT_EQ(ended_copy_line(EndedCopy{"public.one", "beta", 1, 1048576, false, 0.25}),
              "public.one -> beta: 1 row, 1.0 MB in 0.2 s");
}

TEST(CliProgress, StoredErrors) {
    auto e = split_stored_error(
        "database \"beta\": table public.foo: column \"x\" is missing\nDETAIL: it was "
        "dropped\nHINT: Add it.");
    EXPECT_EQ(e.message, "database \"beta\": table public.foo: column \"x\" is missing");
    EXPECT_EQ(e.detail, "it was dropped");
    EXPECT_EQ(e.hint, "Add it.");
    e = split_stored_error("plain");
    EXPECT_EQ(e.message, "plain");
    EXPECT_EQ(e.detail, "");
    e = split_stored_error("two\nlines\nDETAIL:  more\nand more");
    EXPECT_EQ(e.message, "two\nlines");
    EXPECT_EQ(e.detail, "more\nand more");
}
