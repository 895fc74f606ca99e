#include "core/plan.hpp"

#include <algorithm>

#include "core/split.hpp"

namespace pgclone {

ClonePlan make_plan(const std::vector<DbRole> &roles, bool empty_only) {
    ClonePlan plan;
    for (size_t i = 0; i < roles.size(); i++)
        if (roles[i] == DbRole::Source)
            plan.sources.push_back(i);
    bool many_sources = plan.sources.size() > 1;
    plan.truncates.assign(roles.size(), false);
    for (size_t i = 0; i < roles.size(); i++) {
        bool target = roles[i] == DbRole::Target;
        if (target || many_sources)
            plan.writers.push_back(i);
        plan.truncates[i] = target && !empty_only;
    }
    return plan;
}

std::vector<size_t> ClonePlan::destinations(size_t source) const {
    std::vector<size_t> result;
    for (size_t w : writers)
        if (w != source)
            result.push_back(w);
    return result;
}

bool ClonePlan::is_writer(size_t db) const {
    return std::find(writers.begin(), writers.end(), db) != writers.end();
}

std::vector<NameCandidate> name_candidates(const std::vector<TableName> &tables,
                                           const std::vector<std::string> &search_path) {
    std::vector<NameCandidate> candidates;
    for (size_t i = 0; i < tables.size(); i++) {
        if (tables[i].schema) {
            candidates.push_back({i, *tables[i].schema, tables[i].name});
            continue;
        }
        for (const std::string &schema : search_path)
            candidates.push_back({i, schema, tables[i].name});
    }
    return candidates;
}

std::vector<std::vector<size_t>> assign_streams(const std::vector<int64_t> &table_sizes, int streams,
                                                const std::vector<std::pair<size_t, size_t>> &links) {
    std::vector<std::vector<size_t>> assigned;
    for (const auto &pieces : assign_pieces(table_sizes, {}, streams, links)) {
        assigned.emplace_back();
        for (const Piece &piece : pieces)
            assigned.back().push_back(piece.table);
    }
    return assigned;
}

std::string text_array_literal(const std::vector<std::string> &items) {
    std::string out = "{";
    for (size_t i = 0; i < items.size(); i++) {
        if (i > 0)
            out += ',';
        out += '"';
        for (char c : items[i]) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

}  // namespace pgclone

namespace pgclone {

namespace {

std::string display_ident(const std::string &ident) {
    bool plain = !ident.empty() && !(ident[0] >= '0' && ident[0] <= '9');
    for (char c : ident)
        plain &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (plain)
        return ident;
    std::string out = "\"";
    for (char c : ident) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string display_name(const std::string &schema, const std::string &name) {
    return display_ident(schema) + "." + display_ident(name);
}

std::string display_pattern(const std::optional<std::string> &schema) {
    return schema ? display_ident(*schema) + ".*" : "*";
}

}  // namespace pgclone
