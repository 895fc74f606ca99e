#include "core/split.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace pgclone {

std::vector<PageRange> page_ranges(int64_t pages, size_t slices) {
    pages = std::max<int64_t>(pages, 0);
    size_t n =
        std::max<size_t>(1, std::min<size_t>(slices, static_cast<size_t>(std::max<int64_t>(pages, 1))));
    std::vector<PageRange> ranges;
    for (size_t i = 0; i < n; i++) {
        PageRange r;
        r.first = pages * static_cast<int64_t>(i) / static_cast<int64_t>(n);
        if (i + 1 < n)
            r.end = pages * static_cast<int64_t>(i + 1) / static_cast<int64_t>(n);
        ranges.push_back(r);
    }
    return ranges;
}

std::string ctid_condition(const PageRange &range) {
    std::vector<std::string> parts;
    if (range.first > 0)
        parts.push_back("ctid OPERATOR(pg_catalog.>=) '(" + std::to_string(range.first) +
                        ",0)'::pg_catalog.tid");
    if (range.end)
        parts.push_back("ctid OPERATOR(pg_catalog.<) '(" + std::to_string(*range.end) +
                        ",0)'::pg_catalog.tid");
    std::string out;
    for (const auto &p : parts)
        out += (out.empty() ? "" : " AND ") + p;
    return out;
}

size_t slice_count(int64_t bytes, int64_t pages, int64_t min_bytes, int streams) {
    if (min_bytes <= 0 || bytes < min_bytes || streams < 2 || pages < 2)
        return 1;
    return static_cast<size_t>(std::min<int64_t>(streams, pages));
}

std::vector<std::vector<Piece>> assign_pieces(const std::vector<int64_t> &table_sizes,
                                              const std::vector<size_t> &slices, int streams,
                                              const std::vector<std::pair<size_t, size_t>> &links) {
    // Groups of linked tables (union-find), each weighed by the sum of its tables' sizes. An empty
    // table still costs a round trip or two.
    size_t n = table_sizes.size();
    auto slices_of = [&](size_t t) { return t < slices.size() ? std::max<size_t>(1, slices[t]) : 1; };
    std::vector<size_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0);
    auto root = [&](size_t i) {
        while (parent[i] != i)
            i = parent[i] = parent[parent[i]];
        return i;
    };
    for (const auto &link : links)
        if (link.first < n && link.second < n)
            parent[root(link.first)] = root(link.second);
    // A unit is a group of whole tables, or one slice of a split table (never linked).
    struct Unit {
        size_t root;  // the group's root, or the table
        size_t slice;
        bool split;
        int64_t size;
    };
    std::vector<int64_t> group_size(n, 0);
    std::vector<Unit> units;
    std::vector<size_t> group_unit(n, SIZE_MAX);
    size_t max_slices = 1;
    for (size_t i = 0; i < n; i++) {
        int64_t size = std::max<int64_t>(table_sizes[i], 8192);
        size_t k = slices_of(i);
        max_slices = std::max(max_slices, k);
        if (k > 1) {
            for (size_t s = 0; s < k; s++)
                units.push_back({i, s, true, std::max<int64_t>(size / static_cast<int64_t>(k), 8192)});
            continue;
        }
        size_t r = root(i);
        if (group_unit[r] == SIZE_MAX) {
            group_unit[r] = units.size();
            units.push_back({r, 0, false, 0});
        }
        units[group_unit[r]].size += size;
    }
    // Largest first; equal sizes keep the order asked for.
    std::vector<size_t> order(units.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return units[a].size > units[b].size; });
    // At least one stream, even with no table: its sessions still set the sequences. At least as many
    // as the most slices of a table, which were counted within the streams asked for.
    size_t count = std::max<size_t>(
        max_slices, std::max<size_t>(1, std::min(units.size(), static_cast<size_t>(std::max(streams, 1)))));
    std::vector<int64_t> load(count, 0);
    std::vector<size_t> stream_of_group(n, 0);
    std::vector<std::vector<size_t>> streams_of_table(n);  // split tables: per slice
    for (size_t u : order) {
        const Unit &unit = units[u];
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < count; k++) {
            if (unit.split) {
                const auto &taken = streams_of_table[unit.root];
                if (std::find(taken.begin(), taken.end(), k) != taken.end())
                    continue;
            }
            if (best == SIZE_MAX || load[k] < load[best])
                best = k;
        }
        load[best] += unit.size;
        if (unit.split)
            streams_of_table[unit.root].push_back(best);
        else
            stream_of_group[unit.root] = best;
    }
    // Each stream lists its pieces largest first (a slice weighs its share of the table).
    std::vector<Piece> pieces;
    std::vector<int64_t> weight;
    for (size_t t = 0; t < n; t++)
        for (size_t s = 0; s < slices_of(t); s++) {
            pieces.push_back({t, s});
            weight.push_back(table_sizes[t] / static_cast<int64_t>(slices_of(t)));
        }
    std::vector<size_t> by_size(pieces.size());
    std::iota(by_size.begin(), by_size.end(), 0);
    std::stable_sort(by_size.begin(), by_size.end(),
                     [&](size_t a, size_t b) { return weight[a] > weight[b]; });
    std::vector<std::vector<Piece>> assigned(count);
    for (size_t p : by_size) {
        const Piece &piece = pieces[p];
        size_t k = slices_of(piece.table) > 1 ? streams_of_table[piece.table][piece.slice]
                                              : stream_of_group[root(piece.table)];
        assigned[k].push_back(piece);
    }
    // A stream with nothing to do is dropped (more streams than pieces cannot happen, but slices
    // count towards the streams asked for).
    assigned.erase(std::remove_if(assigned.begin(), assigned.end(), [](const auto &v) { return v.empty(); }),
                   assigned.end());
    if (assigned.empty())
        assigned.emplace_back();
    return assigned;
}

std::string pretty_size(int64_t bytes) {
    const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
    int u = 0;
    int64_t v = bytes;
    // As pg_size_pretty: the next unit from 10240 of this one on, rounded.
    while (u < 4 && (v >= 10240 || v <= -10240)) {
        v = (v + (v >= 0 ? 512 : -512)) / 1024;
        u++;
    }
    return std::to_string(v) + " " + units[u];
}

std::string split_note(const std::string &table, int64_t bytes, size_t slices) {
    return table + " (" + pretty_size(bytes) + ") split into " + std::to_string(slices) + " slices read by " +
           std::to_string(slices) + " streams";
}

std::string not_split_note(const std::string &table, int64_t bytes, const std::string &reason) {
    return table + " (" + pretty_size(bytes) + ") not split: " + reason;
}

}  // namespace pgclone
