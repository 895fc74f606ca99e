// Target tables before the copy: each stream locks the tables it will fill, refuses code of other roles
// that the copy would run, plans which indexes to build after the rows, and empties them.

#include "remote/clone_run.hpp"

#include <algorithm>
#include <utility>

namespace pgclone {

namespace {

// One question to several sessions at once: send(k) asks session k (false: nothing to ask), then
// read(k) reads each answer, every one, even after a failure (a session must read its answer before its
// next command); the first failure is kept in failure, and nothing is sent once there is one.
template <typename Send, typename Read>
void ask_at_once(size_t sessions, std::optional<Error> &failure, Send send, Read read) {
    std::vector<bool> asked(sessions, false);
    for (size_t k = 0; k < sessions && !failure; k++) {
        try {
            asked[k] = send(k);
        } catch (const Error &e) {
            failure = e;
        }
    }
    for (size_t k = 0; k < sessions; k++) {
        if (!asked[k])
            continue;
        try {
            read(k);
        } catch (const Error &e) {
            if (!failure)
                failure = e;
        }
    }
}

}  // namespace

// How TRUNCATE, LOCK and SELECT name a target table: a partitioned table with its partitions, any
// other without its inheritance children.
std::string CloneRun::target_name(Connection &conn, size_t w, size_t t) const {
    const RemoteTable &table = dbs_[w].described[t];
    return (table.relkind == 'p' ? "" : "ONLY ") + quoted(conn, table);
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
    for (size_t w : plan_.writers) {
        refuse_read_only(w);
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            set_lock_timeout(conn);
            bool replica = use_replica_role(conn);
            if (k == 0)
                dbs_[w].replica = replica;
            conn.exec("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");
        }
        if (!dbs_[w].replica)
            notes_.push_back(job_.dbs[w].name +
                             ": triggers and foreign keys stayed active "
                             "(session_replication_role needs superuser)");
        create_before_rows(w);
        check_tables(w, writer(w));
        // Each stream locks the tables it will fill, before the checks below, so that no trigger,
        // constraint or index can be added between them and the copy: the lock TRUNCATE needs
        // anyway, SHARE ROW EXCLUSIVE to keep an empty table empty (empty_only), or ROW EXCLUSIVE
        // (a source receiving other sources' rows).
        // With empty => 'delete', EXCLUSIVE: writers wait, readers keep reading the old rows.
        const char *mode = lock_mode(w);
        // The checks run in the session that holds the lock (the catalog functions they call lock
        // partitions too, and would wait for another stream's lock).
        dbs_[w].outside_keys.assign(streams_.size(), {});
        // A split table is written by several sessions of the clone: each takes ROW EXCLUSIVE, which
        // lets the others insert and keeps out TRUNCATE, ALTER and new triggers (not other writers).
        // The look for other roles' code is the longest of these checks (tens of milliseconds, however
        // little it finds): it is skipped where no function belongs to another role that is not a
        // superuser, and otherwise every stream's session runs its own at once, every answer read
        // before the first refusal.
        std::vector<std::vector<RemoteTable>> stream_mine(streams_.size());
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            std::vector<std::string> whole, shared;
            for (size_t t : stream_tables_[k])
                (is_split(t) ? shared : whole).push_back(target_name(conn, w, t));
            for (size_t t : guest_tables(k))
                shared.push_back(target_name(conn, w, t));
            if (!whole.empty())
                conn.exec("LOCK TABLE " + join(whole, ", ") + " IN " + mode + " MODE");
            if (!shared.empty())
                conn.exec("LOCK TABLE " + join(shared, ", ") + " IN ROW EXCLUSIVE MODE");
            refuse_rows_in_seeded(w, k, conn);
            for (size_t t : stream_tables_[k])
                stream_mine[k].push_back(dbs_[w].described[t]);
        }
        dbs_[w].foreign_functions = has_foreign_functions(writer(w));
        std::vector<std::vector<ForeignCode>> stream_code(streams_.size());
        if (dbs_[w].foreign_functions) {
            std::optional<Error> failure;
            ask_at_once(
                streams_.size(), failure,
                [&](size_t k) { return send_foreign_code_query(writer(w, k), stream_mine[k], dbs_[w].replica); },
                [&](size_t k) { stream_code[k] = read_foreign_code(writer(w, k)); });
            if (failure)
                throw *failure;
        }
        for (size_t k = 0; k < streams_.size(); k++)
            refuse_found_code(w, writer(w, k), stream_mine[k], stream_code[k]);
        // A split table is not truncated, and has no unique index where it is deleted (so no foreign
        // key references it there).
        std::vector<std::vector<size_t>> whole_tables(streams_.size());
        for (size_t k = 0; k < streams_.size(); k++)
            for (size_t t : stream_tables_[k])
                if (!is_split(t))
                    whole_tables[k].push_back(t);
        // The two longest of the checks below, which use nothing the others find, ask every stream's
        // session at once: which tables DELETE empties more cheaply, and which foreign keys reference
        // them.
        std::vector<std::vector<bool>> cheaper(streams_.size());
        std::vector<std::vector<KeyReference>> references(streams_.size());
        if (plan_.truncates[w])
            ask_every_stream(w, cheaper, references, stream_mine, whole_tables);
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            const std::vector<RemoteTable> &mine = stream_mine[k];
            if (plan_.truncates[w] && job_.empty_delete) {
                for (size_t t : stream_tables_[k])
                    dbs_[w].tables[t].empty_by_delete = true;
            } else if (plan_.truncates[w]) {
                // Only where little is copied in: a large copy pays TRUNCATE's fixed cost easily,
                // and gets its indexes built after its rows (which needs an emptied table).
                for (size_t i = 0; i < cheaper[k].size(); i++) {
                    size_t t = stream_tables_[k][i];
                    dbs_[w].tables[t].empty_by_delete =
                        cheaper[k][i] && source_estimates_[t].bytes < options_.large_table_bytes && !is_split(t);
                }
            }
            if (plan_.truncates[w]) {
                plan_referenced_tables(w, k, conn, whole_tables[k], references[k]);
                refuse_delete_blockers(w, k, conn);
                if (!job_.empty_delete)
                    plan_index_builds(w, k, conn, mine);
            }
            if (dbs_[w].replica) {
                auto found = deferrable_constraints(conn, mine);
                for (size_t i = 0; i < found.size(); i++)
                    dbs_[w].tables[stream_tables_[k][i]].deferrable = std::move(found[i]);
            }
        }
    }
}

