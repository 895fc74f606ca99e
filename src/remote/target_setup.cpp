// Target tables before the copy: each stream locks the tables it will fill, refuses code of other roles
// that the copy would run, plans which indexes to build after the rows, and empties them.

#include "remote/clone_run.hpp"

#include <utility>

namespace pgclone {

// The tables a writer fills, as TRUNCATE, LOCK and SELECT name them: a partitioned table with its
// partitions, any other without its inheritance children.
// How TRUNCATE, LOCK and SELECT name a target table: a partitioned table with its partitions, any
// other without its inheritance children.
std::string CloneRun::target_name(Connection &conn, size_t w, size_t t) const {
    const RemoteTable &table = db_tables_[w][t];
    return (table.relkind == 'p' ? "" : "ONLY ") + quoted(conn, table);
}

std::vector<std::string> CloneRun::target_names(Connection &conn, size_t w, size_t stream) const {
    std::vector<std::string> names;
    for (size_t t : stream_tables_[stream])
        names.push_back(target_name(conn, w, t));
    return names;
}

// Foreign keys and user triggers are not fired by a clone, as in Bucardo. Returns false where
// the session may not (no superuser).
bool CloneRun::use_replica_role(Connection &conn) {
    try {
        conn.exec("SET session_replication_role = replica");
        return true;
    } catch (const Error &e) {
        if (e.sqlstate() != sqlstate::insufficient_privilege)
            throw;
        return false;
    }
}

// A database its DBA made read-only (default_transaction_read_only) stays so: the clone's transactions
// are READ WRITE and would overwrite it without a word. A connection string that sets the option off
// says otherwise, explicitly.
void CloneRun::refuse_read_only(size_t w) {
    Connection &conn = writer(w);
    const char *reported = PQparameterStatus(conn.raw(), "default_transaction_read_only");  // 14 and later
    std::string value = reported ? reported
                                 : PQgetvalue(conn.exec("SELECT pg_catalog.current_setting("
                                                        "'default_transaction_read_only')")
                                                  .get(),
                                              0, 0);
    if (value == "on")
        throw Error(sqlstate::read_only_sql_transaction, "read-only (default_transaction_read_only = on)",
                    "",
                    "To clone into it all the same, add options='-c default_transaction_read_only=off' to its "
                    "connection string (bucardo.add_db).")
            .in_database(job_.dbs[w].name);
}

void CloneRun::open_writers() {
    replica_.assign(job_.dbs.size(), false);
    deferrable_.assign(job_.dbs.size(), {});
    empty_by_delete_.assign(job_.dbs.size(), {});
    build_after_.assign(job_.dbs.size(), {});
    for (size_t w : plan_.writers) {
        refuse_read_only(w);
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            set_lock_timeout(conn);
            bool replica = use_replica_role(conn);
            if (k == 0)
                replica_[w] = replica;
            conn.exec("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");
        }
        if (!replica_[w])
            notes_.push_back(job_.dbs[w].name +
                             ": triggers and foreign keys stayed active "
                             "(session_replication_role needs superuser)");
        check_tables(w, writer(w));
        // Each stream locks the tables it will fill, before the checks below, so that no trigger,
        // constraint or index can be added between them and the copy: the lock TRUNCATE needs
        // anyway, SHARE ROW EXCLUSIVE to keep an empty table empty (empty_only), or ROW EXCLUSIVE
        // (a source receiving other sources' rows).
        // With empty => 'delete', EXCLUSIVE: writers wait, readers keep reading the old rows.
        const char *mode = plan_.truncates[w] && job_.empty_delete ? "EXCLUSIVE"
                           : plan_.truncates[w]                    ? "ACCESS EXCLUSIVE"
                           : job_.empty_only                       ? "SHARE ROW EXCLUSIVE"
                                                                   : "ROW EXCLUSIVE";
        // The checks run in the session that holds the lock (the catalog functions they call lock
        // partitions too, and would wait for another stream's lock).
        deferrable_[w].assign(tables_.size(), {});
        empty_by_delete_[w].assign(tables_.size(), false);
        build_after_[w].assign(tables_.size(), {});
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            if (!stream_tables_[k].empty())
                conn.exec("LOCK TABLE " + join(target_names(conn, w, k), ", ") + " IN " + mode + " MODE");
            std::vector<RemoteTable> mine;
            for (size_t t : stream_tables_[k])
                mine.push_back(db_tables_[w][t]);
            refuse_foreign_code(w, conn, mine);
            if (plan_.truncates[w] && job_.empty_delete) {
                refuse_delete_blockers(w, conn, mine);
                for (size_t t : stream_tables_[k])
                    empty_by_delete_[w][t] = true;
            } else if (plan_.truncates[w]) {
                auto cheaper = delete_is_cheaper(conn, mine, options_.delete_below_bytes);
                // Only where little is copied in: a large copy pays TRUNCATE's fixed cost easily,
                // and gets its indexes built after its rows (which needs an emptied table).
                for (size_t i = 0; i < cheaper.size(); i++) {
                    size_t t = stream_tables_[k][i];
                    empty_by_delete_[w][t] =
                        cheaper[i] && source_estimates_[t].bytes < options_.large_table_bytes;
                }
                plan_index_builds(w, k, conn, mine);
            }
            if (replica_[w]) {
                auto found = deferrable_constraints(conn, mine);
                for (size_t i = 0; i < found.size(); i++)
                    deferrable_[w][stream_tables_[k][i]] = std::move(found[i]);
            }
        }
    }
}

