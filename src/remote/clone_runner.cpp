#include "remote/clone_runner.hpp"

#include <optional>
#include <set>
#include <utility>

#include "core/plan.hpp"
#include "core/session_settings.hpp"
#include "remote/remote_catalog.hpp"

namespace pgclone {

namespace {

constexpr long first_user_oid = 16384;  // FirstNormalObjectId: built-in types share OIDs everywhere

const Column *find_column(const RemoteTable &table, const std::string &name) {
    for (const Column &c : table.columns)
        if (c.name == name)
            return &c;
    return nullptr;
}

std::string join(const std::vector<std::string> &items, const char *separator) {
    std::string out;
    for (const auto &item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

class CloneRun {
  public:
    CloneRun(const CloneJob &job, const RunnerOptions &options, Waiter &waiter)
        : job_(job), options_(options), waiter_(waiter), plan_(make_plan(roles(job), job.empty_only)),
          readers_(job.dbs.size()), writers_(job.dbs.size()), db_tables_(job.dbs.size()) {}

    CloneReport run() {
        try {
            phase("connecting to " + std::to_string(job_.dbs.size()) + " databases");
            connect_all();
            phase("taking snapshots and checking tables");
            open_sources();
            phase("locking and checking target tables");
            open_writers();
            phase(job_.empty_only ? "checking which target tables are empty" : "emptying target tables");
            prepare_writers();
            copy_all();
            phase("committing");
            commit_all();
        } catch (...) {
            abort_all();
            throw;
        }
        return report();
    }

  private:
    void phase(const std::string &what) const {
        if (options_.report_phase)
            options_.report_phase(what);
    }

    static std::vector<DbRole> roles(const CloneJob &job) {
        std::vector<DbRole> result;
        for (const auto &db : job.dbs)
            result.push_back(db.role);
        return result;
    }

    Connection open(size_t db) {
        return Connection::open(job_.dbs[db].name, job_.dbs[db].conninfo, options_.connect, waiter_);
    }

    std::string quoted(Connection &conn, const RemoteTable &table) const {
        return conn.quote_ident(table.schema) + "." + conn.quote_ident(table.name);
    }

    Connection &any_session(size_t db) { return readers_[db] ? *readers_[db] : *writers_[db]; }

    void connect_all() {
        for (size_t s : plan_.sources)
            readers_[s].emplace(open(s));
        for (size_t w : plan_.writers)
            writers_[w].emplace(open(w));
        refuse_same_database_twice();
        use_one_client_encoding();
    }

    // Every session speaks the same encoding, so that text (in text and binary COPY alike) is
    // converted by the servers: a character a target cannot hold fails the clone instead of arriving
    // as other characters.
    void use_one_client_encoding() {
        std::vector<std::string> encodings;
        for (size_t db = 0; db < job_.dbs.size(); db++)
            encodings.push_back(any_session(db).server_encoding());
        std::string sql = set_statements({{"client_encoding", common_client_encoding(encodings)}});
        for (auto *sessions : {&readers_, &writers_})
            for (auto &conn : *sessions)
                if (conn)
                    conn->exec(sql);
    }

    // Two names for one database would truncate a source, or wait on our own locks.
    void refuse_same_database_twice() {
        std::vector<std::string> identities(job_.dbs.size());
        for (size_t db = 0; db < job_.dbs.size(); db++) {
            Connection &conn = any_session(db);
            identities[db] = database_identity(conn);
            if (!options_.control_identity.empty() && identities[db] == options_.control_identity)
                control_db_ = db;
            for (size_t other = 0; other < db; other++)
                if (identities[other] == identities[db])
                    throw Error(sqlstate::invalid_parameter_value,
                                database_label(job_.dbs[other].name) + " and " + database_label(job_.dbs[db].name) +
                                    " are the same database",
                                "Both connection strings reach database \"" +
                                    std::string(PQdb(conn.raw())) + "\" on the same server.",
                                "Register each database once with bucardo.add_db.");
        }
    }

    void set_lock_timeout(Connection &conn) {
        conn.exec("SET lock_timeout = " + std::to_string(options_.lock_timeout_ms));
    }

    // pg_clone's registry and queue live in schema bucardo of the control database: cloning them, in
    // either direction, would wipe the queue under the running clone or copy its connection strings.
    void refuse_own_catalog() const {
        if (!control_db_)
            return;
        for (const RemoteTable &table : tables_)
            if (table.schema == "bucardo")
                throw Error(sqlstate::invalid_parameter_value,
                            database_label(job_.dbs[*control_db_].name) + ", table " + table.label +
                                ": pg_clone's own tables cannot be cloned",
                            "Database \"" + job_.dbs[*control_db_].name +
                                "\" is pg_clone's control database, whose schema bucardo holds the clone "
                                "queue and registry.");
    }

    // Every source's snapshot is taken here, before anything is written anywhere.
    void open_sources() {
        for (size_t s : plan_.sources) {
            Connection &conn = *readers_[s];
            set_lock_timeout(conn);
            conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            if (s == plan_.sources.front()) {
                resolve_on_first_source(conn);
                refuse_own_catalog();
            } else {
                check_tables(s, conn);
            }
        }
        for (size_t s : plan_.sources) {
            Connection &conn = *readers_[s];
            std::vector<std::string> names;
            for (const auto &table : tables_)
                names.push_back(quoted(conn, table));
            // Keeps the tables from being altered or dropped under the snapshot.
            conn.exec("LOCK TABLE " + join(names, ", ") + " IN ACCESS SHARE MODE");
        }
    }

    void resolve_on_first_source(Connection &conn) {
        auto found = describe_tables(conn, job_.tables);
        std::set<std::string> seen;
        for (size_t i = 0; i < found.size(); i++) {
            const TableName &asked = job_.tables[i];
            std::string shown = asked.schema ? display_name(*asked.schema, asked.name) : asked.name;
            if (!found[i])
                throw Error(sqlstate::undefined_table, database_label(conn.db_name()) + ", table " + shown +
                                                           ": table does not exist");
            if (found[i]->relkind != 'r' && found[i]->relkind != 'p')
                throw Error(sqlstate::wrong_object_type, database_label(conn.db_name()) + ", table " + shown +
                                                             ": not a table");
            if (found[i]->columns.empty())
                throw Error(sqlstate::undefined_column, database_label(conn.db_name()) + ", table " +
                                                            found[i]->label + ": table has no columns to copy");
            if (!seen.insert(found[i]->label).second)
                throw Error(sqlstate::invalid_parameter_value, database_label(conn.db_name()) + ", table " +
                                                                   found[i]->label + ": table is listed twice");
            tables_.push_back(*found[i]);
        }
    }

    // The same tables, by the source's schema-qualified names, with the same columns by name.
    void check_tables(size_t db, Connection &conn) {
        std::vector<TableName> names;
        for (const auto &table : tables_)
            names.push_back({table.schema, table.name});
        auto found = describe_tables(conn, names);
        auto &mine = db_tables_[db];
        mine.clear();
        for (size_t i = 0; i < found.size(); i++) {
            const RemoteTable &source = tables_[i];
            std::string where = database_label(conn.db_name()) + ", table " + source.label;
            if (!found[i])
                throw Error(sqlstate::undefined_table, where + ": table does not exist");
            if (found[i]->relkind != 'r' && found[i]->relkind != 'p')
                throw Error(sqlstate::wrong_object_type, where + ": not a table");
            std::vector<std::string> missing, extra;
            for (const Column &c : source.columns)
                if (!find_column(*found[i], c.name))
                    missing.push_back(c.name);
            for (const Column &c : found[i]->columns)
                if (!find_column(source, c.name))
                    extra.push_back(c.name);
            if (!missing.empty() || !extra.empty()) {
                std::vector<std::string> parts;
                if (!missing.empty())
                    parts.push_back("missing: " + join(missing, ", "));
                if (!extra.empty())
                    parts.push_back("not in the source: " + join(extra, ", "));
                throw Error(sqlstate::undefined_column,
                            where + ": columns differ from " + database_label(job_.dbs[plan_.sources.front()].name),
                            "Columns " + join(parts, "; ") + ".",
                            "Both sides need the same columns, by name; generated columns are not compared.");
            }
            mine.push_back(*found[i]);
        }
    }

    // The tables a writer fills, as TRUNCATE, LOCK and SELECT name them: a partitioned table with its
    // partitions, any other without its inheritance children.
    std::vector<std::string> target_names(Connection &conn, size_t w) const {
        std::vector<std::string> names;
        for (const auto &table : db_tables_[w])
            names.push_back((table.relkind == 'p' ? "" : "ONLY ") + quoted(conn, table));
        return names;
    }

    void open_writers() {
        replica_.assign(job_.dbs.size(), false);
        deferrable_.assign(job_.dbs.size(), {});
        for (size_t w : plan_.writers) {
            Connection &conn = *writers_[w];
            set_lock_timeout(conn);
            try {
                // Foreign keys and user triggers are not fired by a clone, as in Bucardo.
                conn.exec("SET session_replication_role = replica");
                replica_[w] = true;
            } catch (const Error &e) {
                if (e.sqlstate() != "42501")
                    throw;
                notes_.push_back(job_.dbs[w].name + ": triggers and foreign keys stayed active "
                                                    "(session_replication_role needs superuser)");
            }
            conn.exec("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");
            check_tables(w, conn);
            // Locked before the checks below, so that no trigger, constraint or index can be added
            // between them and the copy: the lock TRUNCATE needs anyway, SHARE ROW EXCLUSIVE to keep
            // an empty table empty (empty_only), or ROW EXCLUSIVE (a source receiving other sources' rows).
            const char *mode = plan_.truncates[w] ? "ACCESS EXCLUSIVE"
                               : job_.empty_only  ? "SHARE ROW EXCLUSIVE"
                                                  : "ROW EXCLUSIVE";
            conn.exec("LOCK TABLE " + join(target_names(conn, w), ", ") + " IN " + mode + " MODE");
            refuse_foreign_code(w, conn);
            if (replica_[w])
                deferrable_[w] = deferrable_constraints(conn, db_tables_[w]);
        }
    }

    // A connection often has more rights than the owners of a target's tables: a superuser's, say.
    // Code those owners wrote must not run with them (a trigger could make its owner a superuser).
    // SET ROLE to the table's owner would not help: that code could RESET ROLE. So such a table is
    // refused, before anything is emptied.
    void refuse_foreign_code(size_t w, Connection &conn) const {
        auto found = find_foreign_code(conn, db_tables_[w], replica_[w]);
        if (found.empty())
            return;
        const ForeignCode &code = found.front();
        std::string user = PQuser(conn.raw());
        throw Error(sqlstate::insufficient_privilege,
                    database_label(job_.dbs[w].name) + ", table " + db_tables_[w][code.table].label + ": " +
                        code.where + " would run function " + code.function + ", owned by role \"" +
                        code.owner + "\", with the privileges of role \"" + user + "\"",
                    "pg_clone runs no code on a target that belongs to a role other than the one it connects "
                    "as, unless a superuser owns it: triggers that fire for COPY or TRUNCATE, and functions "
                    "in constraints, indexes, generated columns, partition keys and column types.",
                    "Register the database with a connection string that logs in as role \"" + code.owner +
                        "\", or have a superuser own the function" +
                        (code.where.rfind("trigger", 0) == 0
                             ? std::string(", or let the trigger fire only outside replication "
                                           "(ALTER TABLE ... ENABLE TRIGGER)")
                             : std::string()) +
                        ".");
    }

    // Nothing is emptied before every database was reached and every table checked everywhere.
    void prepare_writers() {
        skipped_.assign(job_.dbs.size(), std::vector<bool>(tables_.size(), false));
        for (size_t w : plan_.writers) {
            Connection &conn = *writers_[w];
            std::vector<std::string> names = target_names(conn, w);
            if (plan_.truncates[w]) {
                conn.exec("TRUNCATE " + join(names, ", "));
            } else if (job_.empty_only) {
                for (size_t t = 0; t < names.size(); t++) {
                    Result r = conn.exec("SELECT EXISTS (SELECT FROM " + names[t] + ")");
                    skipped_[w][t] = PQgetvalue(r.get(), 0, 0)[0] == 't';
                }
            }
        }
    }

    void copy_all() {
        rows_.assign(job_.dbs.size(), std::vector<int64_t>(tables_.size(), 0));
        for (size_t t = 0; t < tables_.size(); t++) {
            for (size_t s : plan_.sources) {
                std::vector<size_t> dests;
                for (size_t d : plan_.destinations(s))
                    if (!skipped_[d][t])
                        dests.push_back(d);
                if (!dests.empty())
                    copy_table(t, s, dests);
            }
        }
    }

    // Binary COPY is faster, but only safe when every column has the same built-in type everywhere.
    bool binary_ok(size_t t, size_t s, const std::vector<size_t> &dests) const {
        const RemoteTable &source = s == plan_.sources.front() ? tables_[t] : db_tables_[s][t];
        for (const Column &c : source.columns) {
            if (c.type_oid >= first_user_oid)
                return false;
            for (size_t d : dests) {
                const Column *other = find_column(db_tables_[d][t], c.name);
                if (!other || other->type_oid != c.type_oid)
                    return false;
            }
        }
        return true;
    }

    void copy_table(size_t t, size_t s, const std::vector<size_t> &dests) {
        const RemoteTable &table = tables_[t];
        Connection &source = *readers_[s];
        std::vector<std::string> columns;
        for (const Column &c : table.columns)
            columns.push_back(source.quote_ident(c.name));
        std::string column_list = join(columns, ", ");
        std::string format = binary_ok(t, s, dests) ? " WITH (FORMAT binary)" : "";

        std::vector<std::string> names;
        for (size_t d : dests)
            names.push_back(job_.dbs[d].name);
        phase("copying " + table.label + " from " + job_.dbs[s].name + " into " + join(names, ", "));

        std::vector<Connection *> targets;
        const RemoteTable &here = s == plan_.sources.front() ? table : db_tables_[s][t];
        std::string what = here.relkind == 'p'
                               ? "(SELECT " + column_list + " FROM " + quoted(source, here) + ")"
                               : quoted(source, here) + " (" + column_list + ")";
        try {
            // One round trip for all: every session gets its COPY, then each is awaited.
            for (size_t d : dests) {
                Connection &conn = *writers_[d];
                conn.send_copy("COPY " + quoted(conn, db_tables_[d][t]) + " (" + column_list + ") FROM STDIN" +
                               format);
                targets.push_back(&conn);
            }
            source.send_copy("COPY " + what + " TO STDOUT" + format);
            for (Connection *conn : targets)
                conn->await_copy();
            source.await_copy();
        } catch (Error &e) {
            e.add_table(table.label);
            throw;
        }
        CopyCounts counts = pump_copy(source, targets, table.label, options_.limits);
        for (size_t i = 0; i < dests.size(); i++)
            rows_[dests[i]][t] += counts.target_rows[i];
    }

    // Under session_replication_role = replica, PostgreSQL skips the checks of deferrable unique and
    // exclusion constraints (they are triggers that fire on origin only). Rebuilding the index checks
    // every row against every other, with the index's own operators.
    void check_deferrable_constraints(size_t w) {
        Connection &conn = *writers_[w];
        for (size_t t = 0; t < deferrable_[w].size(); t++) {
            if (skipped_[w][t])
                continue;
            for (const DeferrableConstraint &constraint : deferrable_[w][t]) {
                try {
                    conn.exec("REINDEX INDEX " + constraint.index);
                } catch (Error &e) {
                    ErrorInfo info = e.info();
                    std::string cause = info.message.substr(info.message.find(": ") + 2);
                    info.message = database_label(job_.dbs[w].name) + ", table " + db_tables_[w][t].label +
                                   ": deferrable constraint \"" + constraint.name + "\" is violated (" + cause +
                                   ")";
                    throw Error(std::move(info));
                }
            }
        }
    }

    void commit_all() {
        // The sources' snapshots are no longer needed, and their locks could stand in the way of the
        // checks below when a source is also written to.
        for (size_t s : plan_.sources)
            readers_[s]->exec("COMMIT");
        for (size_t w : plan_.writers) {
            check_deferrable_constraints(w);
            writers_[w]->exec("SET CONSTRAINTS ALL IMMEDIATE");
        }
        // From the first COMMIT on, a cancel would leave targets split: hold it back until the end.
        waiter_.set_interruptible(false);
        try {
            for (size_t w : plan_.writers)
                writers_[w]->exec("COMMIT");
        } catch (...) {
            waiter_.set_interruptible(true);
            throw;
        }
        waiter_.set_interruptible(true);
    }

    void abort_all() noexcept {
        waiter_.set_interruptible(false);
        for (auto &writer : writers_)
            if (writer)
                writer->rollback_quietly(std::chrono::seconds(5));
        for (auto &reader : readers_)
            if (reader)
                reader->rollback_quietly(std::chrono::seconds(5));
        waiter_.set_interruptible(true);
        for (auto &reader : readers_)
            reader.reset();
        for (auto &writer : writers_)
            writer.reset();
    }

    CloneReport report() const {
        CloneReport report;
        report.notes = notes_;
        for (size_t w : plan_.writers) {
            WriterOutcome outcome{job_.dbs[w].name, {}};
            for (size_t t = 0; t < tables_.size(); t++)
                outcome.tables.push_back({tables_[t].label, rows_[w][t], skipped_[w][t]});
            report.writers.push_back(std::move(outcome));
        }
        return report;
    }

    const CloneJob &job_;
    const RunnerOptions &options_;
    Waiter &waiter_;
    ClonePlan plan_;
    std::vector<std::optional<Connection>> readers_;
    std::vector<std::optional<Connection>> writers_;
    std::vector<RemoteTable> tables_;                // as resolved on the first source
    std::vector<std::vector<RemoteTable>> db_tables_;  // per database, aligned with tables_
    std::vector<std::vector<bool>> skipped_;           // per database and table (empty_only)
    std::vector<std::vector<int64_t>> rows_;           // per database and table
    std::vector<bool> replica_;                        // per database: session_replication_role = replica
    std::vector<std::vector<std::vector<DeferrableConstraint>>> deferrable_;  // per database and table
    std::optional<size_t> control_db_;                 // the database holding pg_clone's own catalog
    std::vector<std::string> notes_;
};

}  // namespace

std::string CloneReport::summary() const {
    std::vector<std::string> parts;
    for (const WriterOutcome &w : writers) {
        std::vector<std::string> copied, skipped;
        int64_t total = 0;
        for (const TableOutcome &t : w.tables) {
            if (t.skipped) {
                skipped.push_back(t.table);
                continue;
            }
            copied.push_back(t.table + " " + std::to_string(t.rows));
            total += t.rows;
        }
        std::string part = w.db + ": " + std::to_string(copied.size()) + (copied.size() == 1 ? " table, " : " tables, ") +
                           std::to_string(total) + (total == 1 ? " row" : " rows");
        if (!copied.empty())
            part += " (" + join(copied, ", ") + ")";
        if (!skipped.empty())
            part += ", skipped (not empty): " + join(skipped, ", ");
        parts.push_back(part);
    }
    std::string text = join(parts, "; ");
    for (const auto &note : notes)
        text += "; note: " + note;
    return text;
}

CloneReport run_clone(const CloneJob &job, const RunnerOptions &options, Waiter &waiter) {
    return CloneRun(job, options, waiter).run();
}

}  // namespace pgclone