const char *CloneRun::lock_mode(size_t w) const {
    return plan_.truncates[w] && job_.empty_delete ? "EXCLUSIVE"
           : plan_.truncates[w]                    ? "ACCESS EXCLUSIVE"
           : job_.empty_only                       ? "SHARE ROW EXCLUSIVE"
                                                   : "ROW EXCLUSIVE";
}

// Asks each stream's session, all at once, which of its tables DELETE empties more cheaply (unless
// empty => 'delete' empties them all) and which foreign keys reference its whole tables.
void CloneRun::ask_every_stream(size_t w, std::vector<std::vector<bool>> &cheaper,
                                std::vector<std::vector<KeyReference>> &references,
                                const std::vector<std::vector<RemoteTable>> &stream_mine,
                                const std::vector<std::vector<size_t>> &whole_tables) {
    std::vector<std::string> cloned;
    for (const RemoteTable &table : dbs_[w].described)
        cloned.push_back(table.oid);
    std::optional<Error> failure;
    for (size_t k = 0; k < streams_.size(); k++)
        cheaper[k].assign(stream_mine[k].size(), false);
    if (!job_.empty_delete)
        ask_at_once(
            streams_.size(), failure,
            [&](size_t k) {
                return send_delete_is_cheaper(writer(w, k), stream_mine[k], options_.delete_below_bytes);
            },
            [&](size_t k) { cheaper[k] = read_delete_is_cheaper(writer(w, k), stream_mine[k].size()); });
    ask_at_once(
        streams_.size(), failure,
        [&](size_t k) {
            std::vector<RemoteTable> mine;
            for (size_t t : whole_tables[k])
                mine.push_back(dbs_[w].described[t]);
            return send_key_references(writer(w, k), mine, cloned);
        },
        [&](size_t k) { references[k] = read_key_references(writer(w, k)); });
    if (failure)
        throw failure->in_database(job_.dbs[w].name);
}

