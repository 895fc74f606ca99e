#include "core/clone_job.hpp"

namespace pgclone {

namespace {

std::string join(const std::vector<std::string> &items, const char *separator) {
    std::string out;
    for (const auto &item : items)
        out += (out.empty() ? "" : separator) + item;
    return out;
}

}  // namespace

std::string CloneReport::summary() const {
    std::vector<std::string> parts;
    for (const WriterOutcome &w : writers) {
        std::vector<std::string> copied, skipped;
        int64_t total = 0;
        for (const TableOutcome &t : w.tables) {
            if (t.skipped) {
                skipped.push_back(t.table);
                continue;
            }
            copied.push_back(t.table + " " + std::to_string(t.rows));
            total += t.rows;
        }
        std::string part = w.db + ": " + std::to_string(copied.size()) +
                           (copied.size() == 1 ? " table, " : " tables, ") + std::to_string(total) +
                           (total == 1 ? " row" : " rows");
        if (!copied.empty())
            part += " (" + join(copied, ", ") + ")";
        if (!skipped.empty())
            part += ", skipped (not empty): " + join(skipped, ", ");
        if (!w.sequences.empty()) {
            std::vector<std::string> set;
            for (const SequenceOutcome &s : w.sequences)
                set.push_back(s.sequence + " " + std::to_string(s.last_value) +
                              (s.is_called ? "" : " (not called)"));
            part += ", " + std::to_string(set.size()) + (set.size() == 1 ? " sequence (" : " sequences (") +
                    join(set, ", ") + ")";
        }
        parts.push_back(part);
    }
    std::string text = join(parts, "; ");
    for (const auto &note : notes)
        text += (text.empty() ? "note: " : "; note: ") + note;
    return text;
}

}  // namespace pgclone
