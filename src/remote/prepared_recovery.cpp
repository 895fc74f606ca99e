#include "remote/prepared_recovery.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/plan.hpp"

namespace pgclone {

namespace {

// Ends the clone's own sessions left on this database (those of the same role: the clone connected
// with the same connection string) and waits, bounded, until they are gone.
void end_clone_sessions(Connection &conn, const std::string &application_name, Waiter &waiter) {
    static const char *sql =
        "SELECT pg_catalog.pg_terminate_backend(a.pid) FROM pg_catalog.pg_stat_activity a"
        " WHERE a.application_name OPERATOR(pg_catalog.=) $1"
        "   AND a.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()"
        "   AND a.usename OPERATOR(pg_catalog.=) CURRENT_USER"
        "   AND a.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()";
    for (int attempt = 0; attempt < 50; attempt++) {
        Result result = conn.exec(sql, {application_name});
        if (PQntuples(result.get()) == 0)
            return;
        waiter.wait({}, 200);
    }
    throw Error(sqlstate::object_not_in_prerequisite_state, "sessions of the clone are still there after 10 s")
        .in_database(conn.db_name());
}

void resolve_on(Connection &conn, const InDoubtDb &db, bool commit, InDoubtOutcome &outcome,
                const std::function<void(const std::string &)> &log) {
    std::string list = text_array_literal(db.gids);
    Result found = conn.exec(
        "SELECT gid FROM pg_catalog.pg_prepared_xacts"
        " WHERE database OPERATOR(pg_catalog.=) pg_catalog.current_database()"
        "   AND gid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])",
        {list});
    std::vector<std::string> present;
    for (int r = 0; r < PQntuples(found.get()); r++)
        present.emplace_back(PQgetvalue(found.get(), r, 0));
    for (const std::string &gid : db.gids) {
        if (std::find(present.begin(), present.end(), gid) != present.end()) {
            conn.exec((commit ? "COMMIT PREPARED " : "ROLLBACK PREPARED ") + conn.quote_literal(gid));
            if (log)
                log(std::string(commit ? "committed" : "rolled back") + " prepared transaction " + gid +
                    " on " + database_label(db.name));
        }
        // Not there: resolved already (or, with no decision, never prepared).
        outcome.resolved.push_back(gid);
    }
}

}  // namespace

InDoubtOutcome resolve_in_doubt(const std::vector<InDoubtDb> &dbs, bool commit,
                                const std::string &clone_application_name, const ConnectDefaults &defaults,
                                Waiter &waiter, const std::function<void(const std::string &)> &log) {
    InDoubtOutcome outcome;
    for (const InDoubtDb &db : dbs) {
        if (db.conninfo.empty()) {
            outcome.errors.push_back(database_label(db.name) +
                                     " is no longer registered (bucardo.add_db it again, or resolve its "
                                     "prepared transactions by hand)");
            continue;
        }
        try {
            Connection conn = Connection::open(db.name, db.conninfo, defaults, waiter);
            end_clone_sessions(conn, clone_application_name, waiter);
            resolve_on(conn, db, commit, outcome, log);
        } catch (const Error &e) {
            outcome.errors.push_back(e.text());
        }
    }
    return outcome;
}

}  // namespace pgclone
