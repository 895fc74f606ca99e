// A clone run, in order (docs/architecture.md, "The life of a clone"): connect everywhere, take every
// source snapshot, check every table everywhere, then empty and fill the targets and commit them. Here:
// the run itself, the connections, the snapshots, the streams and the table checks; see clone_run.hpp
// for the other parts.

#include "remote/clone_run.hpp"

#include <map>
#include <set>
#include <utility>

#include "core/session_settings.hpp"

namespace pgclone {

CloneReport CloneRun::run() {
    try {
        phase("connecting to " + std::to_string(job_.dbs.size()) + " databases");
        connect_all();
        phase("taking snapshots and checking tables");
        open_sources();
        leave_out_done_tables();  // table_commit.cpp: a resumed clone, or a retry in table mode
        if (nothing_left_) {
            abort_all();
            CloneReport nothing;
            nothing.notes = notes_;
            return nothing;
        }
        size_states();
        plan_schema();  // schema_copy.cpp: target names, and the tables to create
        plan_streams();
        one_session_for_schema();  // schema_copy.cpp
        choose_commit();
        note_splits();
        plan_units();  // table_commit.cpp: commit => 'table'
        open_streams();
        phase("locking and checking target tables");
        open_writers();
        plan_sequences();
        claim_progress();
        phase(job_.empty_only ? "checking which target tables are empty" : "emptying target tables");
        prepare_writers();
        copy_all();
        phase("committing");
        if (job_.commit_per_table) {
            finish_table_mode();  // table_commit.cpp
        } else {
            commit_all();
            analyze_split_tables();
        }
    } catch (const Error &e) {
        abort_all();
        if (job_.commit_per_table)
            throw table_mode_failure(e);
        throw;
    } catch (...) {
        abort_all();
        throw;
    }
    return report();
}

void CloneRun::phase(const std::string &what) const {
    if (options_.report_phase)
        options_.report_phase(what);
}

std::vector<DbRole> CloneRun::roles(const CloneJob &job) {
    std::vector<DbRole> result;
    for (const auto &db : job.dbs)
        result.push_back(db.role);
    return result;
}

Connection CloneRun::open(size_t db) { return open(db, waiter_); }

Connection CloneRun::open(size_t db, Waiter &waiter) {
    ConnectRequest request = connect_request(db);
    return Connection::open(request.db_name, request.conninfo, request.defaults, waiter);
}

ConnectRequest CloneRun::connect_request(size_t db) const {
    ConnectDefaults connect = options_.connect;
    connect.login_user = job_.dbs[db].login_user;
    connect.login_password = job_.dbs[db].login_password;
    return {job_.dbs[db].name, job_.dbs[db].conninfo, connect};
}

std::string CloneRun::quoted(Connection &conn, const RemoteTable &table) const {
    return conn.quote_ident(table.schema) + "." + conn.quote_ident(table.name);
}

Connection &CloneRun::any_session(size_t db) { return streams_[0].readers[db] ? reader(db) : writer(db); }

// Every session of these streams, connected at once (each connection costs round trips, a backend's
// start and an authentication: tens of milliseconds, more over a network).
void CloneRun::open_sessions(const std::vector<size_t> &streams) {
    std::vector<ConnectRequest> requests;
    for (size_t n = 0; n < streams.size(); n++) {
        for (size_t s : plan_.sources)
            requests.push_back(connect_request(s));
        for (size_t w : plan_.writers)
            requests.push_back(connect_request(w));
    }
    std::vector<Connection> conns = Connection::open_all(requests, waiter_);
    size_t next = 0;
    for (size_t k : streams) {
        streams_[k].readers.resize(job_.dbs.size());
        streams_[k].writers.resize(job_.dbs.size());
        for (size_t s : plan_.sources)
            streams_[k].readers[s].emplace(std::move(conns[next++]));
        for (size_t w : plan_.writers)
            streams_[k].writers[w].emplace(std::move(conns[next++]));
    }
}

void CloneRun::connect_all() {
    open_sessions({0});
    refuse_same_database_twice();
    client_encoding_ = pick_client_encoding();
    each_session([&](Connection &conn) { conn.exec(client_encoding_); });
}

// Every session speaks the same encoding, so that text (in text and binary COPY alike) is
// converted by the servers: a character a target cannot hold fails the clone instead of arriving
// as other characters.
std::string CloneRun::pick_client_encoding() {
    std::vector<std::string> encodings;
    for (size_t db = 0; db < job_.dbs.size(); db++)
        encodings.push_back(any_session(db).server_encoding());
    return set_statements({{"client_encoding", common_client_encoding(encodings)}});
}

// Two names for one database would truncate a source, or wait on our own locks.
void CloneRun::refuse_same_database_twice() {
    std::vector<std::string> identities(job_.dbs.size());
    for (size_t db = 0; db < job_.dbs.size(); db++) {
        Connection &conn = any_session(db);
        identities[db] = database_identity(conn);
        if (!options_.control_identity.empty() && identities[db] == options_.control_identity)
            control_db_ = db;
        for (size_t other = 0; other < db; other++)
            if (identities[other] == identities[db])
                throw Error(sqlstate::invalid_parameter_value,
                            database_label(job_.dbs[other].name) + " and " +
                                database_label(job_.dbs[db].name) + " are the same database",
                            "Both connection strings reach database \"" + std::string(PQdb(conn.raw())) +
                                "\" on the same server.",
                            "Register each database once with bucardo.add_db.");
    }
}

void CloneRun::set_lock_timeout(Connection &conn) {
    conn.exec("SET lock_timeout = " + std::to_string(options_.lock_timeout_ms));
}

// pg_clone's registry and queue live in schema bucardo of the control database: cloning them, in
// either direction, would wipe the queue under the running clone or copy its connection strings.
void CloneRun::refuse_own_catalog() const {
    if (!control_db_)
        return;
    for (const RemoteTable &table : tables_)
        if (table.schema == "bucardo")
            throw Error(sqlstate::invalid_parameter_value, "pg_clone's own tables cannot be cloned",
                        "Database \"" + job_.dbs[*control_db_].name +
                            "\" is pg_clone's control database, whose schema bucardo holds the clone "
                            "queue and registry.")
                .in_database(job_.dbs[*control_db_].name)
                .on_table(table.label);
}

// Every source's snapshot is taken here, before anything is written anywhere.
void CloneRun::open_sources() {
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
    for (size_t s : plan_.sources)
        check_filters(s, reader(s));
    for (size_t s : plan_.sources) {
        Connection &conn = reader(s);
        std::vector<std::string> names;
        for (const auto &table : tables_)
            names.push_back(quoted(conn, table));
        // Keeps the tables from being altered or dropped under the snapshot.
        if (!names.empty())
            conn.exec("LOCK TABLE " + join(names, ", ") + " IN ACCESS SHARE MODE");
    }
}

// Splits the tables over the streams, largest first, the big ones in slices where they can be
// (plan_splits). choose_commit may then join them into one.
void CloneRun::plan_streams() {
    source_estimates_ = table_sizes(reader(plan_.sources.front()), tables_);
    std::vector<int64_t> bytes;
    for (const TableSize &size : source_estimates_)
        bytes.push_back(size.bytes);
    // Tables joined by a foreign key or by inheritance anywhere share a stream (see table_links).
    std::vector<std::pair<size_t, size_t>> links;
    for (size_t db = 0; db < job_.dbs.size(); db++)
        for (const auto &link : table_links(any_session(db), tables_))
            links.push_back(link);
    table_links_ = links;
    std::vector<size_t> slices = plan_splits(bytes, links);
    set_stream_work(assign_pieces(bytes, slices, job_.streams, links));
}

// A table of at least pg_clone.split_min_size is read in ctid ranges, one per stream, all in the
// snapshot the streams share, and written by every stream's own target sessions into the same
// table. Several sessions can write one table only where none of them holds a lock that keeps out
// the others, so only where the table needs no TRUNCATE on any target; and only with two-phase
// commit (choose_commit), since without it each database is written through one session. Returns the
// slices of each table (1: whole); no_split_ says why a big table is not split.
std::vector<size_t> CloneRun::plan_splits(const std::vector<int64_t> &bytes,
                                          const std::vector<std::pair<size_t, size_t>> &links) {
    std::vector<size_t> counts(tables_.size(), 1);
    slices_.assign(tables_.size(), {});
    no_split_.assign(tables_.size(), {});
    std::vector<size_t> big;
    for (size_t t = 0; t < tables_.size(); t++)
        if (options_.split_min_bytes > 0 && bytes[t] >= options_.split_min_bytes)
            big.push_back(t);
    if (big.empty())
        return counts;
    Connection &source = reader(plan_.sources.front());
    std::string common;
    if (job_.streams < 2)
        common = "the clone has one stream";
    else if (plan_.sources.size() > 1)
        common = "the clone has several sources";
    else if (job_.empty_only)
        common = "empty_only";
    else if (job_.commit_per_table)
        common = "commit => 'table' commits each table from the session that copied it";
    else if (source.server_version() < 140000)
        common = "the source runs PostgreSQL " + std::to_string(source.server_version() / 10000) +
                 ", and TID range scans need 14 or later";
    else if (!options_.record)
        common = "no two-phase commit (the extension in the control database is older than 1.2)";
    else if (options_.two_phase == TwoPhaseMode::Off)
        common =
            "no two-phase commit (pg_clone.two_phase = off), so each target is written through one "
            "session";
    std::vector<size_t> candidates;
    for (size_t t : big) {
        std::string &why = no_split_[t];
        why = common;
        bool linked = false;
        for (const auto &link : links)
            linked |= (link.first == t || link.second == t) && link.first != link.second;
        if (!why.empty())
            continue;
        if (tables_[t].relkind == 'p')
            why = "a partitioned table (its partitions are copied through it)";
        else if (linked)
            why = "tied to another cloned table by a foreign key or inheritance";
        else
            candidates.push_back(t);
    }
    if (candidates.empty())
        return counts;
    std::vector<RemoteTable> described;
    for (size_t t : candidates)
        described.push_back(tables_[t]);
    std::vector<int64_t> pages = heap_pages(source, described);
    for (size_t w : plan_.writers) {
        Connection &conn = writer(w);
        set_lock_timeout(conn);
        // The tables as this target names them (target_names); one it lacks (schema => 'create') is
        // found nowhere here and stays whole (one_session_for_schema).
        std::vector<RemoteTable> on_target;
        for (size_t t : candidates) {
            RemoteTable here = tables_[t];
            TableName name = name_on(w, t);
            here.schema = name.schema.value_or(here.schema);
            here.name = name.name;
            on_target.push_back(std::move(here));
        }
        std::vector<SplitFacts> facts = split_facts(conn, on_target);
        for (size_t i = 0; i < candidates.size(); i++)
            if (no_split_[candidates[i]].empty())
                no_split_[candidates[i]] = split_refusal_on(w, on_target[i], facts[i]);
    }
    for (size_t i = 0; i < candidates.size(); i++) {
        size_t t = candidates[i];
        if (!no_split_[t].empty())
            continue;
        counts[t] = slice_count(bytes[t], pages[i], options_.split_min_bytes, job_.streams);
        if (counts[t] < 2) {
            no_split_[t] = "it has too few pages";
            counts[t] = 1;
            continue;
        }
        slices_[t] = page_ranges(pages[i], counts[t]);
        counts[t] = slices_[t].size();
    }
    return counts;
}

// Why a table cannot be split on database w ("" when it can); here: the table as w names it. Run
// outside any transaction, before the locks: a seeded table is checked again once locked
// (refuse_rows_in_seeded).
std::string CloneRun::split_refusal_on(size_t w, const RemoteTable &here, const SplitFacts &facts) {
    const std::string &db = job_.dbs[w].name;
    if (!facts.plain_table)
        return "on " + db + " it is not a plain table";
    if (facts.deferrable)
        return "on " + db +
               " it has a deferrable unique or exclusion constraint (checked by one session "
               "rebuilding its index, which the other streams' locks would block)";
    bool has_rows = false;
    try {
        Result r = writer(w).exec("SELECT EXISTS (SELECT FROM ONLY " + quoted(writer(w), here) + ")");
        has_rows = PQgetvalue(r.get(), 0, 0)[0] == 't';
    } catch (const Error &e) {
        return "on " + db + " it could not be read (" + e.info().message + ")";
    }
    if (!has_rows)
        return "";
    if (!job_.empty_delete)
        return "the target table on " + db +
               " has rows and empty => 'truncate' empties it by TRUNCATE, whose lock keeps out every "
               "other session";
    if (facts.unique_index)
        return "the target table on " + db +
               " has rows and a unique index: with empty => 'delete', new rows would wait for the "
               "deleted rows of another session of the clone";
    return "";
}

// Which stream copies what; the owner of a split table is the stream of its slice 0.
void CloneRun::set_stream_work(std::vector<std::vector<Piece>> work) {
    stream_work_ = std::move(work);
    stream_tables_.assign(stream_work_.size(), {});
    for (size_t k = 0; k < stream_work_.size(); k++)
        for (const Piece &piece : stream_work_[k])
            if (piece.slice == 0)
                stream_tables_[k].push_back(piece.table);
}

// Every table whole again (choose_commit: one session per database).
void CloneRun::unsplit(const std::string &reason) {
    for (size_t t = 0; t < tables_.size(); t++)
        if (is_split(t)) {
            slices_[t].clear();
            no_split_[t] = reason;
        }
}

// "public.big (2 GB) split into 4 slices ..." or "... not split: why", for the clone's summary.
void CloneRun::note_splits() {
    for (size_t t = 0; t < tables_.size(); t++) {
        if (is_split(t))
            notes_.push_back(split_note(tables_[t].label, source_estimates_[t].bytes, slices_[t].size()));
        else if (!no_split_.empty() && !no_split_[t].empty())
            notes_.push_back(not_split_note(tables_[t].label, source_estimates_[t].bytes, no_split_[t]));
    }
}

// The split tables of which stream k copies a slice but not slice 0.
std::vector<size_t> CloneRun::guest_tables(size_t k) const {
    std::vector<size_t> guests;
    for (const Piece &piece : stream_work_[k])
        if (piece.slice > 0)
            guests.push_back(piece.table);
    return guests;
}

// Each database gets a state per table, now that the tables are known.
void CloneRun::size_states() {
    for (DbState &db : dbs_)
        db.tables.assign(tables_.size(), {});
}

// Gives every further stream its own sessions, which read each source in the snapshot its first
// session exported.
void CloneRun::open_streams() {
    streams_.resize(stream_work_.size());
    std::vector<std::string> snapshots(job_.dbs.size());
    if (streams_.size() > 1)
        for (size_t s : plan_.sources)
            snapshots[s] = PQgetvalue(reader(s).exec("SELECT pg_catalog.pg_export_snapshot()").get(), 0, 0);
    std::vector<size_t> others;
    for (size_t k = 1; k < streams_.size(); k++)
        others.push_back(k);
    if (!others.empty())
        open_sessions(others);
    for (size_t k = 1; k < streams_.size(); k++) {
        each_session_of(k, [&](Connection &conn) { conn.exec(client_encoding_); });
        for (size_t s : plan_.sources) {
            Connection &conn = reader(s, k);
            set_lock_timeout(conn);
            conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            conn.exec("SET TRANSACTION SNAPSHOT " + conn.quote_literal(snapshots[s]));
        }
    }
}

// The list's names and patterns, resolved in list order: a pattern stands for the tables it matches
// (a table matched twice, or matched and also named, is cloned once, where it first appears); a name
// listed twice is an error.
void CloneRun::resolve_on_first_source(Connection &conn) {
    std::vector<TableName> names;
    std::vector<size_t> item;  // per name: the list item it comes from
    for (size_t i = 0; i < job_.tables.size(); i++) {
        const TableName &asked = job_.tables[i];
        if (!asked.is_pattern()) {
            names.push_back(asked);
            item.push_back(i);
            continue;
        }
        std::vector<TableName> matched = tables_matching(conn, asked.schema);
        std::string pattern = display_pattern(asked.schema);
        if (matched.empty())
            throw Error(sqlstate::undefined_table, "no table matches " + pattern, "",
                        asked.schema
                            ? "Is schema " + *asked.schema + " on the first source, and does it hold tables?"
                            : "")
                .in_database(conn.db_name());
        notes_.push_back(pattern + " stands for " + std::to_string(matched.size()) +
                         (matched.size() == 1 ? " table" : " tables"));
        for (TableName &name : matched) {
            names.push_back(std::move(name));
            item.push_back(i);
        }
    }
    auto found = describe_tables(conn, names);
    std::map<std::string, size_t> seen;  // label -> index in tables_ or named_sequences_
    for (size_t i = 0; i < found.size(); i++) {
        const TableName &asked = job_.tables[item[i]];
        const TableName &name = names[i];
        std::string shown = name.schema ? display_name(*name.schema, name.name) : name.name;
        if (!found[i])
            throw Error(sqlstate::undefined_table, "table does not exist")
                .in_database(conn.db_name())
                .on_table(shown);
        const RemoteTable &table = *found[i];
        auto at = [&](Error e) { return e.in_database(conn.db_name()).on_table(table.label); };
        if (is_system_schema(table.schema) || std::stol(table.oid) < first_user_oid)
            throw at(Error(sqlstate::insufficient_privilege, "cannot clone a system catalog", "",
                           "pg_clone copies user tables only."));
        auto earlier = seen.find(table.label);
        if (earlier != seen.end()) {
            bool both_named = !asked.is_pattern() && !job_.tables[earlier->second].is_pattern();
            if (both_named)
                throw Error(sqlstate::invalid_parameter_value,
                            std::string(table.relkind == 'S' ? "sequence" : "table") + " is listed twice")
                    .in_database(conn.db_name())
                    .on_object((table.relkind == 'S' ? "sequence " : "table ") + table.label);
            // A table a pattern matched and the list also names: the named one's row filter counts.
            if (!asked.is_pattern())
                for (size_t t = 0; t < tables_.size(); t++)
                    if (tables_[t].label == table.label && item[i] < job_.filters.size())
                        table_filters_[t] = job_.filters[item[i]];
            continue;
        }
        seen.emplace(table.label, item[i]);
        if (table.relkind == 'S') {
            named_sequences_.push_back(table);
            continue;
        }
        if (table.relkind != 'r' && table.relkind != 'p')
            throw Error(sqlstate::wrong_object_type, "not a table or sequence")
                .in_database(conn.db_name())
                .on_table(shown);
        // A table with no columns to copy (none, all dropped, or only generated ones) is copied all the
        // same: its rows hold no values, but the target gets as many.
        tables_.push_back(table);
        listed_as_.push_back(asked.is_pattern() ? std::nullopt : std::optional<TableName>(asked));
        table_filters_.push_back(!asked.is_pattern() && item[i] < job_.filters.size() ? job_.filters[item[i]]
                                                                                      : std::string());
    }
}

// The same tables, by the source's schema-qualified names, with the same columns by name.
void CloneRun::check_tables(size_t db, Connection &conn) {
    std::vector<TableName> names;
    for (size_t t = 0; t < tables_.size(); t++)
        names.push_back(name_on(db, t));
    auto found = describe_tables(conn, names);
    auto &mine = dbs_[db].described;
    mine.clear();
    for (size_t i = 0; i < found.size(); i++) {
        const RemoteTable &source = tables_[i];
        std::string shown = renamed_.size() > i && renamed_[i] && names[i] == *renamed_[i]
                                ? source.label + " (as " + display_name(*names[i].schema, names[i].name) + ")"
                                : source.label;
        auto at = [&](Error e) { return e.in_database(conn.db_name()).on_table(shown); };
        if (!found[i])
            throw at(Error(sqlstate::undefined_table, "table does not exist", "",
                           job_.schema_create || plan_.sources.size() > 1 || db == plan_.sources.front()
                               ? ""
                               : "Clone with schema => 'create' to create it from the source's definition."));
        if (found[i]->relkind != 'r' && found[i]->relkind != 'p')
            throw at(Error(sqlstate::wrong_object_type, "not a table"));
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
            throw at(Error(sqlstate::undefined_column,
                           "columns differ from " + database_label(job_.dbs[plan_.sources.front()].name),
                           "Columns " + join(parts, "; ") + ".",
                           "Both sides need the same columns, by name; generated columns are not compared."));
        }
        mine.push_back(*found[i]);
    }
    check_column_types(db, conn);
}

