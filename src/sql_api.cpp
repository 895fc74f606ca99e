// SQL-callable helpers behind the bucardo.* functions of the extension scripts: the list and start
// parsers, the conninfo check and the check of a clone request's options. The registry and the queue
// themselves are written in PL/pgSQL.

#include <string>
#include <vector>

#include <libpq-fe.h>

#include "core/clone_options.hpp"
#include "core/parse.hpp"
#include "core/plan.hpp"
#include "core/rate_limit.hpp"
#include "pg/spi.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(pg_clone_parse_tables);
PG_FUNCTION_INFO_V1(pg_clone_parse_dbs);
PG_FUNCTION_INFO_V1(pg_clone_start_kind);
PG_FUNCTION_INFO_V1(pg_clone_check_conninfo);
PG_FUNCTION_INFO_V1(pg_clone_check_options);
PG_FUNCTION_INFO_V1(pg_clone_rate_bytes);
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

// One key and value of an options object, as read under pg::call: C data only, in palloc'd memory.
struct RawOption {
    const char *key;
    pgclone::OptionValue::Kind kind;
    bool boolean;
    const char *text;
};

// The top-level keys and values of a jsonb object (nested objects and arrays by their kind only).
pgclone::Options read_options(Jsonb *jsonb) {
    using Kind = pgclone::OptionValue::Kind;
    if (!JB_ROOT_IS_OBJECT(jsonb))
        throw invalid("clone options must be a JSON object");
    RawOption *raw = nullptr;
    int count = 0;
    pg::call([&] {
        raw = static_cast<RawOption *>(palloc0(sizeof(RawOption) * (JB_ROOT_COUNT(jsonb) + 1)));
        JsonbIterator *it = JsonbIteratorInit(&jsonb->root);
        JsonbValue v;
        JsonbIteratorToken token;
        while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE) {
            if (token == WJB_KEY) {
                raw[count].key = pnstrdup(v.val.string.val, v.val.string.len);
                continue;
            }
            if (token != WJB_VALUE)
                continue;
            RawOption &option = raw[count++];
            switch (v.type) {
            case jbvNull:
                option.kind = Kind::Null;
                break;
            case jbvBool:
                option.kind = Kind::Boolean;
                option.boolean = v.val.boolean;
                break;
            case jbvNumeric:
                option.kind = Kind::Number;
                option.text =
                    DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
                break;
            case jbvString:
                option.kind = Kind::String;
                option.text = pnstrdup(v.val.string.val, v.val.string.len);
                break;
            default:  // jbvBinary: a nested container, skipped over
                option.kind = v.type == jbvBinary && JsonContainerIsObject(v.val.binary.data) ? Kind::Object
                                                                                              : Kind::Array;
                break;
            }
        }
    });
    pgclone::Options options;
    for (int i = 0; i < count; i++)
        options.emplace_back(
            raw[i].key, pgclone::OptionValue{raw[i].kind, raw[i].boolean, raw[i].text ? raw[i].text : ""});
    return options;
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

// bucardo._check_clone_options(options jsonb): the options of a clone request, checked in C++
// (src/core/clone_options.cpp) so that no version's script repeats the checks of earlier options.
extern "C" Datum pg_clone_check_options(PG_FUNCTION_ARGS) {
    Jsonb *options = PG_GETARG_JSONB_P(0);
    return pg::entry([&]() -> Datum {
        pgclone::check_clone_options(read_options(options));
        return (Datum)0;
    });
}

// bucardo._rate_bytes(rate text) returns bigint: '50MB' in bytes per second (core/rate_limit.cpp), for
// bucardo._queue_clone (the column max_rate) and bucardo.clone_set_rate.
extern "C" Datum pg_clone_rate_bytes(PG_FUNCTION_ARGS) {
    char *rate = text_to_cstring(PG_GETARG_TEXT_PP(0));
    return pg::entry([&]() -> Datum { return Int64GetDatum(pgclone::parse_rate(rate)); });
}
