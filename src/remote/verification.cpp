// clone(..., verify => true): before the commit, every table on every target is compared with what
// the sources' snapshots hold (with their row filters): the row count, and a checksum of the content
// that does not depend on row order (the sum, modulo 2^60, of a 64-bit hash of each row's text over the
// copied columns, in the source's column order: hashtextextended, which is 3x cheaper than md5 here but
// depends on the servers' byte order). Each side computes its own; a target's must equal the sum of the
// sources'. A difference fails the clone, naming the table and both figures.

#include "remote/clone_run.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

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

std::string figures_query(const std::string &from, const std::vector<std::string> &columns, const std::string &where) {
    std::string row = "ROW(" + join(columns, ", ") + ")::pg_catalog.text";
    return "SELECT pg_catalog.count(*), (COALESCE(pg_catalog.sum(h), 0) OPERATOR(pg_catalog.%) "
           "1152921504606846976)::pg_catalog.int8 FROM (SELECT pg_catalog.hashtextextended(" +
           row + ", 0) OPERATOR(pg_catalog.&) 1152921504606846975 AS h FROM " + from +
           (where.empty() ? "" : " WHERE (" + where + ")") + ") AS s";
}

Figures read_figures(const Result &result) {
    Figures f;
    f.rows = std::stoll(PQgetvalue(result.get(), 0, 0));
    f.checksum = std::stoull(PQgetvalue(result.get(), 0, 1));
    return f;
}

// One side's count of one table, being computed by its session.
struct Pending {
    Connection *conn;
    size_t table;
    std::optional<size_t> target;  // the database written, or none for a source
};

}  // namespace

// Round by round, every stream's next table at once: each source session and each target session
// counts its own, all servers working at the same time.
void CloneRun::verify_tables() {
    if (!job_.verify)
        return;
    phase("verifying");
    size_t rounds = 0;
    if (!post_copy_in_streams_)  // else each stream verified its own (finish_stream)
        for (const auto &tables : stream_tables_)
            rounds = std::max(rounds, tables.size());
    for (size_t round = 0; round < rounds; round++) {
        std::vector<std::pair<size_t, size_t>> these;
        for (size_t k = 0; k < streams_.size(); k++)
            if (round < stream_tables_[k].size() && !is_split(stream_tables_[k][round]))
                these.emplace_back(k, stream_tables_[k][round]);
        verify_round(these);
    }
    for (size_t t = 0; t < tables_.size(); t++)
        if (is_split(t))
            verify_split_table(t);
}

void CloneRun::verify_round(const std::vector<std::pair<size_t, size_t>> &stream_tables) {
    {
        std::vector<Pending> pending;
        auto send = [&](Connection &conn, const RemoteTable &here, size_t t, std::optional<size_t> target,
                        const std::string &where) {
            std::vector<std::string> columns;
            for (const Column &c : tables_[t].columns)
                columns.push_back(conn.quote_ident(c.name));
            std::string from = target ? target_name(conn, *target, t)
                                      : (here.relkind == 'p' ? "" : "ONLY ") + quoted(conn, here);
            conn.send_single(figures_query(from, columns, where));
            pending.push_back({&conn, t, target});
        };
        for (auto [k, t] : stream_tables) {
            const std::string &filter = table_filters_[t];
            for (size_t s : plan_.sources)
                send(reader(s, k), s == plan_.sources.front() ? tables_[t] : dbs_[s].described[t], t, std::nullopt,
                     filter);
            for (size_t w : plan_.writers)
                if (!dbs_[w].tables[t].outcome.skipped)
                    send(writer(w, k), dbs_[w].described[t], t, w, "");
        }
        // Every answer is read (a session must finish its query), the first failure kept.
        std::optional<Error> failure;
        std::vector<Figures> expected(tables_.size());
        std::vector<std::pair<Pending, Figures>> found;
        for (const Pending &p : pending) {
            try {
                Figures f = read_figures(p.conn->finish_command());
                if (p.target)
                    found.emplace_back(p, f);
                else
                    expected[p.table].add(f);
            } catch (Error &e) {
                e.on_table(tables_[p.table].label);
                if (!failure)
                    failure = e;
            }
        }
        if (failure)
            throw *failure;
        for (const auto &[p, f] : found) {
            const Figures &want = expected[p.table];
            if (!(f == want))
                throw Error(sqlstate::data_exception,
                            "verification failed: the target has " + f.text() + ", the source" +
                                (plan_.sources.size() > 1 ? "s " : " ") + want.text(),
                            "", "Every target was rolled back.")
                    .in_database(job_.dbs[*p.target].name)
                    .on_table(tables_[p.table].label);
            dbs_[*p.target].tables[p.table].outcome.verified = true;
        }
    }
}

// A split table's rows were written by several sessions, none of which sees the others' (nor, with
// empty => 'delete', that the old rows are gone): each counts the rows its own transaction wrote, and
// their figures add up to the target's. The source is counted whole, by the owner's session.
void CloneRun::verify_split_table(size_t t) {
    size_t owner = 0;
    std::vector<size_t> writers_of;  // streams with a slice of t
    for (size_t k = 0; k < stream_work_.size(); k++)
        for (const Piece &piece : stream_work_[k])
            if (piece.table == t) {
                writers_of.push_back(k);
                if (piece.slice == 0)
                    owner = k;
            }
    std::vector<std::string> columns;
    size_t s = plan_.sources.front();
    Connection &source = reader(s, owner);
    for (const Column &c : tables_[t].columns)
        columns.push_back(source.quote_ident(c.name));
    std::vector<std::pair<Connection *, std::optional<size_t>>> pending;
    source.send_single(figures_query("ONLY " + quoted(source, tables_[t]), columns, table_filters_[t]));
    pending.emplace_back(&source, std::nullopt);
    const std::string own_rows =
        "xmin OPERATOR(pg_catalog.=) (pg_catalog.txid_current() OPERATOR(pg_catalog.%) "
        "4294967296)::pg_catalog.text::pg_catalog.xid";
    for (size_t w : plan_.writers)
        for (size_t k : writers_of) {
            Connection &conn = writer(w, k);
            conn.send_single(figures_query(target_name(conn, w, t), columns, own_rows));
            pending.emplace_back(&conn, w);
        }
    std::optional<Error> failure;
    Figures expected;
    std::vector<Figures> found(job_.dbs.size());
    for (const auto &[conn, target] : pending) {
        try {
            Figures f = read_figures(conn->finish_command());
            (target ? found[*target] : expected).add(f);
        } catch (Error &e) {
            e.on_table(tables_[t].label);
            if (!failure)
                failure = e;
        }
    }
    if (failure)
        throw *failure;
    for (size_t w : plan_.writers) {
        if (!(found[w] == expected))
            throw Error(sqlstate::data_exception,
                        "verification failed: the target has " + found[w].text() + ", the source " +
                            expected.text(),
                        "", "Every target was rolled back.")
                .in_database(job_.dbs[w].name)
                .on_table(tables_[t].label);
        dbs_[w].tables[t].outcome.verified = true;
    }
}

}  // namespace pgclone
