// What "pg_clone clone --wait" shows while a clone runs: totals computed from the rows of
// bucardo.clone_progress, the live progress line of a terminal, and the one line per table that ends
// written elsewhere. Pure C++: the rows are read by the libpq side and passed in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pgclone::cli {

// One row of bucardo.clone_progress (a table copied from one source into one database).
struct TableCopyProgress {
    std::string table;
    std::string source;
    std::string target;
    std::string phase;  // waiting, emptying, copying, done, skipped
    int64_t rows_copied = 0;
    int64_t bytes_copied = 0;
    std::optional<int64_t> estimated_rows;
    double elapsed_s = 0;  // since the clone started
};

struct ProgressTotals {
    int tables_done = 0;
    int tables_total = 0;
    int64_t rows = 0;
    int64_t bytes = 0;
    double percent = 0;  // 0 to 100
    double elapsed_s = 0;
    std::optional<double> seconds_left;
    bool finished = false;  // the clone is done: the line says how long it took instead of what is left
};

// A table is done when every copy of it (every source and database) is done or skipped. The percent
// is of the rows expected (the source's estimate, or what was copied once a copy is done), never 100
// before the clone is done; the time left is the rows still expected at the rate so far.
ProgressTotals summarize_progress(const std::vector<TableCopyProgress> &rows);

// The totals of a clone that is done, from its per-table results (bucardo.clone_table).
ProgressTotals finished_totals(int tables, int64_t rows, int64_t bytes, double seconds);

// "clone 7 [########............]  42.0%  1/3 tables  1300 rows  0.4 MB/s  0:03 left" in width
// columns: the bar shrinks to fit (20 columns at most), goes when under 5, then the line is cut.
std::string progress_line(int64_t clone_id, const ProgressTotals &totals, int width);

// "0:07", "12:30", "2:03:04".
std::string format_duration(double seconds);
// "0.4 s" under a minute, else as format_duration.
std::string format_took(double seconds);
// "0.0", "1.5", "1234.5": bytes in MB (1 MB = 1,048,576 bytes) with one decimal.
std::string format_megabytes(int64_t bytes);

// One line per table copy as it ends, for output that is not a terminal.
struct EndedCopy {
    std::string table;
    std::string target;
    int64_t rows = 0;
    int64_t bytes = 0;
    bool skipped = false;
    std::optional<double> seconds;
};
std::string ended_copy_line(const EndedCopy &copy);

// Remembers which (table, database written) pairs were already reported, so that each is written once,
// whether it is seen ending in bucardo.clone_progress or only in the results of a clone that is done.
class EndedCopies {
  public:
    // The copies of these progress rows that have ended and were not reported yet (rows of several
    // sources into one database are one copy, ended when all are).
    std::vector<EndedCopy> newly_ended(const std::vector<TableCopyProgress> &rows);
    // Those of a clone's results not reported yet.
    std::vector<EndedCopy> not_reported(const std::vector<EndedCopy> &results);

  private:
    std::set<std::pair<std::string, std::string>> reported_;
};

// An error as bucardo.clone.error stores it ("message\nDETAIL: ...\nHINT: ..."), in its parts.
struct StoredError {
    std::string message;
    std::string detail;
    std::string hint;
};
StoredError split_stored_error(const std::string &text);

}  // namespace pgclone::cli
