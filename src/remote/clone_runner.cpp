#include "remote/clone_runner.hpp"

#include <optional>
#include <set>
#include <utility>

#include "core/plan.hpp"

namespace pgclone {

namespace {

constexpr long first_user_oid = 16384;  // FirstNormalObjectId: built-in types share OIDs everywhere

struct Column {
    std::string name;
    long type_oid = 0;
};

struct RemoteTable {
    std::string schema;
    std::string name;
    char relkind = 'r';
    std::vector<Column> columns;
    std::string label;  // public.foo
};

// Looks up tables by (quoted) name in one round trip: kind and copyable columns in attnum order.
std::vector<std::optional<RemoteTable>> describe(Connection &conn, const std::vector<std::string> &names) {
    static const char *sql =
        "SELECT t.ord, n.nspname, c.relname, c.relkind, a.attname, a.atttypid::bigint"
        "  FROM unnest($1::text[]) WITH ORDINALITY AS t(name, ord)"
        "  LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(t.name)"
        "  LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        "  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
        "       AND NOT a.attisdropped AND a.attgenerated = ''"
        " ORDER BY t.ord, a.attnum";
    Result result = conn.exec(sql, {text_array_literal(names)});
    std::vector<std::optional<RemoteTable>> tables(names.size());
    for (int r = 0; r < PQntuples(result.get()); r++) {
        size_t index = std::stoul(PQgetvalue(result.get(), r, 0)) - 1;
        if (PQgetisnull(result.get(), r, 1))
            continue;
        auto &table = tables[index];
        if (!table) {
            table.emplace();
            table->schema = PQgetvalue(result.get(), r, 1);
            table->name = PQgetvalue(result.get(), r, 2);
            table->relkind = PQgetvalue(result.get(), r, 3)[0];
            table->label = display_name(table->schema, table->name);
        }
        if (!PQgetisnull(result.get(), r, 4))
            table->columns.push_back({PQgetvalue(result.get(), r, 4), std::stol(PQgetvalue(result.get(), r, 5))});
    }
    return tables;
}

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

    void connect_all() {
        for (size_t s : plan_.sources)
            readers_[s].emplace(open(s));
        for (size_t w : plan_.writers)
            writers_[w].emplace(open(w));
        refuse_same_database_twice();
    }

    // Two names for one database would truncate a source, or wait on our own locks.
    void refuse_same_database_twice() {
        std::vector<std::string> identities(job_.dbs.size());
        for (size_t db = 0; db < job_.dbs.size(); db++) {
            Connection &conn = readers_[db] ? *readers_[db] : *writers_[db];
            Result r = conn.exec(
                "SELECT current_database() || '/' || current_setting('port') || '/' || pg_postmaster_start_time()");
            identities[db] = PQgetvalue(r.get(), 0, 0);
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

    // Every source's snapshot is taken here, before anything is written anywhere.
    void open_sources() {
        for (size_t s : plan_.sources) {
            Connection &conn = *readers_[s];
            set_lock_timeout(conn);
            conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            if (s == plan_.sources.front())
                resolve_on_first_source(conn);
            else
                check_tables(s, conn);
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
        std::vector<std::string> names;
        for (const TableName &t : job_.tables)
            names.push_back(t.schema ? conn.quote_ident(*t.schema) + "." + conn.quote_ident(t.name)
                                     : conn.quote_ident(t.name));
        auto found = describe(conn, names);
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
        std::vector<std::string> names;
        for (const auto &table : tables_)
            names.push_back(quoted(conn, table));
        auto found = describe(conn, names);
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

    void open_writers() {
        for (size_t w : plan_.writers) {
            Connection &conn = *writers_[w];
            set_lock_timeout(conn);
            try {
                // Foreign keys and user triggers are not fired by a clone, as in Bucardo.
                conn.exec("SET session_replication_role = replica");
            } catch (const Error &e) {
                if (e.sqlstate() != "42501")
                    throw;
                notes_.push_back(job_.dbs[w].name + ": triggers and foreign keys stayed active "
                                                    "(session_replication_role needs superuser)");
            }
            conn.exec("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");
            check_tables(w, conn);
        }
    }

    // Nothing is emptied before every database was reached and every table checked everywhere.
    void prepare_writers() {
        skipped_.assign(job_.dbs.size(), std::vector<bool>(tables_.size(), false));
        for (size_t w : plan_.writers) {
            Connection &conn = *writers_[w];
            const auto &mine = db_tables_[w];
            if (plan_.truncates[w]) {
                std::vector<std::string> names;
                for (const auto &table : mine)
                    names.push_back((table.relkind == 'p' ? "" : "ONLY ") + quoted(conn, table));
                conn.exec("TRUNCATE " + join(names, ", "));
            } else if (job_.empty_only) {
                for (size_t t = 0; t < mine.size(); t++) {
                    std::string name = quoted(conn, mine[t]);
                    std::string only = mine[t].relkind == 'p' ? "" : "ONLY ";
                    conn.exec("LOCK TABLE " + only + name + " IN SHARE ROW EXCLUSIVE MODE");
                    Result r = conn.exec("SELECT EXISTS (SELECT FROM " + only + name + ")");
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

    void commit_all() {
        for (size_t w : plan_.writers)
            writers_[w]->exec("SET CONSTRAINTS ALL IMMEDIATE");
        // From the first COMMIT on, a cancel would leave targets split: hold it back until the end.
        waiter_.set_interruptible(false);
        try {
            for (size_t w : plan_.writers)
                writers_[w]->exec("COMMIT");
            for (size_t s : plan_.sources)
                readers_[s]->exec("COMMIT");
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
