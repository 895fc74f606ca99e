#include "cli/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pgclone::cli {

namespace {

bool ended_phase(const std::string &phase) { return phase == "done" || phase == "skipped"; }

std::string fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
    return buf;
}

}  // namespace

ProgressTotals summarize_progress(const std::vector<TableCopyProgress> &rows) {
    ProgressTotals totals;
    std::map<std::string, bool> table_done;
    double expected = 0, copied = 0;
    for (const auto &row : rows) {
        bool ended = ended_phase(row.phase);
        auto it = table_done.find(row.table);
        if (it == table_done.end())
            table_done.emplace(row.table, ended);
        else
            it->second = it->second && ended;
        totals.rows += row.rows_copied;
        totals.bytes += row.bytes_copied;
        totals.elapsed_s = std::max(totals.elapsed_s, row.elapsed_s);
        copied += static_cast<double>(row.rows_copied);
        if (ended)
            expected += static_cast<double>(row.rows_copied);
        else
            expected +=
                static_cast<double>(std::max<int64_t>(row.estimated_rows.value_or(0), row.rows_copied));
    }
    totals.tables_total = static_cast<int>(table_done.size());
    for (const auto &entry : table_done)
        totals.tables_done += entry.second ? 1 : 0;

    if (expected > 0)
        totals.percent = 100.0 * copied / expected;
    else if (totals.tables_total > 0)
        totals.percent = 100.0 * totals.tables_done / totals.tables_total;
    // 100% is for a clone that is done: it still has to commit.
    totals.percent = std::min(totals.percent, 99.9);

    if (totals.elapsed_s > 0 && copied > 0 && expected >= copied)
        totals.seconds_left = (expected - copied) / (copied / totals.elapsed_s);
    return totals;
}

ProgressTotals finished_totals(int tables, int64_t rows, int64_t bytes, double seconds) {
    ProgressTotals totals;
    totals.tables_done = totals.tables_total = tables;
    totals.rows = rows;
    totals.bytes = bytes;
    totals.percent = 100;
    totals.elapsed_s = seconds;
    totals.seconds_left = 0;
    totals.finished = true;
    return totals;
}

std::string format_duration(double seconds) {
    long total = seconds < 0 ? 0 : static_cast<long>(std::llround(seconds));
    long h = total / 3600, m = (total / 60) % 60, s = total % 60;
    char buf[64];
    if (h > 0)
        std::snprintf(buf, sizeof(buf), "%ld:%02ld:%02ld", h, m, s);
    else
        std::snprintf(buf, sizeof(buf), "%ld:%02ld", m, s);
    return buf;
}

std::string format_took(double seconds) {
    return seconds < 59.95 ? fixed(seconds < 0 ? 0 : seconds, 1) + " s" : format_duration(seconds);
}

std::string format_megabytes(int64_t bytes) {
    return fixed(static_cast<double>(bytes) / (1024.0 * 1024.0), 1);
}

std::string progress_line(int64_t clone_id, const ProgressTotals &totals, int width) {
    char percent[16];
    std::snprintf(percent, sizeof(percent), "%5.1f%%", totals.percent);
    std::string rate =
        totals.elapsed_s > 0
            ? fixed(static_cast<double>(totals.bytes) / (1024.0 * 1024.0) / totals.elapsed_s, 1)
            : std::string("0.0");
    std::string when;
    if (totals.finished)
        when = "done in " + format_took(totals.elapsed_s);
    else if (totals.seconds_left)
        when = format_duration(*totals.seconds_left) + " left";
    else
        when = "--:-- left";

    std::string head = "clone " + std::to_string(clone_id) + " ";
    std::string tail = std::string(percent) + "  " + std::to_string(totals.tables_done) + "/" +
                       std::to_string(totals.tables_total) + " tables  " + std::to_string(totals.rows) +
                       " rows  " + rate + " MB/s  " + when;
    // The bar takes what the terminal leaves, up to 20 columns; under 5 it is left out.
    constexpr int kBarMax = 20, kBarMin = 5;
    int room = width > 0 ? width - static_cast<int>(head.size() + tail.size()) - 3 : kBarMax;
    int bar_width = std::min(room, kBarMax);
    std::string line;
    if (bar_width >= kBarMin) {
        int filled = std::clamp(static_cast<int>(totals.percent / 100.0 * bar_width), 0, bar_width);
        line = head + "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "] " + tail;
    } else {
        line = head + tail;
        if (width > 0 && static_cast<int>(line.size()) > width)
            line.resize(static_cast<size_t>(width));
    }
    return line;
}

std::string ended_copy_line(const EndedCopy &copy) {
    std::string line = copy.table + " -> " + copy.target + ": ";
    if (copy.skipped)
        return line + "skipped (not empty)";
    line += std::to_string(copy.rows) + (copy.rows == 1 ? " row, " : " rows, ") +
            format_megabytes(copy.bytes) + " MB";
    if (copy.seconds)
        line += " in " + fixed(*copy.seconds, 1) + " s";
    return line;
}

std::vector<EndedCopy> EndedCopies::newly_ended(const std::vector<TableCopyProgress> &rows) {
    // Gather the rows of each (table, target): one copy, ended when all its rows have.
    std::map<std::pair<std::string, std::string>, std::pair<EndedCopy, bool>> copies;
    std::vector<std::pair<std::string, std::string>> order;
    for (const auto &row : rows) {
        auto key = std::make_pair(row.table, row.target);
        auto it = copies.find(key);
        if (it == copies.end()) {
            it = copies.emplace(key, std::make_pair(EndedCopy{row.table, row.target, 0, 0, true, {}}, true))
                     .first;
            order.push_back(key);
        }
        it->second.first.rows += row.rows_copied;
        it->second.first.bytes += row.bytes_copied;
        it->second.first.skipped = it->second.first.skipped && row.phase == "skipped";
        it->second.second = it->second.second && ended_phase(row.phase);
    }
    std::vector<EndedCopy> ended;
    for (const auto &key : order) {
        const auto &copy = copies[key];
        if (copy.second && reported_.insert(key).second)
            ended.push_back(copy.first);
    }
    return ended;
}

std::vector<EndedCopy> EndedCopies::not_reported(const std::vector<EndedCopy> &results) {
    std::vector<EndedCopy> out;
    for (const auto &copy : results) {
        if (reported_.insert(std::make_pair(copy.table, copy.target)).second)
            out.push_back(copy);
    }
    return out;
}

StoredError split_stored_error(const std::string &text) {
    StoredError error;
    std::string *current = &error.message;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        std::string *target = current;
        std::string body = line;
        for (const auto &[prefix, field] : {std::make_pair(std::string("DETAIL:"), &error.detail),
                                            std::make_pair(std::string("HINT:"), &error.hint)}) {
            if (line.rfind(prefix, 0) == 0) {
                target = field;
                body = line.substr(prefix.size());
                body.erase(0, body.find_first_not_of(' '));
                break;
            }
        }
        if (!target->empty())
            *target += "\n";
        *target += body;
        current = target;
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return error;
}

}  // namespace pgclone::cli
