#include "core/session_settings.hpp"

namespace pgclone {

std::vector<SessionSetting> pinned_settings(int server_version) {
    std::vector<SessionSetting> settings = {
        // Unqualified functions, operators and types resolve in pg_catalog only (temporary schemas
        // are never searched for functions or operators).
        {"search_path", ""},
        // Text COPY output and input: dates, intervals, floats to the last bit, arrays with NULLs,
        // XML fragments and money read back as they were written.
        {"DateStyle", "ISO"},
        {"IntervalStyle", "postgres"},
        {"TimeZone", "UTC"},
        {"extra_float_digits", "3"},
        {"array_nulls", "on"},
        {"xmloption", "content"},
        {"lc_monetary", "C"},
        {"bytea_output", "hex"},
        {"standard_conforming_strings", "on"},
        // A row-level security policy would hide rows from the copy: fail instead (as pg_dump does).
        {"row_security", "off"},
        // A copy takes as long as it takes; the database's own timeouts must not cut it short.
        {"statement_timeout", "0"},
        {"idle_in_transaction_session_timeout", "0"},
        // Our catalog queries are cheap but look expensive to the planner; compiling them would
        // cost more than running them.
        {"jit", "off"},
    };
    if (server_version >= 140000)
        settings.push_back({"idle_session_timeout", "0"});
    if (server_version >= 170000)
        settings.push_back({"transaction_timeout", "0"});
    return settings;
}

std::string set_statements(const std::vector<SessionSetting> &settings) {
    std::string sql;
    for (const SessionSetting &s : settings) {
        sql += "SET " + s.name + " = '";
        for (char c : s.value) {
            if (c == '\'')
                sql += '\'';
            sql += c;
        }
        sql += "'; ";
    }
    if (!sql.empty())
        sql.pop_back();
    return sql;
}

std::string common_client_encoding(const std::vector<std::string> &server_encodings) {
    if (server_encodings.empty())
        return "UTF8";
    for (const std::string &encoding : server_encodings)
        if (encoding != server_encodings.front() || encoding.empty())
            return "UTF8";
    return server_encodings.front();
}

}  // namespace pgclone
