#include "core/plan.hpp"

#include <algorithm>

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
    // Groups of linked tables (union-find), each weighed by the sum of its tables' sizes. An empty
    // table still costs a round trip or two.
    size_t n = table_sizes.size();
    std::vector<size_t> parent(n);
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
    auto root = [&](size_t i) {
        while (parent[i] != i)
            i = parent[i] = parent[parent[i]];
        return i;
    };
    for (const auto &link : links)
        if (link.first < n && link.second < n)
            parent[root(link.first)] = root(link.second);
    std::vector<int64_t> group_size(n, 0);
    std::vector<size_t> groups;  // group roots, in the order of their first table
    for (size_t i = 0; i < n; i++) {
        size_t r = root(i);
        if (group_size[r] == 0)
            groups.push_back(r);
        group_size[r] += std::max<int64_t>(table_sizes[i], 8192);
    }
    // Largest group first; equal sizes keep the order asked for.
    std::stable_sort(groups.begin(), groups.end(),
                     [&](size_t a, size_t b) { return group_size[a] > group_size[b]; });
    // At least one stream, even with no table: its sessions still set the sequences.
    size_t count = std::max<size_t>(1, std::min(groups.size(), static_cast<size_t>(std::max(streams, 1))));
    std::vector<std::vector<size_t>> assigned(count);
    std::vector<int64_t> load(count, 0);
    std::vector<size_t> stream_of(n, 0);
    for (size_t g : groups) {
        size_t least = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        stream_of[g] = least;
        load[least] += group_size[g];
    }
    // Each stream lists its tables largest first.
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return table_sizes[a] > table_sizes[b]; });
    for (size_t table : order)
        assigned[stream_of[root(table)]].push_back(table);
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