// Emptying by DELETE must empty: no rule may turn it into something else, and no table outside the clone
// may reference the table (with foreign keys off, its rows would be left dangling; TRUNCATE refuses
// the same table).
void CloneRun::refuse_delete_blockers(size_t w, Connection &conn,
                                      const std::vector<RemoteTable> &tables) const {
    std::vector<std::string> others;
    for (const RemoteTable &t : db_tables_[w])
        others.push_back(t.oid);
    for (const DeleteBlocker &blocker : delete_blockers(conn, tables, others))
        throw Error(sqlstate::object_not_in_prerequisite_state, "cannot be emptied by DELETE: " + blocker.reason, "",
                    "Clone with empty => 'truncate', or deal with what stands in the way.")
            .in_database(job_.dbs[w].name)
            .on_table(tables[blocker.table].label);
}

// Keeping an index up to date row by row costs a bulk load about a third of its time; building it
// from the loaded rows costs much less. PostgreSQL has no statement for "not now": the clone marks
// the indexes of a large, emptied table not ready (pg_index.indisready, as CREATE INDEX
// CONCURRENTLY does), so that COPY leaves them alone, and REINDEXes them before the commit, which
// marks them ready again and checks uniqueness and exclusion. All in the clone's transaction: a
// failure at any point rolls the flags back with everything else, and the committed schema is
// exactly what it was. Only superusers may write pg_index.
void CloneRun::plan_index_builds(size_t w, size_t k, Connection &conn, const std::vector<RemoteTable> &mine) {
    if (!options_.build_indexes_after || !replica_[w])
        return;
    const char *superuser = PQparameterStatus(conn.raw(), "is_superuser");
    if (!superuser || std::string(superuser) != "on")
        return;
    auto indexes = buildable_indexes(conn, mine);
    for (size_t i = 0; i < indexes.size(); i++) {
        size_t t = stream_tables_[k][i];
        if (source_estimates_[t].bytes >= options_.large_table_bytes && !empty_by_delete_[w][t])
            build_after_[w][t] = std::move(indexes[i]);
    }
}

