#include "remote/clone_runner.hpp"

#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "core/plan.hpp"
#include "core/session_settings.hpp"
#include "remote/remote_catalog.hpp"
#include "remote/stream_pool.hpp"

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

// The sessions of one stream: one per source (reading) and one per writer, by database index.
struct StreamSessions {
    std::vector<std::optional<Connection>> readers;
    std::vector<std::optional<Connection>> writers;
};

class CloneRun {
  public:
    CloneRun(const CloneJob &job, const RunnerOptions &options, Waiter &waiter)
        : job_(job), options_(options), waiter_(waiter), plan_(make_plan(roles(job), job.empty_only)),
          streams_(1), db_tables_(job.dbs.size()) {
        streams_[0].readers.resize(job.dbs.size());
        streams_[0].writers.resize(job.dbs.size());
    }

    CloneReport run() {
        try {
            phase("connecting to " + std::to_string(job_.dbs.size()) + " databases");
            connect_all();
            phase("taking snapshots and checking tables");
            open_sources();
            open_streams();
            phase("locking and checking target tables");
            open_writers();
            claim_progress();
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

    // Stream 0's sessions do the checks for all; every stream reads and writes its own tables.
    Connection &reader(size_t db, size_t stream = 0) { return *streams_[stream].readers[db]; }
    Connection &writer(size_t db, size_t stream = 0) { return *streams_[stream].writers[db]; }
    Connection &any_session(size_t db) {
        return streams_[0].readers[db] ? reader(db) : writer(db);
    }
    template <typename F>
    void each_session(F f) {
        for (StreamSessions &stream : streams_)
            for (auto *sessions : {&stream.readers, &stream.writers})
                for (auto &conn : *sessions)
                    if (conn)
                        f(*conn);
    }

    void open_sessions(size_t stream) {
        streams_[stream].readers.resize(job_.dbs.size());
        streams_[stream].writers.resize(job_.dbs.size());
        for (size_t s : plan_.sources)
            streams_[stream].readers[s].emplace(open(s));
        for (size_t w : plan_.writers)
            streams_[stream].writers[w].emplace(open(w));
    }

    void connect_all() {
        open_sessions(0);
        refuse_same_database_twice();
        client_encoding_ = pick_client_encoding();
        each_session([&](Connection &conn) { conn.exec(client_encoding_); });
    }

    // Every session speaks the same encoding, so that text (in text and binary COPY alike) is
    // converted by the servers: a character a target cannot hold fails the clone instead of arriving
    // as other characters.
    std::string pick_client_encoding() {
        std::vector<std::string> encodings;
        for (size_t db = 0; db < job_.dbs.size(); db++)
            encodings.push_back(any_session(db).server_encoding());
        return set_statements({{"client_encoding", common_client_encoding(encodings)}});
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
            Connection &conn = reader(s);
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
            Connection &conn = reader(s);
            std::vector<std::string> names;
            for (const auto &table : tables_)
                names.push_back(quoted(conn, table));
            // Keeps the tables from being altered or dropped under the snapshot.
            conn.exec("LOCK TABLE " + join(names, ", ") + " IN ACCESS SHARE MODE");
        }
    }

    // Splits the tables over the streams, largest first, and gives every further stream its own
    // sessions, which read each source in the snapshot its first session exported.
    void open_streams() {
        source_estimates_ = table_sizes(reader(plan_.sources.front()), tables_);
        for (const TableSize &size : source_estimates_)
            source_sizes_.push_back(size.bytes);
        // Tables joined by a foreign key anywhere are emptied together, so they share a stream.
        std::vector<std::pair<size_t, size_t>> links;
        for (size_t db = 0; db < job_.dbs.size(); db++)
            for (const auto &link : foreign_key_links(any_session(db), tables_))
                links.push_back(link);
        stream_tables_ = assign_streams(source_sizes_, job_.streams, links);
        streams_.resize(stream_tables_.size());
        std::vector<std::string> snapshots(job_.dbs.size());
        if (streams_.size() > 1)
            for (size_t s : plan_.sources)
                snapshots[s] = PQgetvalue(reader(s).exec("SELECT pg_catalog.pg_export_snapshot()").get(), 0, 0);
        for (size_t k = 1; k < streams_.size(); k++) {
            open_sessions(k);
            for (auto *sessions : {&streams_[k].readers, &streams_[k].writers})
                for (auto &conn : *sessions)
                    if (conn)
                        conn->exec(client_encoding_);
            for (size_t s : plan_.sources) {
                Connection &conn = reader(s, k);
                set_lock_timeout(conn);
                conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
                conn.exec("SET TRANSACTION SNAPSHOT " + quote_literal(snapshots[s]));
            }
        }
    }

    static std::string quote_literal(const std::string &text) {
        std::string out = "'";
        for (char c : text)
            out += c == '\'' ? std::string("''") : std::string(1, c);
        return out + "'";
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
    // How TRUNCATE, LOCK and SELECT name a target table: a partitioned table with its partitions, any
    // other without its inheritance children.
    std::string target_name(Connection &conn, size_t w, size_t t) const {
        const RemoteTable &table = db_tables_[w][t];
        return (table.relkind == 'p' ? "" : "ONLY ") + quoted(conn, table);
    }

    std::vector<std::string> target_names(Connection &conn, size_t w, size_t stream) const {
        std::vector<std::string> names;
        for (size_t t : stream_tables_[stream])
            names.push_back(target_name(conn, w, t));
        return names;
    }

    // Foreign keys and user triggers are not fired by a clone, as in Bucardo. Returns false where
    // the session may not (no superuser).
    static bool use_replica_role(Connection &conn) {
        try {
            conn.exec("SET session_replication_role = replica");
            return true;
        } catch (const Error &e) {
            if (e.sqlstate() != sqlstate::insufficient_privilege)
                throw;
            return false;
        }
    }

    void open_writers() {
        replica_.assign(job_.dbs.size(), false);
        deferrable_.assign(job_.dbs.size(), {});
        empty_by_delete_.assign(job_.dbs.size(), {});
        build_after_.assign(job_.dbs.size(), {});
        for (size_t w : plan_.writers) {
            for (size_t k = 0; k < streams_.size(); k++) {
                Connection &conn = writer(w, k);
                set_lock_timeout(conn);
                bool replica = use_replica_role(conn);
                if (k == 0)
                    replica_[w] = replica;
                conn.exec("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");
            }
            if (!replica_[w])
                notes_.push_back(job_.dbs[w].name + ": triggers and foreign keys stayed active "
                                                    "(session_replication_role needs superuser)");
            check_tables(w, writer(w));
            // Each stream locks the tables it will fill, before the checks below, so that no trigger,
            // constraint or index can be added between them and the copy: the lock TRUNCATE needs
            // anyway, SHARE ROW EXCLUSIVE to keep an empty table empty (empty_only), or ROW EXCLUSIVE
            // (a source receiving other sources' rows).
            const char *mode = plan_.truncates[w] ? "ACCESS EXCLUSIVE"
                               : job_.empty_only  ? "SHARE ROW EXCLUSIVE"
                                                  : "ROW EXCLUSIVE";
            // The checks run in the session that holds the lock (the catalog functions they call lock
            // partitions too, and would wait for another stream's lock).
            deferrable_[w].assign(tables_.size(), {});
            empty_by_delete_[w].assign(tables_.size(), false);
            build_after_[w].assign(tables_.size(), {});
            for (size_t k = 0; k < streams_.size(); k++) {
                Connection &conn = writer(w, k);
                conn.exec("LOCK TABLE " + join(target_names(conn, w, k), ", ") + " IN " + mode + " MODE");
                std::vector<RemoteTable> mine;
                for (size_t t : stream_tables_[k])
                    mine.push_back(db_tables_[w][t]);
                refuse_foreign_code(w, conn, mine);
                if (plan_.truncates[w]) {
                    auto cheaper = delete_is_cheaper(conn, mine, options_.delete_below_bytes);
                    // Only where little is copied in: a large copy pays TRUNCATE's fixed cost easily,
                    // and gets its indexes built after its rows (which needs an emptied table).
                    for (size_t i = 0; i < cheaper.size(); i++) {
                        size_t t = stream_tables_[k][i];
                        empty_by_delete_[w][t] = cheaper[i] && source_sizes_[t] < options_.large_table_bytes;
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

    // Keeping an index up to date row by row costs a bulk load about a third of its time; building it
    // from the loaded rows costs much less. PostgreSQL has no statement for "not now": the clone marks
    // the indexes of a large, emptied table not ready (pg_index.indisready, as CREATE INDEX
    // CONCURRENTLY does), so that COPY leaves them alone, and REINDEXes them before the commit, which
    // marks them ready again and checks uniqueness and exclusion. All in the clone's transaction: a
    // failure at any point rolls the flags back with everything else, and the committed schema is
    // exactly what it was. Only superusers may write pg_index.
    void plan_index_builds(size_t w, size_t k, Connection &conn, const std::vector<RemoteTable> &mine) {
        if (!options_.build_indexes_after || !replica_[w])
            return;
        const char *superuser = PQparameterStatus(conn.raw(), "is_superuser");
        if (!superuser || std::string(superuser) != "on")
            return;
        auto indexes = buildable_indexes(conn, mine);
        for (size_t i = 0; i < indexes.size(); i++) {
            size_t t = stream_tables_[k][i];
            if (source_sizes_[t] >= options_.large_table_bytes && !empty_by_delete_[w][t])
                build_after_[w][t] = std::move(indexes[i]);
        }
    }

    // A connection often has more rights than the owners of a target's tables: a superuser's, say.
    // Code those owners wrote must not run with them (a trigger could make its owner a superuser).
    // SET ROLE to the table's owner would not help: that code could RESET ROLE. So such a table is
    // refused, before anything is emptied.
    void refuse_foreign_code(size_t w, Connection &conn, const std::vector<RemoteTable> &tables) const {
        auto found = find_foreign_code(conn, tables, replica_[w]);
        if (found.empty())
            return;
        const ForeignCode &code = found.front();
        std::string user = PQuser(conn.raw());
        throw Error(sqlstate::insufficient_privilege,
                    database_label(job_.dbs[w].name) + ", table " + tables[code.table].label + ": " +
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

    // One progress slot per table, source and database written (see core/progress.hpp).
    void claim_progress() {
        progress_.assign(tables_.size(), std::vector<std::vector<ProgressSlot *>>(
                                             job_.dbs.size(), std::vector<ProgressSlot *>(job_.dbs.size(), nullptr)));
        if (!options_.progress)
            return;
        for (size_t t = 0; t < tables_.size(); t++)
            for (size_t s : plan_.sources)
                for (size_t d : plan_.destinations(s))
                    progress_[t][s][d] = options_.progress->claim(tables_[t].label, job_.dbs[s].name, job_.dbs[d].name,
                                                                  source_estimates_[t].rows,
                                                                  source_estimates_[t].bytes);
    }

    void set_progress(size_t t, size_t d, ProgressPhase phase) {
        for (size_t s : plan_.sources)
            if (ProgressSlot *slot = progress_[t][s][d])
                slot->set_phase(phase);
    }

    // Nothing is emptied before every database was reached and every table checked everywhere. Each
    // stream empties its own tables: the session that truncates a table holds its lock until the end.
    void prepare_writers() {
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

    // Every stream copies its tables in a thread of its own; this thread watches for cancel and
    // shutdown, and tells what is being copied.
    void copy_all() {
        rows_.assign(job_.dbs.size(), std::vector<int64_t>(tables_.size(), 0));
        copying_.assign(streams_.size(), {});
        PumpLimits limits = options_.limits;
        // The memory bound is the clone's, not each stream's.
        limits.max_buffered = std::max(limits.max_buffered / streams_.size(), 2 * limits.chunk_size);
        auto work = [&](size_t k, Waiter &waiter) {
            each_session_of(k, [&](Connection &conn) { conn.set_waiter(waiter); });
            std::optional<PendingCopy> pending;
            for (size_t t : stream_tables_[k]) {
                for (size_t s : plan_.sources) {
                    std::vector<size_t> dests;
                    for (size_t d : plan_.destinations(s))
                        if (!skipped_[d][t])
                            dests.push_back(d);
                    if (!dests.empty())
                        copy_table(k, t, s, dests, limits, pending);
                }
            }
            finish_pending(pending);
            set_copying(k, "");
        };
        auto report_copying = [&] {
            std::vector<std::string> now;
            {
                std::lock_guard<std::mutex> lock(copying_mutex_);
                for (const std::string &what : copying_)
                    if (!what.empty())
                        now.push_back(what);
            }
            if (!now.empty())
                phase("copying " + join(now, "; "));
        };
        try {
            StreamPool::run(streams_.size(), work, waiter_, report_copying);
        } catch (...) {
            each_session([&](Connection &conn) { conn.set_waiter(waiter_); });
            throw;
        }
        each_session([&](Connection &conn) { conn.set_waiter(waiter_); });
    }

    template <typename F>
    void each_session_of(size_t stream, F f) {
        for (auto *sessions : {&streams_[stream].readers, &streams_[stream].writers})
            for (auto &conn : *sessions)
                if (conn)
                    f(*conn);
    }

    void set_copying(size_t stream, std::string what) {
        std::lock_guard<std::mutex> lock(copying_mutex_);
        copying_[stream] = std::move(what);
    }

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

    // Runs in stream k's thread: only libpq and this stream's sessions.
    // A table whose rows were all sent, and whose targets are finishing it (see copy_table).
    struct PendingCopy {
        size_t table;
        std::vector<size_t> dests;
        std::vector<Connection *> targets;
        std::vector<ProgressSlot *> slots;
    };

    void finish_pending(std::optional<PendingCopy> &pending) {
        if (!pending)
            return;
        std::vector<int64_t> rows = finish_copy_in(pending->targets, tables_[pending->table].label);
        for (size_t i = 0; i < pending->dests.size(); i++) {
            rows_[pending->dests[i]][pending->table] += rows[i];
            if (ProgressSlot *slot = pending->slots[i]) {
                slot->rows.store(rows[i]);  // the target's own count
                slot->set_phase(ProgressPhase::Done);
            }
        }
        pending.reset();
    }

    // Runs in stream k's thread: only libpq and this stream's sessions. The source's COPY of this
    // table is sent before the targets' results for the previous one are read, so that the source
    // starts on it while they finish (a connection takes no new command before its COPY's result is
    // read).
    void copy_table(size_t k, size_t t, size_t s, const std::vector<size_t> &dests, const PumpLimits &limits,
                    std::optional<PendingCopy> &pending) {
        const RemoteTable &table = tables_[t];
        Connection &source = reader(s, k);
        std::vector<std::string> columns;
        for (const Column &c : table.columns)
            columns.push_back(source.quote_ident(c.name));
        std::string column_list = join(columns, ", ");
        std::string format = binary_ok(t, s, dests) ? " WITH (FORMAT binary)" : "";

        std::vector<std::string> names;
        for (size_t d : dests)
            names.push_back(job_.dbs[d].name);
        set_copying(k, table.label + " from " + job_.dbs[s].name + " into " + join(names, ", "));

        std::vector<Connection *> targets;
        const RemoteTable &here = s == plan_.sources.front() ? table : db_tables_[s][t];
        std::string what = here.relkind == 'p'
                               ? "(SELECT " + column_list + " FROM " + quoted(source, here) + ")"
                               : quoted(source, here) + " (" + column_list + ")";
        try {
            source.send_copy("COPY " + what + " TO STDOUT" + format);
        } catch (Error &e) {
            e.add_table(table.label);
            throw;
        }
        finish_pending(pending);
        try {
            // One round trip for all: every session gets its COPY, then each is awaited.
            for (size_t d : dests) {
                Connection &conn = writer(d, k);
                conn.send_copy("COPY " + quoted(conn, db_tables_[d][t]) + " (" + column_list + ") FROM STDIN" +
                               format);
                targets.push_back(&conn);
            }
            for (Connection *conn : targets)
                conn->await_copy();
            source.await_copy();
        } catch (Error &e) {
            e.add_table(table.label);
            throw;
        }
        std::vector<ProgressSlot *> slots;
        for (size_t d : dests) {
            ProgressSlot *slot = progress_[t][s][d];
            if (slot) {
                slot->copy_started_us.store(now_us());
                slot->set_phase(ProgressPhase::Copying);
            }
            slots.push_back(slot);
        }
        pump_copy(source, targets, table.label, limits, slots, FinishTargets::Later);
        pending = PendingCopy{t, dests, targets, slots};
    }

    // Under session_replication_role = replica, PostgreSQL skips the checks of deferrable unique and
    // exclusion constraints (they are triggers that fire on origin only). Rebuilding the index checks
    // every row against every other, with the index's own operators; the stream that filled the
    // table does it, since its session holds the table's lock.
    void check_deferrable_constraints(size_t w) {
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
                        std::string cause = info.message.substr(info.message.find(": ") + 2);
                        info.message = database_label(job_.dbs[w].name) + ", table " + db_tables_[w][t].label +
                                       ": deferrable constraint \"" + constraint.name + "\" is violated (" +
                                       cause + ")";
                        throw Error(std::move(info));
                    }
                }
            }
        }
    }

    // The indexes left for after the copy are built now (see plan_index_builds), each stream its own
    // tables'; a duplicate key fails here, naming the table.
    void build_postponed_indexes(size_t w) {
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            for (size_t t : stream_tables_[k]) {
                for (const TableIndex &index : build_after_[w][t]) {
                    try {
                        conn.exec("REINDEX INDEX " + index.name);
                    } catch (Error &e) {
                        e.add_table(db_tables_[w][t].label);
                        throw;
                    }
                }
            }
        }
    }

    void commit_all() {
        // The sources' snapshots are no longer needed, and their locks could stand in the way of the
        // checks below when a source is also written to.
        for (StreamSessions &stream : streams_)
            for (size_t s : plan_.sources)
                stream.readers[s]->exec("COMMIT");
        for (size_t w : plan_.writers) {
            build_postponed_indexes(w);
            check_deferrable_constraints(w);
            for (size_t k = 0; k < streams_.size(); k++)
                writer(w, k).exec("SET CONSTRAINTS ALL IMMEDIATE");
        }
        // From the first COMMIT on, a cancel would leave targets split: hold it back until the end.
        waiter_.set_interruptible(false);
        try {
            for (size_t w : plan_.writers)
                for (size_t k = 0; k < streams_.size(); k++)
                    writer(w, k).exec("COMMIT");
        } catch (...) {
            waiter_.set_interruptible(true);
            throw;
        }
        waiter_.set_interruptible(true);
    }

    void abort_all() noexcept {
        waiter_.set_interruptible(false);
        for (StreamSessions &stream : streams_)
            for (auto *sessions : {&stream.writers, &stream.readers})
                for (auto &conn : *sessions)
                    if (conn)
                        conn->rollback_quietly(std::chrono::seconds(5));
        waiter_.set_interruptible(true);
        streams_.clear();
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
    std::vector<StreamSessions> streams_;             // stream 0 first; more once the tables are known
    std::vector<std::vector<size_t>> stream_tables_;  // per stream: its tables, largest first
    std::string client_encoding_;                     // the SET statement every session runs
    std::vector<RemoteTable> tables_;                // as resolved on the first source
    std::vector<std::vector<RemoteTable>> db_tables_;  // per database, aligned with tables_
    std::vector<std::vector<bool>> skipped_;           // per database and table (empty_only)
    std::vector<std::vector<int64_t>> rows_;           // per database and table
    std::vector<bool> replica_;                        // per database: session_replication_role = replica
    std::vector<std::vector<std::vector<DeferrableConstraint>>> deferrable_;  // per database and table
    std::vector<std::vector<bool>> empty_by_delete_;   // per database and table: DELETE, not TRUNCATE
    std::vector<std::vector<std::vector<TableIndex>>> build_after_;  // per database and table
    std::vector<int64_t> source_sizes_;                // per table, on the first source
    std::vector<TableSize> source_estimates_;          // the same, with the estimated rows
    // per table, source and database written: the progress slot (or nullptr)
    std::vector<std::vector<std::vector<ProgressSlot *>>> progress_;
    std::optional<size_t> control_db_;                 // the database holding pg_clone's own catalog
    std::vector<std::string> notes_;
    std::mutex copying_mutex_;
    std::vector<std::string> copying_;  // per stream: what it copies now, for report_phase
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
