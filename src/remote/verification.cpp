// clone(..., verify => true): before the commit, every table on every target is compared with what
// the sources' snapshots hold (with their row filters): the row count, and a checksum of the content
// that does not depend on row order (the sum, modulo 2^60, of the first 60 bits of each row's md5 over
// the copied columns, in the source's column order). Each side computes its own; a target's must equal
// the sum of the sources'. A difference fails the clone, naming the table and both figures.

#include "remote/clone_run.hpp"

#include <cstdint>

namespace pgclone {

namespace {

constexpr uint64_t checksum_modulus = uint64_t(1) << 60;

struct Figures {
    int64_t rows = 0;
    uint64_t checksum = 0;

    void add(const Figures &other) {
        rows += other.rows;
        checksum = (checksum + other.checksum) % checksum_modulus;
    }
    bool operator==(const Figures &other) const { return rows == other.rows && checksum == other.checksum; }
    std::string text() const { return std::to_string(rows) + " rows, checksum " + std::to_string(checksum); }
};

Figures figures(Connection &conn, const std::string &from, const std::vector<std::string> &columns,
                const std::string &where) {
    std::string row = "ROW(" + join(columns, ", ") + ")::pg_catalog.text";
    std::string sql =
        "SELECT pg_catalog.count(*), (COALESCE(pg_catalog.sum(h), 0) OPERATOR(pg_catalog.%) "
        "1152921504606846976)::pg_catalog.int8 FROM (SELECT ('x' OPERATOR(pg_catalog.||) pg_catalog.substr("
        "pg_catalog.md5(" +
        row + "), 1, 15))::bit(60)::pg_catalog.int8 AS h FROM " + from +
        (where.empty() ? "" : " WHERE (" + where + ")") + ") AS s";
    Result result = conn.exec_single(sql);
    Figures f;
    f.rows = std::stoll(PQgetvalue(result.get(), 0, 0));
    f.checksum = std::stoull(PQgetvalue(result.get(), 0, 1));
    return f;
}

}  // namespace

void CloneRun::verify_tables() {
    verified_.assign(job_.dbs.size(), std::vector<bool>(tables_.size(), false));
    if (!job_.verify)
        return;
    phase("verifying");
    for (size_t k = 0; k < streams_.size(); k++) {
        for (size_t t : stream_tables_[k]) {
            const RemoteTable &table = tables_[t];
            const std::string &filter = t < job_.filters.size() ? job_.filters[t] : std::string();
            Figures expected;
            for (size_t s : plan_.sources) {
                Connection &conn = reader(s, k);
                const RemoteTable &here = s == plan_.sources.front() ? table : db_tables_[s][t];
                std::vector<std::string> columns;
                for (const Column &c : table.columns)
                    columns.push_back(conn.quote_ident(c.name));
                std::string from = (here.relkind == 'p' ? "" : "ONLY ") + quoted(conn, here);
                try {
                    expected.add(figures(conn, from, columns, filter));
                } catch (Error &e) {
                    e.add_table(table.label);
                    throw;
                }
            }
            for (size_t w : plan_.writers) {
                if (skipped_[w][t])
                    continue;
                Connection &conn = writer(w, k);
                std::vector<std::string> columns;
                for (const Column &c : table.columns)
                    columns.push_back(conn.quote_ident(c.name));
                Figures found;
                try {
                    found = figures(conn, target_name(conn, w, t), columns, "");
                } catch (Error &e) {
                    e.add_table(table.label);
                    throw;
                }
                if (!(found == expected))
                    throw Error(sqlstate::data_exception,
                                database_label(job_.dbs[w].name) + ", table " + table.label +
                                    ": verification failed: the target has " + found.text() + ", the source" +
                                    (plan_.sources.size() > 1 ? "s " : " ") + expected.text(),
                                "", "Every target was rolled back.");
                verified_[w][t] = true;
            }
        }
    }
}

}  // namespace pgclone
