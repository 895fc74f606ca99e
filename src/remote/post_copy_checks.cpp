// After the copy, before the commit: the indexes left for after the rows are built, the deferrable
// constraints that session_replication_role = replica skipped are checked, and the tables filled are
// analyzed, so that their new statistics appear with their new rows.

#include "remote/clone_run.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace pgclone {

namespace {

// Sessions on the same host and port are on the same server.
std::string server_of(const Connection &conn) {
    const char *host = PQhost(conn.raw());
    const char *port = PQport(conn.raw());
    return std::string(host ? host : "") + ":" + (port ? port : "");
}

}  // namespace

// Under session_replication_role = replica, PostgreSQL skips the checks of deferrable unique and
// exclusion constraints (they are triggers that fire on origin only). Rebuilding the index checks
// every row against every other, with the index's own operators; the stream that filled the
// table does it, since its session holds the table's lock.
void CloneRun::check_deferrable_constraints(size_t w) {
    for (size_t k = 0; k < streams_.size(); k++)
        check_deferrable_constraints(w, k, stream_tables_[k]);
}

void CloneRun::check_deferrable_constraints(size_t w, size_t k, const std::vector<size_t> &tables) {
    {
        Connection &conn = writer(w, k);
        for (size_t t : tables) {
            if (dbs_[w].tables[t].outcome.skipped || !dbs_[w].tables[t].build_after.empty())
                continue;  // not written, or all its indexes were just rebuilt
            for (const DeferrableConstraint &constraint : dbs_[w].tables[t].deferrable) {
                try {
                    conn.exec("REINDEX INDEX " + constraint.index);
                } catch (Error &e) {
                    ErrorInfo info = e.info();
                    info.message = "deferrable constraint \"" + constraint.name + "\" is violated (" +
                                   info.message + ")";
                    throw Error(std::move(info)).in_database(job_.dbs[w].name).on_table(dbs_[w].described[t].label);
                }
            }
        }
    }
}

// The foreign keys from tables outside the clone to the tables it emptied by DELETE (see
// plan_referenced_tables): the replica session fired none of their checks, so each is checked now, as
// PostgreSQL validates a new foreign key, by the session that filled the referenced table (only it
// sees the new rows, and it holds their lock). A referencing row whose key is missing fails the clone.
void CloneRun::check_outside_keys(size_t w) {
    for (size_t k = 0; k < dbs_[w].outside_keys.size(); k++)
        check_outside_keys(w, k, stream_tables_[k]);
}

void CloneRun::check_outside_keys(size_t w, size_t k, const std::vector<size_t> &tables) {
    if (k >= dbs_[w].outside_keys.size())
        return;
    {
        Connection &conn = writer(w, k);
        for (const OutsideKey &key : dbs_[w].outside_keys[k]) {
            if (std::find(tables.begin(), tables.end(), key.table) == tables.end())
                continue;
            const RemoteTable &table = dbs_[w].described[key.table];
            const ForeignKeyCheck &fk = key.check;
            std::string referencing = display_name(fk.referencing.schema, fk.referencing.name);
            Result found;
            try {
                found = conn.exec(foreign_key_check_query(
                    fk, [&](const std::string &name) { return conn.quote_ident(name); }));
            } catch (Error &e) {
                e.on_table(table.label);
                throw;
            }
            const PGresult *r = found.get();
            if (PQntuples(r) == 0)
                continue;
            std::vector<std::optional<std::string>> row;
            for (int c = 0; c < PQnfields(r); c++)
                row.push_back(PQgetisnull(r, 0, c) ? std::nullopt
                                                   : std::optional<std::string>(PQgetvalue(r, 0, c)));
            throw Error(sqlstate::foreign_key_violation,
                        "foreign key \"" + fk.name + "\" of table " + referencing +
                            ", which is not cloned, is violated by the new rows",
                        foreign_key_violation_detail(fk, row),
                        "Nothing was changed. Clone table " + referencing +
                            " too, or remove its rows that reference keys the source does not have.")
                .in_database(job_.dbs[w].name)
                .on_table(table.label);
        }
    }
}