// A row filter that does not parse, names no column of the table or is not a condition fails the clone
// here, before anything is emptied. It runs as one statement (extended protocol), in the source's
// read-only snapshot transaction: it can read, not write.
void CloneRun::check_filters(size_t s, Connection &conn) {
    for (size_t t = 0; t < tables_.size(); t++) {
        if (table_filters_[t].empty())
            continue;
        const RemoteTable &here = s == plan_.sources.front() ? tables_[t] : dbs_[s].described[t];
        try {
            conn.exec_single("SELECT FROM " + std::string(here.relkind == 'p' ? "" : "ONLY ") +
                             quoted(conn, here) + " WHERE (" + table_filters_[t] + ") LIMIT 0");
        } catch (const Error &e) {
            ErrorInfo info = e.info();
            info.message = "invalid row filter: " + info.message;
            info.hint = "A filter is an SQL condition on the table's columns, run on the source.";
            throw Error(std::move(info)).in_database(job_.dbs[s].name).on_table(here.label);
        }
    }
}

// Columns of different types are copied in text, which the target converts: only where PostgreSQL
// itself would convert on assignment (int4 to int8, varchar to text), not text into integer, which would
// fail in the middle of the copy, after the emptying.
void CloneRun::check_column_types(size_t db, Connection &conn) {
    std::vector<std::pair<long, long>> pairs;
    for (size_t t = 0; t < tables_.size(); t++)
        for (const Column &source : tables_[t].columns) {
            const Column *target = find_column(dbs_[db].described[t], source.name);
            if (!target)
                continue;
            const ColumnType &from = source.type, &to = target->type;
            if (builtin_pair(from.base_oid, to.base_oid))
                pairs.emplace_back(from.base_oid, to.base_oid);
            if (builtin_pair(from.element_oid, to.element_oid))
                pairs.emplace_back(from.element_oid, to.element_oid);
        }
    std::set<std::pair<long, long>> casts = assignment_casts(conn, pairs);
    auto cast_exists = [&](long from, long to) { return casts.count({from, to}) > 0; };
    for (size_t t = 0; t < tables_.size(); t++)
        for (const Column &source : tables_[t].columns) {
            const Column *target = find_column(dbs_[db].described[t], source.name);
            if (!target || type_fit(source.type, target->type, cast_exists) != TypeFit::Refuse)
                continue;
            throw Error(
                sqlstate::datatype_mismatch,
                "type " + target->type.name + " cannot take the source's " + source.type.name + " values", "",
                "The types must be the same, or ones PostgreSQL converts on assignment (such as integer "
                "to bigint, or varchar to text); a text column takes any type.")
                .in_database(job_.dbs[db].name)
                .on_object("table " + tables_[t].label + ", column " + source.name);
        }
}

CloneReport CloneRun::report() const {
    CloneReport report;
    report.notes = notes_;
    for (size_t w : plan_.writers) {
        WriterOutcome outcome;
        outcome.db = job_.dbs[w].name;
        for (size_t t = 0; t < tables_.size(); t++)
            outcome.tables.push_back(table_outcome(w, t));
        outcome.sequences = dbs_[w].sequences_set;
        report.writers.push_back(std::move(outcome));
    }
    return report;
}

TableOutcome CloneRun::table_outcome(size_t w, size_t t) const {
    const TargetTable &target = dbs_[w].tables[t];
    TableOutcome table = target.outcome;
    table.table = tables_[t].label;
    table.emptied = !plan_.truncates[w] || (is_split(t) && !target.empty_by_delete) ? "none"
                    : target.empty_by_delete                                        ? "delete"
                                                                                    : "truncate";
    if (job_.verify && !table.skipped && !table.verified)
        table.verified = false;
    return table;
}

CloneReport run_clone(const CloneJob &job, const RunnerOptions &options, Waiter &waiter) {
    return CloneRun(job, options, waiter).run();
}

}  // namespace pgclone
