#include "cli/pq/verbs.hpp"

#include "cli/conninfo_words.hpp"
#include "cli/output.hpp"
#include "cli/pq/follow.hpp"
#include "cli/progress.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace pgclone::cli {

namespace {

void print(const std::string &text) {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
}

// bucardo.clone() with the keys given; the others keep the function's defaults.
int clone(Session &session, const CommandLine &line) {
    const CloneArgs &args = line.clone;
    std::vector<std::string> named;
    Params params;
    auto add = [&](const char *name, const char *type, const std::optional<std::string> &value) {
        if (!value)
            return;
        params.push_back(value);
        named.push_back(std::string(name) + " => $" + std::to_string(params.size()) + "::pg_catalog." + type);
    };
    add("sync", "text", args.sync);
    add("relgroup", "text", args.relgroup);
    add("dbgroup", "text", args.dbgroup);
    add("tables", "text", args.tables);
    add("dbs", "text", args.dbs);
    add("start", "text", args.start);
    add("streams", "int4",
        args.streams ? std::optional<std::string>(std::to_string(*args.streams)) : std::nullopt);
    auto flag = [](const std::optional<bool> &value) {
        return value ? std::optional<std::string>(*value ? "true" : "false") : std::nullopt;
    };
    add("empty_only", "bool", flag(args.empty_only));
    add("sequences", "bool", flag(args.sequences));
    add("\"analyze\"", "bool", flag(args.analyze));  // a reserved word, quoted
    add("verify", "bool", flag(args.verify));
    add("empty", "text", args.empty);
    add("filters", "jsonb", args.filters);
    add("retries", "int4",
        args.retries ? std::optional<std::string>(std::to_string(*args.retries)) : std::nullopt);
    add("max_rate", "text", args.max_rate);
    add("commit", "text", args.commit);
    std::string sql = "SELECT bucardo.clone(";
    for (size_t i = 0; i < named.size(); ++i)
        sql += (i ? ", " : "") + named[i];
    sql += ")";

    Result r = session.run(sql, params);
    int64_t id = r.int64(0, 0);
    if (!line.wait) {
        print(std::to_string(id) + "\n");
        return kExitDone;
    }
    return follow_clone(session, id, FollowOptions{line.timeout_s, line.cancel_on_interrupt});
}

const char *kClonesSql =
    "SELECT c.id, c.status, c.sync, c.relgroup, c.dbgroup, c.empty_only, c.streams, "
    "c.requested_by::pg_catalog.text,"
    "       c.cdate::pg_catalog.text, c.startwhen::pg_catalog.text, c.started::pg_catalog.text,"
    "       c.ended::pg_catalog.text, pg_catalog.round(extract(epoch FROM c.ended - c.started), 3),"
    "       c.two_phase, c.summary, c.error"
    "  FROM bucardo.clone c";

// One clone's row as JSON (columns as in kClonesSql).
JsonObject clone_json(const Result &r, int i) {
    JsonObject o;
    StoredError error = split_stored_error(r.optional_text(i, 15).value_or(""));
    o.number("id", r.text(i, 0))
        .string("status", r.text(i, 1))
        .string("sync", r.optional_text(i, 2))
        .string("relgroup", r.optional_text(i, 3))
        .string("dbgroup", r.optional_text(i, 4))
        .boolean("empty_only", r.boolean(i, 5))
        .number("streams", r.optional_text(i, 6))
        .string("requested_by", r.optional_text(i, 7))
        .string("requested", r.optional_text(i, 8))
        .string("start", r.optional_text(i, 9))
        .string("started", r.optional_text(i, 10))
        .string("ended", r.optional_text(i, 11))
        .number("seconds", r.optional_text(i, 12))
        .boolean("two_phase", r.boolean(i, 13))
        .string("summary", r.optional_text(i, 14))
        .string("error", r.optional_text(i, 15));
    if (!r.is_null(i, 15))
        o.raw("error_fields",
              JsonObject()
                  .string("message", error.message)
                  .string("detail", error.detail.empty() ? std::nullopt : std::optional(error.detail))
                  .string("hint", error.hint.empty() ? std::nullopt : std::optional(error.hint))
                  .str());
    return o;
}

std::string first_line(const std::optional<std::string> &text, size_t max) {
    std::string line = text.value_or("");
    line = line.substr(0, line.find('\n'));
    if (line.size() > max)
        line = line.substr(0, max - 3) + "...";
    return line;
}

int status_list(Session &session, const CommandLine &line) {
    Result r = session.run(std::string(kClonesSql) + " ORDER BY c.id DESC LIMIT 20");
    if (line.json) {
        std::vector<std::string> clones;
        for (int i = 0; i < r.rows(); ++i)
            clones.push_back(clone_json(r, i).str());
        print(json_array(clones) + "\n");
        return kExitDone;
    }
    std::vector<std::vector<Cell>> rows;
    for (int i = 0; i < r.rows(); ++i) {
        std::optional<std::string> took;
        if (!r.is_null(i, 12))
            took = r.text(i, 12) + " s";
        rows.push_back({r.text(i, 0), r.text(i, 1), r.optional_text(i, 2), r.optional_text(i, 3),
                        r.optional_text(i, 4), r.optional_text(i, 9), took,
                        first_line(r.is_null(i, 15) ? r.optional_text(i, 14) : r.optional_text(i, 15), 60)});
    }
    print(aligned_table({"id", "status", "sync", "relgroup", "dbgroup", "start", "took", "summary or error"},
                        rows, {true, false, false, false, false, false, true, false}));
    return kExitDone;
}

int status_one(Session &session, const CommandLine &line) {
    const std::string id = std::to_string(*line.clone_id);
    Result c = session.run(std::string(kClonesSql) + " WHERE c.id = $1", {id});
    if (c.rows() == 0) {
        print_error("clone " + id + " does not exist");
        return kExitUsage;
    }
    Result groups = session.run(
        "SELECT (SELECT pg_catalog.string_agg(m.db || ':' || m.role, ',' ORDER BY m.position)"
        "          FROM bucardo.dbmap m WHERE m.dbgroup = $2),"
        "       (SELECT pg_catalog.string_agg(CASE WHEN m.schemaname IS NULL THEN '' ELSE"
        "                 pg_catalog.quote_ident(m.schemaname) || '.' END || "
        "pg_catalog.quote_ident(m.tablename),"
        "                 ',' ORDER BY m.position)"
        "          FROM bucardo.relmap m WHERE m.relgroup = $1)",
        {c.optional_text(0, 3), c.optional_text(0, 4)});
    Result tables = session.run(
        "SELECT t.db, t.table_name, t.rows, t.bytes, t.seconds, t.format, t.emptied, t.skipped"
        "  FROM bucardo.clone_table t WHERE t.clone_id = $1 ORDER BY t.db, t.table_name",
        {id});
    Result progress = session.run(
        "SELECT p.source, p.target, p.table_name, p.phase, p.rows_copied, p.bytes_copied, p.estimated_rows,"
        "       p.percent, p.time_left::pg_catalog.text"
        "  FROM bucardo.clone_progress p WHERE p.clone_id = $1 AND p.table_name IS NOT NULL"
        " ORDER BY p.table_name, p.source, p.target",
        {id});

    if (line.json) {
        JsonObject o = clone_json(c, 0);
        o.string("dbs", groups.optional_text(0, 0)).string("tables", groups.optional_text(0, 1));
        std::vector<std::string> results, running;
        for (int i = 0; i < tables.rows(); ++i)
            results.push_back(JsonObject()
                                  .string("db", tables.text(i, 0))
                                  .string("table", tables.text(i, 1))
                                  .number("rows", tables.text(i, 2))
                                  .number("bytes", tables.text(i, 3))
                                  .number("seconds", tables.text(i, 4))
                                  .string("format", tables.optional_text(i, 5))
                                  .string("emptied", tables.text(i, 6))
                                  .boolean("skipped", tables.boolean(i, 7))
                                  .str());
        for (int i = 0; i < progress.rows(); ++i)
            running.push_back(JsonObject()
                                  .string("source", progress.text(i, 0))
                                  .string("target", progress.text(i, 1))
                                  .string("table", progress.text(i, 2))
                                  .string("phase", progress.text(i, 3))
                                  .number("rows_copied", progress.text(i, 4))
                                  .number("bytes_copied", progress.text(i, 5))
                                  .number("estimated_rows", progress.optional_text(i, 6))
                                  .number("percent", progress.optional_text(i, 7))
                                  .string("time_left", progress.optional_text(i, 8))
                                  .str());
        o.raw("results", json_array(results)).raw("progress", json_array(running));
        print(o.str() + "\n");
        return kExitDone;
    }

    auto field = [](const std::string &name, const std::optional<std::string> &value) {
        std::string label = name + ":";
        label.resize(std::max<size_t>(label.size(), 14), ' ');
        return label + value.value_or("") + "\n";
    };
    auto with_list = [](const std::optional<std::string> &name, const std::optional<std::string> &list) {
        return name.value_or("") + (list ? " (" + *list + ")" : "");
    };
    std::string out = "clone " + id + ": " + c.text(0, 1) + "\n";
    if (!c.is_null(0, 2))
        out += field("sync", c.text(0, 2));
    out += field("relgroup", with_list(c.optional_text(0, 3), groups.optional_text(0, 1)));
    out += field("dbgroup", with_list(c.optional_text(0, 4), groups.optional_text(0, 0)));
    out += field("empty_only", c.boolean(0, 5).value_or(false) ? "yes" : "no");
    out += field("streams", c.is_null(0, 6) ? "pg_clone.max_streams" : c.text(0, 6));
    out += field("requested", c.text(0, 8) + " by " + c.text(0, 7));
    out += field("start", c.optional_text(0, 9));
    if (!c.is_null(0, 10))
        out += field("started", c.optional_text(0, 10));
    if (!c.is_null(0, 11))
        out += field("ended", c.text(0, 11) + " (took " + c.text(0, 12) + " s)");
    if (!c.is_null(0, 13))
        out += field("two-phase", c.boolean(0, 13).value_or(false) ? "yes" : "no");
    if (!c.is_null(0, 14))
        out += field("summary", c.optional_text(0, 14));
    if (tables.rows() > 0) {
        std::vector<std::vector<Cell>> rows;
        for (int i = 0; i < tables.rows(); ++i)
            rows.push_back({tables.text(i, 0), tables.text(i, 1), tables.text(i, 2), tables.text(i, 3),
                            tables.text(i, 4), tables.optional_text(i, 5), tables.text(i, 6),
                            std::string(tables.boolean(i, 7).value_or(false) ? "yes" : "no")});
        out +=
            "\n" + aligned_table({"db", "table", "rows", "bytes", "seconds", "format", "emptied", "skipped"},
                                 rows, {false, false, true, true, true, false, false, false});
    }
    if (progress.rows() > 0) {
        std::vector<std::vector<Cell>> rows;
        for (int i = 0; i < progress.rows(); ++i)
            rows.push_back({progress.text(i, 0), progress.text(i, 1), progress.text(i, 2),
                            progress.text(i, 3), progress.text(i, 4), progress.optional_text(i, 6),
                            progress.optional_text(i, 7), progress.optional_text(i, 8)});
        out += "\n" + aligned_table({"source", "target", "table", "phase", "rows", "estimated rows",
                                     "percent", "time left"},
                                    rows, {false, false, false, false, true, true, true, false});
    }
    if (!c.is_null(0, 15)) {
        // As stored: the message, then its DETAIL and HINT lines.
        out += "error:\n";
        std::string error = c.text(0, 15);
        size_t start = 0;
        for (;;) {
            size_t end = error.find('\n', start);
            out += "    " + error.substr(start, end == std::string::npos ? std::string::npos : end - start) +
                   "\n";
            if (end == std::string::npos)
                break;
            start = end + 1;
        }
    }
    print(out);
    return kExitDone;
}

// bucardo.clone_resume(): a new clone of a failed or cancelled one (with commit => 'table', of the
// tables it did not commit); its id is printed, or it is followed as clone --wait does.
int resume(Session &session, const CommandLine &line) {
    Result r =
        session.run("SELECT bucardo.clone_resume($1::pg_catalog.int8)", {std::to_string(*line.clone_id)});
    int64_t id = r.int64(0, 0);
    if (!line.wait) {
        print(std::to_string(id) + "\n");
        return kExitDone;
    }
    return follow_clone(session, id, FollowOptions{line.timeout_s, line.cancel_on_interrupt});
}

int set_rate(Session &session, const CommandLine &line) {
    const std::string id = std::to_string(*line.clone_id);
    Result r = session.run("SELECT bucardo.clone_set_rate($1::pg_catalog.int8, $2)", {id, line.rate});
    int64_t bytes = r.int64(0, 0);
    print("clone " + id + ": max_rate " +
          (bytes == 0 ? std::string("none (no limit)") : std::to_string(bytes) + " bytes per second") + "\n");
    return kExitDone;
}

int cancel(Session &session, const CommandLine &line) {
    const std::string id = std::to_string(*line.clone_id);
    Result r = session.run("SELECT bucardo.clone_cancel($1)", {id});
    bool requested = r.boolean(0, 0).value_or(false);
    // commit (1.4) through jsonb: an older installation has no such column.
    Result s = session.run(
        "SELECT c.status, pg_catalog.to_jsonb(c.*) OPERATOR(pg_catalog.->>) 'commit' FROM bucardo.clone c"
        " WHERE c.id = $1",
        {id});
    std::string status = s.rows() ? s.text(0, 0) : "?";
    bool per_table = s.rows() && s.text(0, 1) == "table";
    if (!requested) {
        if (status == "running")
            print_error("clone " + id + " was not cancelled: it is in its commit round", "",
                        "It ends as its recorded decision says: see bucardo.clone_in_doubt.");
        else
            print_error("clone " + id + " was not cancelled: it has already ended (" + status + ")");
        return kExitFailed;
    }
    if (status == "cancelled")
        print("clone " + id + " cancelled\n");
    else
        print("clone " + id + ": cancel requested; its worker rolls back " +
              (per_table ? "every table not yet committed" : "every target") +
              " (follow it with: pg_clone wait " + id + ")\n");
    return kExitDone;
}

// Passwords in a listed connection string are shown as ********.
std::string hide_password(const std::string &conninfo) {
    char *error = nullptr;
    PQconninfoOption *options = PQconninfoParse(conninfo.c_str(), &error);
    if (!options) {
        PQfreemem(error);
        return conninfo;
    }
    bool has_password = false;
    std::string out;
    for (PQconninfoOption *o = options; o->keyword; ++o) {
        if (!o->val)
            continue;
        bool secret = std::string(o->keyword) == "password";
        has_password = has_password || secret;
        out += (out.empty() ? "" : " ") + std::string(o->keyword) + "=" +
               (secret ? std::string("********") : quote_conninfo_value(o->val));
    }
    PQconninfoFree(options);
    return has_password ? out : conninfo;
}

int list(Session &session, const CommandLine &line) {
    std::string sql;
    std::vector<std::string> headers;
    switch (line.kind) {
    case RegistryKind::kDb:
        sql = "SELECT d.name, d.conninfo FROM bucardo.db d ORDER BY d.name";
        headers = {"name", "conninfo"};
        break;
    case RegistryKind::kDbGroup:
        sql =
            "SELECT g.name, pg_catalog.string_agg(m.db || ':' || m.role, ',' ORDER BY m.position)"
            "  FROM bucardo.dbgroup g LEFT JOIN bucardo.dbmap m ON m.dbgroup = g.name GROUP BY g.name ORDER "
            "BY g.name";
        headers = {"name", "dbs"};
        break;
    case RegistryKind::kRelGroup:
        sql =
            "SELECT g.name, pg_catalog.string_agg(CASE WHEN m.schemaname IS NULL THEN '' ELSE"
            "         pg_catalog.quote_ident(m.schemaname) || '.' END || pg_catalog.quote_ident(m.tablename),"
            "         ',' ORDER BY m.position)"
            "  FROM bucardo.relgroup g LEFT JOIN bucardo.relmap m ON m.relgroup = g.name"
            " GROUP BY g.name ORDER BY g.name";
        headers = {"name", "tables"};
        break;
    case RegistryKind::kSync:
        sql = "SELECT s.name, s.relgroup, s.dbgroup FROM bucardo.sync s ORDER BY s.name";
        headers = {"name", "relgroup", "dbgroup"};
        break;
    }
    Result r = session.run(sql);
    std::vector<std::vector<Cell>> rows;
    for (int i = 0; i < r.rows(); ++i) {
        std::vector<Cell> row;
        for (size_t col = 0; col < headers.size(); ++col)
            row.push_back(r.optional_text(i, static_cast<int>(col)));
        if (line.kind == RegistryKind::kDb && row[1])
            row[1] = hide_password(*row[1]);
        rows.push_back(row);
    }
    if (line.json) {
        std::vector<std::string> objects;
        for (const auto &row : rows) {
            JsonObject o;
            for (size_t col = 0; col < headers.size(); ++col)
                o.string(headers[col], row[col]);
            objects.push_back(o.str());
        }
        print(json_array(objects) + "\n");
        return kExitDone;
    }
    print(aligned_table(headers, rows, std::vector<bool>(headers.size(), false)));
    return kExitDone;
}

int add(Session &session, const CommandLine &line) {
    const char *kind = kind_name(line.kind);
    switch (line.kind) {
    case RegistryKind::kDb:
        session.run("SELECT bucardo.add_db($1, $2)", {line.name, line.conninfo});
        break;
    case RegistryKind::kDbGroup:
        session.run("SELECT bucardo.add_dbgroup($1, $2)", {line.name, line.list});
        break;
    case RegistryKind::kRelGroup:
        session.run("SELECT bucardo.add_relgroup($1, $2)", {line.name, line.list});
        break;
    case RegistryKind::kSync:
        session.run("SELECT bucardo.add_sync($1, relgroup => $2, dbgroup => $3)",
                    {line.name, line.sync_relgroup, line.sync_dbgroup});
        break;
    }
    print(std::string(kind) + " \"" + line.name + "\" added\n");
    return kExitDone;
}

// Several names are removed together or not at all.
int remove(Session &session, const CommandLine &line) {
    const char *kind = kind_name(line.kind);
    const std::string sql = std::string("SELECT bucardo.remove_") + kind + "($1)";
    session.run("BEGIN");
    try {
        for (const auto &name : line.names)
            session.run(sql, {name});
        session.run("COMMIT");
    } catch (const ServerError &) {
        session.run("ROLLBACK");
        throw;
    }
    for (const auto &name : line.names)
        print(std::string(kind) + " \"" + name + "\" removed\n");
    return kExitDone;
}

}  // namespace

int run_verb(Session &session, const CommandLine &line) {
    switch (line.verb) {
    case Verb::kClone:
        return clone(session, line);
    case Verb::kStatus:
        return line.clone_id ? status_one(session, line) : status_list(session, line);
    case Verb::kWait:
        return follow_clone(session, *line.clone_id, FollowOptions{line.timeout_s, line.cancel_on_interrupt});
    case Verb::kCancel:
        return cancel(session, line);
    case Verb::kResume:
        return resume(session, line);
    case Verb::kRate:
        return set_rate(session, line);
    case Verb::kAdd:
        return add(session, line);
    case Verb::kRemove:
        return remove(session, line);
    case Verb::kList:
        return list(session, line);
    default:
        return kExitUsage;
    }
}

}  // namespace pgclone::cli
