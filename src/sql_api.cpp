// SQL-callable helpers behind the bucardo.* functions of pg_clone--1.0.sql: the list and start
// parsers and the conninfo check. The registry and the queue themselves are written in PL/pgSQL.

#include <string>
#include <vector>

#include <libpq-fe.h>

#include "core/parse.hpp"
#include "core/plan.hpp"
#include "pg/spi.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(pg_clone_parse_tables);
PG_FUNCTION_INFO_V1(pg_clone_parse_dbs);
PG_FUNCTION_INFO_V1(pg_clone_start_kind);
PG_FUNCTION_INFO_V1(pg_clone_check_conninfo);
}

namespace {

pgclone::Error invalid(const std::string &message, const std::string &hint = {}) {
    return pgclone::Error(pgclone::sqlstate::invalid_parameter_value, message, "", hint);
}

// Emits rows of two text columns (NULL for an empty optional) as a materialized set.
void emit_pairs(FunctionCallInfo fcinfo, const std::vector<std::pair<pg::Value, std::string>> &rows) {
    pg::call([&] {
        InitMaterializedSRF(fcinfo, 0);
        ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        for (const auto &row : rows) {
            Datum values[2];
            bool nulls[2] = {!row.first.has_value(), false};
            values[0] = row.first ? CStringGetTextDatum(row.first->c_str()) : (Datum)0;
            values[1] = CStringGetTextDatum(row.second.c_str());
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    });
}

}  // namespace

extern "C" Datum pg_clone_parse_tables(PG_FUNCTION_ARGS) {
    char *input = text_to_cstring(PG_GETARG_TEXT_PP(0));
    return pg::entry([&]() -> Datum {
        std::vector<std::pair<pg::Value, std::string>> rows;
        try {
            for (const auto &t : pgclone::parse_table_list(input))
                rows.emplace_back(t.schema, t.name);
        } catch (const pgclone::ParseError &e) {
            throw invalid(std::string("invalid table list: ") + e.what(),
                          "Write tables as a comma-separated list, such as 'foo, myschema.bar, \"Mixed Case\".t'.");
        }
        for (const auto &row : rows)
            if (row.first && pgclone::is_system_schema(*row.first))
                throw pgclone::Error(pgclone::sqlstate::insufficient_privilege,
                                     "cannot clone system catalog " +
                                         (row.second == "*" ? pgclone::display_pattern(row.first)
                                                            : pgclone::display_name(*row.first, row.second)),
                                     "", "pg_clone copies user tables only.");
        emit_pairs(fcinfo, rows);
        return (Datum)0;
    });
}

extern "C" Datum pg_clone_parse_dbs(PG_FUNCTION_ARGS) {
    char *input = text_to_cstring(PG_GETARG_TEXT_PP(0));
    return pg::entry([&]() -> Datum {
        std::vector<std::pair<pg::Value, std::string>> rows;
        try {
            for (const auto &db : pgclone::parse_db_list(input))
                rows.emplace_back(db.name, pgclone::role_name(db.role));
        } catch (const pgclone::ParseError &e) {
            throw invalid(std::string("invalid database list: ") + e.what(),
                          "Write databases as 'name:role' pairs, such as 'alpha:source, beta:target'.");
        }
        emit_pairs(fcinfo, rows);
        return (Datum)0;
    });
}

extern "C" Datum pg_clone_start_kind(PG_FUNCTION_ARGS) {
    char *input = text_to_cstring(PG_GETARG_TEXT_PP(0));
    const char *kind = nullptr;
    Datum result = pg::entry([&]() -> Datum {
        try {
            switch (pgclone::classify_start(input)) {
            case pgclone::StartKind::Now:
                kind = "now";
                break;
            case pgclone::StartKind::Interval:
                kind = "interval";
                break;
            case pgclone::StartKind::Timestamp:
                kind = "timestamp";
                break;
            }
        } catch (const pgclone::ParseError &e) {
            throw invalid(e.what());
        }
        return (Datum)0;
    });
    (void)result;
    PG_RETURN_TEXT_P(cstring_to_text(kind));
}

extern "C" Datum pg_clone_check_conninfo(PG_FUNCTION_ARGS) {
    char *conninfo = text_to_cstring(PG_GETARG_TEXT_PP(0));
    char *error = nullptr;
    PQconninfoOption *options = PQconninfoParse(conninfo, &error);
    if (options) {
        PQconninfoFree(options);
        PG_RETURN_VOID();
    }
    char message[1024];
    snprintf(message, sizeof(message), "%s", error ? error : "out of memory");
    if (error)
        PQfreemem(error);
    size_t len = strlen(message);
    while (len > 0 && message[len - 1] == '\n')
        message[--len] = '\0';
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid connection string: %s", message),
                    errhint("Use a libpq connection string such as 'host=10.0.0.1 dbname=shop user=clone' or a "
                            "postgresql:// URI.")));
    PG_RETURN_VOID();
}