// TRUNCATE refuses a table that a table outside the same statement references by a foreign key. Such
// a table is emptied by DELETE, as Bucardo does, in the session's replica role, where the foreign key
// fires neither its ON DELETE action nor its check; the foreign keys from tables outside the clone are
// then checked before the commit (check_outside_keys). Without the replica role the DELETE would run
// those actions (CASCADE would empty the referencing rows), so the clone is refused, before anything
// is emptied.
void CloneRun::plan_referenced_tables(size_t w, size_t k, Connection &conn, const std::vector<size_t> &tables,
                                      const std::vector<KeyReference> &references) {
    std::vector<bool> deleted(tables.size());
    std::vector<KeyReferrer> referrers;
    for (size_t i = 0; i < tables.size(); i++)
        deleted[i] = dbs_[w].tables[tables[i]].empty_by_delete;
    for (const KeyReference &ref : references)
        referrers.push_back({ref.table, ref.from});
    deleted = tables_to_delete(std::move(deleted), referrers);
    std::vector<std::string> checked;  // constraint oids
    std::vector<size_t> checked_for;   // the cloned table each is checked for
    for (const KeyReference &ref : references) {
        size_t t = tables[ref.table];
        if (ref.from && !deleted[*ref.from])
            continue;  // truncated together
        // Without the replica role, a DELETE would fire the foreign key's action on rows it keeps.
        if (!ref.from && !dbs_[w].replica)
            throw Error(
                sqlstate::insufficient_privilege,
                "cannot be emptied: table " + ref.referencing +
                    (ref.from_cloned ? "" : ", which is not cloned,") + " references it by foreign key \"" +
                    ref.constraint + "\", and this session may not set session_replication_role = replica",
                "TRUNCATE refuses a table that another table references, and a DELETE outside replica "
                "mode would run the foreign key's ON DELETE action on table " +
                    ref.referencing + ".",
                "Clone table " + ref.referencing +
                    " too (both are then truncated together), or connect as a superuser or as a role "
                    "granted SET ON PARAMETER session_replication_role.")
                .in_database(job_.dbs[w].name)
                .on_table(dbs_[w].described[t].label);
        auto &why = dbs_[w].tables[t].referenced_from;
        if (!why || (why->from_cloned && !ref.from_cloned))
            why = ref;
        // A referencing table of the clone is filled from the sources, as when both are truncated.
        if (!ref.from_cloned &&
            std::find(checked.begin(), checked.end(), ref.constraint_oid) == checked.end()) {
            checked.push_back(ref.constraint_oid);
            checked_for.push_back(t);
        }
    }
    for (size_t i = 0; i < tables.size(); i++) {
        size_t t = tables[i];
        if (!deleted[i] || dbs_[w].tables[t].empty_by_delete)
            continue;
        dbs_[w].tables[t].empty_by_delete = true;
        const auto &why = dbs_[w].tables[t].referenced_from;
        notes_.push_back(job_.dbs[w].name + ": " + dbs_[w].described[t].label + " emptied by DELETE" +
                         (why ? ", as table " + why->referencing + " references it" : std::string()));
    }
    if (checked.empty())
        return;
    // Checking runs the constraints' operators and the key types' output functions.
    std::vector<ForeignCode> found = foreign_key_code(conn, checked);
    if (!found.empty()) {
        const ForeignCode &code = found.front();
        std::string user = PQuser(conn.raw());
        throw Error(sqlstate::insufficient_privilege,
                    code.where + " would run function " + code.function + ", owned by role \"" + code.owner +
                        "\", with the privileges of role \"" + user + "\"",
                    "A table outside the clone references this table: pg_clone checks its foreign key "
                    "before the commit, and runs no code that belongs to another role while doing so.",
                    "Clone the referencing table too, register the database with a connection string that "
                    "logs in as role \"" +
                        code.owner + "\", or have a superuser own the function.")
            .in_database(job_.dbs[w].name)
            .on_table(dbs_[w].described[checked_for[code.table]].label);
    }
    std::vector<ForeignKeyCheck> checks = foreign_key_checks(conn, checked);
    for (size_t i = 0; i < checks.size(); i++)
        dbs_[w].outside_keys[k].push_back({checked_for[i], std::move(checks[i])});
}