// The indexes left for after the copy are built now (see plan_index_builds), every session its own
// tables', several sessions at once: one REINDEX in each per round, so that a duplicate key fails
// naming its table. Several builds at once on one server already keep its cores busy: there, each is
// built without parallel workers, which would compete with the other builds for the same cores and
// cost more CPU than a build alone (each worker sorts its share, the leader merges). At most as many
// build at once on a server as the clone has streams (at least 2): more made each cost more (3 targets
// x 2 streams on 2 cores: 8.0 CPU-s all at once, where 3 at once took 5.3; bench/README.md).
void CloneRun::build_postponed_indexes() {
    if (post_copy_in_streams_)
        return;  // done by each stream (finish_stream)
    struct Builds {
        size_t w;
        Connection *conn;
        std::vector<std::pair<size_t, std::string>> indexes;  // table, index
    };
    std::vector<Builds> sessions;
    std::map<std::string, size_t> per_server;
    for (size_t w : plan_.writers)
        for (size_t k = 0; k < streams_.size(); k++) {
            Builds builds{w, &writer(w, k), {}};
            for (size_t t : stream_tables_[k])
                for (const TableIndex &index : dbs_[w].tables[t].build_after)
                    builds.indexes.emplace_back(t, index.name);
            if (builds.indexes.empty())
                continue;
            per_server[server_of(*builds.conn)]++;
            sessions.push_back(std::move(builds));
        }
    size_t at_once = std::max<size_t>(streams_.size(), 2);
    std::vector<std::vector<Builds *>> waves;
    std::map<std::string, size_t> placed;
    for (Builds &builds : sessions) {
        std::string server = server_of(*builds.conn);
        set_build_settings(*builds.conn, per_server[server] == 1);
        size_t wave = placed[server]++ / at_once;
        if (waves.size() <= wave)
            waves.resize(wave + 1);
        waves[wave].push_back(&builds);
    }
    std::optional<Error> failure;
    for (const std::vector<Builds *> &wave : waves) {
        for (size_t round = 0; !failure; round++) {
            std::vector<Builds *> busy;
            for (Builds *builds : wave)
                if (round < builds->indexes.size()) {
                    builds->conn->send_single("REINDEX INDEX " + builds->indexes[round].second);
                    busy.push_back(builds);
                }
            if (busy.empty())
                break;
            for (Builds *builds : busy) {
                try {
                    builds->conn->finish_command();
                } catch (Error &e) {
                    // The other sessions' statements are read to their end first.
                    if (!failure) {
                        e.on_table(dbs_[builds->w].described[builds->indexes[round].first].label);
                        failure = std::move(e);
                    }
                }
            }
        }
    }
    if (failure)
        throw *failure;
}

// The same, one session's given tables (commit => 'table': in that stream's thread); a duplicate key
// fails here, naming the table.
void CloneRun::build_postponed_indexes(size_t w, size_t k, const std::vector<size_t> &tables, bool alone) {
    Connection &conn = writer(w, k);
    bool settings_made = false;
    for (size_t t : tables) {
        if (!dbs_[w].tables[t].build_after.empty() && !settings_made) {
            set_build_settings(conn, alone);
            settings_made = true;
        }
        for (const TableIndex &index : dbs_[w].tables[t].build_after) {
            try {
                conn.exec("REINDEX INDEX " + index.name);
            } catch (Error &e) {
                e.on_table(dbs_[w].described[t].label);
                throw;
            }
        }
    }
}

// A session about to build indexes: pg_clone.maintenance_work_mem for its sorts, and no parallel
// workers unless it builds alone on its server (see above). SET LOCAL: until the transaction ends.
void CloneRun::set_build_settings(Connection &conn, bool alone) const {
    std::string sql;
    if (options_.build_memory_kb > 0)
        sql += "SET LOCAL maintenance_work_mem = '" +
               std::to_string(std::max<int64_t>(options_.build_memory_kb, 1024)) + "kB'; ";
    if (!alone)
        sql += "SET LOCAL max_parallel_maintenance_workers = 0; ";
    if (!sql.empty())
        conn.exec_script(sql);
}

