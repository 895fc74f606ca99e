// After the copy, before the commit: the indexes left for after the rows are built, the deferrable
// constraints that session_replication_role = replica skipped are checked, and the tables filled are
// analyzed, so that their new statistics appear with their new rows.

#include "remote/clone_run.hpp"

#include <utility>

namespace pgclone {

// Under session_replication_role = replica, PostgreSQL skips the checks of deferrable unique and
// exclusion constraints (they are triggers that fire on origin only). Rebuilding the index checks
// every row against every other, with the index's own operators; the stream that filled the
// table does it, since its session holds the table's lock.
void CloneRun::check_deferrable_constraints(size_t w) {
    if (deferrable_[w].empty())
        return;
    for (size_t k = 0; k < streams_.size(); k++) {
        Connection &conn = writer(w, k);
        for (size_t t : stream_tables_[k]) {
            if (skipped_[w][t] || !build_after_[w][t].empty())
                continue;  // not written, or all its indexes were just rebuilt
            for (const DeferrableConstraint &constraint : deferrable_[w][t]) {
                try {
                    conn.exec("REINDEX INDEX " + constraint.index);
                } catch (Error &e) {
                    ErrorInfo info = e.info();
                    info.message = "deferrable constraint \"" + constraint.name + "\" is violated (" +
                                   info.message + ")";
                    throw Error(std::move(info)).in_database(job_.dbs[w].name).on_table(db_tables_[w][t].label);
                }
            }
        }
    }
}

// The indexes left for after the copy are built now (see plan_index_builds), each stream its own
// tables'; a duplicate key fails here, naming the table.
void CloneRun::build_postponed_indexes(size_t w) {
    for (size_t k = 0; k < streams_.size(); k++) {
        Connection &conn = writer(w, k);
        for (size_t t : stream_tables_[k]) {
            for (const TableIndex &index : build_after_[w][t]) {
                try {
                    conn.exec("REINDEX INDEX " + index.name);
                } catch (Error &e) {
                    e.on_table(db_tables_[w][t].label);
                    throw;
                }
            }
        }
    }
}

// Every session of every target analyzes the tables it filled, all at once (ANALYZE takes a sample,
// whatever the table's size; on a table the clone's role does not own it only warns).
void CloneRun::analyze_tables() {
    if (!job_.analyze)
        return;
    std::vector<Connection *> busy;
    for (size_t w : plan_.writers)
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            std::string script;
            for (size_t t : stream_tables_[k])
                if (!skipped_[w][t])
                    script += "ANALYZE " + quoted(conn, db_tables_[w][t]) + "; ";
            if (script.empty())
                continue;
            conn.send_script(script);
            busy.push_back(&conn);
        }
    std::optional<Error> failure;
    for (Connection *conn : busy) {
        try {
            conn->finish_script();
        } catch (const Error &e) {
            if (!failure)
                failure = e;
        }
    }
    if (failure)
        throw *failure;
}

}  // namespace pgclone