// Emptying by DELETE must empty, and must not change what the database sends its subscribers: no rule
// may turn it into something else, no publication may include the table (its subscribers would get a
// delete per row where TRUNCATE sends one truncate), and no foreign key action may fire. Checked for
// the tables emptied by DELETE because it was asked for (empty => 'delete') or because TRUNCATE cannot
// empty them alone (plan_referenced_tables); the others delete_is_cheaper chose with the same rules.
void CloneRun::refuse_delete_blockers(size_t w, size_t k, Connection &conn) {
    std::vector<size_t> which;
    std::vector<RemoteTable> tables;
    for (size_t t : stream_tables_[k])
        if (dbs_[w].tables[t].empty_by_delete && (job_.empty_delete || dbs_[w].tables[t].referenced_from)) {
            which.push_back(t);
            tables.push_back(dbs_[w].described[t]);
        }
    if (tables.empty())
        return;
    for (const DeleteBlocker &blocker : delete_blockers(conn, tables, dbs_[w].replica)) {
        // The referencing table is named where cloning it too would let TRUNCATE empty both.
        auto why = dbs_[w].tables[which[blocker.table]].referenced_from;
        if (why && why->from_cloned)
            why.reset();
        throw Error(sqlstate::object_not_in_prerequisite_state, "cannot be emptied by DELETE: " + blocker.reason,
                    why ? "Table " + why->referencing + " references it by foreign key \"" + why->constraint +
                              "\", so TRUNCATE cannot empty it alone."
                        : std::string(),
                    why ? "Clone table " + why->referencing + " too" +
                              (job_.empty_delete ? " with empty => 'truncate'" : "") +
                              ", so that both are truncated together."
                        : "Clone with empty => 'truncate', or deal with what stands in the way.")
            .in_database(job_.dbs[w].name)
            .on_table(tables[blocker.table].label);
    }
    // The DELETE fires the triggers on DELETE that the session's role fires.
    refuse_foreign_code(w, conn, tables, true);
}

// Keeping an index up to date row by row costs a bulk load about a third of its time; building it
// from the loaded rows costs much less. PostgreSQL has no statement for "not now": the clone marks
// the indexes of a large, emptied table not ready (pg_index.indisready, as CREATE INDEX
// CONCURRENTLY does), so that COPY leaves them alone, and REINDEXes them before the commit, which
// marks them ready again and checks uniqueness and exclusion. All in the clone's transaction: a
// failure at any point rolls the flags back with everything else, and the committed schema is
// exactly what it was. Only superusers may write pg_index.
void CloneRun::plan_index_builds(size_t w, size_t k, Connection &conn, const std::vector<RemoteTable> &mine) {
    if (!options_.build_indexes_after || !dbs_[w].replica)
        return;
    const char *superuser = PQparameterStatus(conn.raw(), "is_superuser");
    if (!superuser || std::string(superuser) != "on")
        return;
    auto indexes = buildable_indexes(conn, mine);
    for (size_t i = 0; i < indexes.size(); i++) {
        size_t t = stream_tables_[k][i];
        if (source_estimates_[t].bytes >= options_.large_table_bytes && !dbs_[w].tables[t].empty_by_delete &&
            !is_split(t))
            dbs_[w].tables[t].build_after = std::move(indexes[i]);
    }
}

// A connection often has more rights than the owners of a target's tables: a superuser's, say.
// Code those owners wrote must not run with them (a trigger could make its owner a superuser).
// SET ROLE to the table's owner would not help: that code could RESET ROLE. So such a table is
// refused, before anything is emptied.
void CloneRun::refuse_foreign_code(size_t w, Connection &conn, const std::vector<RemoteTable> &tables,
                                   bool deleting) const {
    if (dbs_[w].foreign_functions)
        refuse_found_code(w, conn, tables, find_foreign_code(conn, tables, dbs_[w].replica, deleting));
}