// Clone mode: a stream whose copies are in verifies its tables, builds their postponed indexes and
// analyzes them at once, in its own thread and sessions, while the other streams still copy, rather
// than waiting for the slowest stream (the cores the finished stream no longer uses would otherwise
// sit idle). Not where the commit round must order things differently: several sources (a source that
// also takes rows holds snapshots on the tables another stream's session would REINDEX) and tables
// created by the clone (their keys and indexes come after every table's rows). Split tables are left
// to the commit round: their slices end in several streams.
bool CloneRun::post_copy_fits_streams() const {
    // With one source, the source takes no rows (plan_.writers: sources only when there are several).
    return !job_.commit_per_table && !job_.schema_create && plan_.sources.size() == 1;
}

void CloneRun::finish_stream(size_t k) {
    std::vector<size_t> whole;
    for (size_t t : stream_tables_[k])
        if (!is_split(t))
            whole.push_back(t);
    if (whole.empty())
        return;
    std::vector<std::string> labels;
    for (size_t t : whole)
        labels.push_back(tables_[t].label);
    set_copying(k, "finishing " + join(labels, ", "));
    if (job_.verify)
        for (size_t t : whole)
            verify_round({{k, t}});
    // One target after the other: at most one build per stream at once on a server. The last stream
    // at work builds for one target alone, with the server's parallel workers: the others' cores are
    // free by then (a dominant table's build is the end of the clone).
    bool alone = streams_busy_.load() == 1 && plan_.writers.size() == 1;
    for (size_t w : plan_.writers)
        build_postponed_indexes(w, k, whole, alone);
    if (job_.analyze)
        analyze_tables(k, whole);
}

// Every session of every target analyzes the tables it filled, all at once (ANALYZE takes a sample,
// whatever the table's size; on a table the clone's role does not own it only warns).
void CloneRun::analyze_tables() {
    if (!job_.analyze || post_copy_in_streams_)
        return;
    std::vector<Connection *> busy;
    for (size_t w : plan_.writers)
        for (size_t k = 0; k < streams_.size(); k++)
            send_analyze(w, k, stream_tables_[k], busy);
    finish_scripts(busy);
}

// The same for the given tables of stream k, on every target at once (in the stream's thread).
void CloneRun::analyze_tables(size_t k, const std::vector<size_t> &tables) {
    std::vector<Connection *> busy;
    for (size_t w : plan_.writers)
        send_analyze(w, k, tables, busy);
    finish_scripts(busy);
}

// Sends stream k's session on target w the ANALYZE of those of the tables it filled (not a split table:
// see below), and adds the session to busy; sends nothing for none.
void CloneRun::send_analyze(size_t w, size_t k, const std::vector<size_t> &tables,
                            std::vector<Connection *> &busy) {
    Connection &conn = writer(w, k);
    std::string script;
    for (size_t t : tables)
        if (!dbs_[w].tables[t].outcome.skipped && !is_split(t))
            script += "ANALYZE " + quoted(conn, dbs_[w].described[t]) + "; ";
    if (script.empty())
        return;
    conn.send_script(script);
    busy.push_back(&conn);
}

// A split table is analyzed once committed: before, each of its sessions sees only its own slice's
// rows, and ANALYZE would record a fraction of them. Its rows are in by then, so a failure here only
// leaves a note.
void CloneRun::analyze_split_tables() noexcept {
    if (!job_.analyze)
        return;
    for (size_t t = 0; t < tables_.size(); t++) {
        if (!is_split(t))
            continue;
        for (size_t w : plan_.writers) {
            try {
                Connection &conn = writer(w);
                conn.exec("ANALYZE " + quoted(conn, dbs_[w].described[t]));
            } catch (const Error &e) {
                notes_.push_back(job_.dbs[w].name + ": " + tables_[t].label +
                                 " not analyzed after the commit (" + e.info().message + ")");
            } catch (...) {
                notes_.push_back(job_.dbs[w].name + ": " + tables_[t].label +
                                 " not analyzed after the commit");
            }
        }
    }
}

}  // namespace pgclone