// A connection often has more rights than the owners of a target's tables: a superuser's, say.
// Code those owners wrote must not run with them (a trigger could make its owner a superuser).
// SET ROLE to the table's owner would not help: that code could RESET ROLE. So such a table is
// refused, before anything is emptied.
void CloneRun::refuse_foreign_code(size_t w, Connection &conn, const std::vector<RemoteTable> &tables) const {
    auto found = find_foreign_code(conn, tables, replica_[w]);
    if (found.empty())
        return;
    const ForeignCode &code = found.front();
    std::string user = PQuser(conn.raw());
    throw Error(sqlstate::insufficient_privilege,
                code.where + " would run function " + code.function + ", owned by role \"" + code.owner +
                    "\", with the privileges of role \"" + user + "\"",
                "pg_clone runs no code on a target that belongs to a role other than the one it connects "
                "as, unless a superuser owns it: triggers that fire for COPY or TRUNCATE, and functions "
                "in constraints, indexes, generated columns, partition keys and column types.",
                "Register the database with a connection string that logs in as role \"" + code.owner +
                    "\", or have a superuser own the function" +
                    (code.where.rfind("trigger", 0) == 0
                         ? std::string(", or let the trigger fire only outside replication "
                                       "(ALTER TABLE ... ENABLE TRIGGER)")
                         : std::string()) +
                    ".")
        .in_database(job_.dbs[w].name)
        .on_table(tables[code.table].label);
}

// One progress slot per table, source and database written (see core/progress.hpp).
void CloneRun::claim_progress() {
    progress_.assign(tables_.size(),
                     std::vector<std::vector<ProgressSlot *>>(
                         job_.dbs.size(), std::vector<ProgressSlot *>(job_.dbs.size(), nullptr)));
    if (!options_.progress)
        return;
    for (size_t t = 0; t < tables_.size(); t++)
        for (size_t s : plan_.sources)
            for (size_t d : plan_.destinations(s))
                progress_[t][s][d] =
                    options_.progress->claim(tables_[t].label, job_.dbs[s].name, job_.dbs[d].name,
                                             source_estimates_[t].rows, source_estimates_[t].bytes);
}

void CloneRun::set_progress(size_t t, size_t d, ProgressPhase phase) {
    for (size_t s : plan_.sources)
        if (ProgressSlot *slot = progress_[t][s][d])
            slot->set_phase(phase);
}

// Nothing is emptied before every database was reached and every table checked everywhere. Each
// stream empties its own tables: the session that truncates a table holds its lock until the end.
void CloneRun::prepare_writers() {
    skipped_.assign(job_.dbs.size(), std::vector<bool>(tables_.size(), false));
    for (size_t w : plan_.writers) {
        for (size_t t = 0; t < tables_.size(); t++)
            set_progress(t, w, plan_.truncates[w] ? ProgressPhase::Emptying : ProgressPhase::Waiting);
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            if (plan_.truncates[w]) {
                // Small tables by DELETE, the others by one TRUNCATE: one round trip for all.
                std::vector<std::string> truncated;
                std::string sql;
                for (size_t t : stream_tables_[k]) {
                    if (empty_by_delete_[w][t])
                        sql += "DELETE FROM " + target_name(conn, w, t) + "; ";
                    else
                        truncated.push_back(target_name(conn, w, t));
                }
                if (!truncated.empty())
                    sql += "TRUNCATE " + join(truncated, ", ") + "; ";
                std::vector<std::string> postponed;
                for (size_t t : stream_tables_[k])
                    for (const TableIndex &index : build_after_[w][t])
                        postponed.push_back(index.oid);
                if (!postponed.empty())
                    sql += "UPDATE pg_catalog.pg_index SET indisready = false WHERE indexrelid IN (" +
                           join(postponed, ", ") + ")";
                if (!sql.empty())
                    conn.exec_script(sql);
            } else if (job_.empty_only) {
                for (size_t t : stream_tables_[k]) {
                    Result r = conn.exec("SELECT EXISTS (SELECT FROM " + target_name(conn, w, t) + ")");
                    skipped_[w][t] = PQgetvalue(r.get(), 0, 0)[0] == 't';
                }
            }
        }
        for (size_t t = 0; t < tables_.size(); t++)
            set_progress(t, w, skipped_[w][t] ? ProgressPhase::Skipped : ProgressPhase::Waiting);
    }
}

}  // namespace pgclone