// found: what find_foreign_code (or send_foreign_code_query and read_foreign_code) found on tables.
void CloneRun::refuse_found_code(size_t w, Connection &conn, const std::vector<RemoteTable> &tables,
                                 const std::vector<ForeignCode> &found) const {
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

// A split table that is emptied by nothing (empty => 'truncate', found empty by plan_splits) must
// still be empty now that it is locked: rows that came in between would otherwise stay. A rare race;
// nothing has been emptied yet, so the clone just fails.
void CloneRun::refuse_rows_in_seeded(size_t w, size_t k, Connection &conn) {
    for (size_t t : stream_tables_[k]) {
        if (!is_split(t) || job_.empty_delete || !plan_.truncates[w])
            continue;
        Result r = conn.exec("SELECT EXISTS (SELECT FROM " + target_name(conn, w, t) + ")");
        if (PQgetvalue(r.get(), 0, 0)[0] == 't')
            throw Error(sqlstate::object_not_in_prerequisite_state,
                        "rows were written into the target table while the clone began", "",
                        "The clone found it empty and planned to read it in slices without emptying it; "
                        "clone again.")
                .in_database(job_.dbs[w].name)
                .on_table(dbs_[w].described[t].label);
    }
}

// One progress slot per table, source and database written (see core/progress.hpp).
void CloneRun::claim_progress() {
    slices_left_.assign(tables_.size(), std::vector<size_t>(job_.dbs.size(), 0));
    for (size_t t = 0; t < tables_.size(); t++)
        for (size_t d = 0; d < job_.dbs.size(); d++)
            slices_left_[t][d] = std::max<size_t>(1, slices_[t].size());
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
    for (size_t w : plan_.writers) {
        for (size_t t = 0; t < tables_.size(); t++)
            set_progress(t, w, plan_.truncates[w] ? ProgressPhase::Emptying : ProgressPhase::Waiting);
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            if (plan_.truncates[w]) {
                // commit => 'table': each unit is emptied in the transaction that fills it (begin_unit).
                std::string sql = emptying_script(
                    conn, w,
                    job_.commit_per_table ? (stream_units_[k].empty() ? std::vector<size_t>{} : stream_units_[k][0])
                                          : stream_tables_[k]);
                if (!sql.empty()) {
                    try {
                        conn.exec_script(sql);
                    } catch (Error &e) {
                        name_emptied_table(e, w, k);
                        throw;
                    }
                }
            } else if (job_.empty_only) {
                for (size_t t : stream_tables_[k]) {
                    Result r = conn.exec("SELECT EXISTS (SELECT FROM " + target_name(conn, w, t) + ")");
                    dbs_[w].tables[t].outcome.skipped = PQgetvalue(r.get(), 0, 0)[0] == 't';
                }
            }
        }
        for (size_t t = 0; t < tables_.size(); t++)
            set_progress(t, w, dbs_[w].tables[t].outcome.skipped ? ProgressPhase::Skipped : ProgressPhase::Waiting);
    }
}

// Small tables by DELETE, the others by one TRUNCATE: one round trip for all.
std::string CloneRun::emptying_script(Connection &conn, size_t w, const std::vector<size_t> &tables) const {
    std::vector<std::string> truncated;
    std::string sql;
    for (size_t t : tables) {
        if (dbs_[w].tables[t].empty_by_delete)
            sql += "DELETE FROM " + target_name(conn, w, t) + "; ";
        else if (!is_split(t))  // a split table found empty is filled as it is
            truncated.push_back(target_name(conn, w, t));
    }
    if (!truncated.empty())
        sql += "TRUNCATE " + join(truncated, ", ") + "; ";
    std::vector<std::string> postponed;
    for (size_t t : tables)
        for (const TableIndex &index : dbs_[w].tables[t].build_after)
            postponed.push_back(index.oid);
    if (!postponed.empty())
        sql += "UPDATE pg_catalog.pg_index SET indisready = false WHERE indexrelid IN (" + join(postponed, ", ") +
               ")";
    return sql;
}

// The statements that empty a stream's tables run in one round trip; an error of theirs names the
// table the server says it is about (its error fields, never its text), or else every table they
// empty.
void CloneRun::name_emptied_table(Error &e, size_t w, size_t k) const {
    const std::vector<size_t> &tables = stream_tables_[k];
    std::vector<std::string> labels;
    for (size_t t : tables) {
        const RemoteTable &table = dbs_[w].described[t];
        if (table.schema == e.info().remote_schema && table.name == e.info().remote_table) {
            e.on_table(table.label);
            return;
        }
        labels.push_back(table.label);
    }
    if (labels.size() == 1)
        e.on_table(labels.front());
    else
        e.on_object("tables " + join(labels, ", "));
}

}  // namespace pgclone
