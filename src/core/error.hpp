// The one error type of pg_clone's C++ code. It carries what PostgreSQL's ErrorData carries that a
// user reads (SQLSTATE, message, detail, hint), so an error keeps them on its way to ereport.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <exception>
#include <string>
#include <utility>

namespace pgclone {

namespace sqlstate {
constexpr const char *internal_error = "XX000";
constexpr const char *invalid_parameter_value = "22023";
constexpr const char *undefined_object = "42704";
constexpr const char *undefined_table = "42P01";
constexpr const char *undefined_column = "42703";
constexpr const char *data_exception = "22000";
constexpr const char *datatype_mismatch = "42804";
constexpr const char *wrong_object_type = "42809";
constexpr const char *insufficient_privilege = "42501";
constexpr const char *object_not_in_prerequisite_state = "55000";
constexpr const char *foreign_key_violation = "23503";
constexpr const char *connection_failure = "08006";
constexpr const char *unable_to_connect = "08001";
constexpr const char *query_canceled = "57014";
constexpr const char *admin_shutdown = "57P01";
constexpr const char *crash_shutdown = "57P02";
constexpr const char *cannot_connect_now = "57P03";
constexpr const char *serialization_failure = "40001";
constexpr const char *deadlock_detected = "40P01";
constexpr const char *read_only_sql_transaction = "25006";
constexpr const char *out_of_memory = "53200";
}  // namespace sqlstate

// Where an error happened is data, not text: the message holds the cause alone, and the database and
// the object (a table, a sequence) are fields, rendered in front of it when the error is shown
// (text()) and as a context line where PostgreSQL reports one (context()).
struct ErrorInfo {
    std::string sqlstate = sqlstate::internal_error;
    std::string message;
    std::string detail;
    std::string hint;
    std::string database;  // the registered name, or empty
    std::string object;    // "table public.foo", "sequence public.s", or empty
    // The table a remote server's error is about, when the server says (PG_DIAG_SCHEMA_NAME and
    // PG_DIAG_TABLE_NAME): schema and name, each empty otherwise.
    std::string remote_schema;
    std::string remote_table;
};

class Error : public std::exception {
  public:
    explicit Error(ErrorInfo info) : info_(std::move(info)) {}
    Error(const char *code, std::string message, std::string detail = {}, std::string hint = {})
        : info_{code, std::move(message), std::move(detail), std::move(hint), {}, {}, {}, {}} {}

    const char *what() const noexcept override { return info_.message.c_str(); }
    const ErrorInfo &info() const noexcept { return info_; }
    const std::string &sqlstate() const noexcept { return info_.sqlstate; }

    // Where it happened, each kept when already known (the innermost place wins).
    Error &in_database(const std::string &db) {
        if (info_.database.empty())
            info_.database = db;
        return *this;
    }
    Error &on_table(const std::string &label) { return on_object("table " + label); }
    Error &on_object(const std::string &kind_and_label) {
        if (info_.object.empty())
            info_.object = kind_and_label;
        return *this;
    }

    // "database \"beta\", table public.foo", or what of it is known.
    std::string where() const {
        std::string out = info_.database.empty() ? "" : "database \"" + info_.database + "\"";
        if (!info_.object.empty())
            out += (out.empty() ? "" : ", ") + info_.object;
        return out;
    }
    // The message with its place in front: "database \"beta\", table public.foo: <cause>".
    std::string text() const { return where().empty() ? info_.message : where() + ": " + info_.message; }
    // A context line as PostgreSQL writes them: "while cloning table public.foo in database \"beta\"".
    std::string context() const {
        if (info_.object.empty())
            return info_.database.empty() ? "" : "while cloning into or from database \"" + info_.database + "\"";
        return "while cloning " + info_.object +
               (info_.database.empty() ? "" : " in database \"" + info_.database + "\"");
    }

  private:
    ErrorInfo info_;
};

// "could not receive data: ...\n\tThis probably means..." -> "could not receive data: ...": the
// message's first line, without a final period, to quote inside another message.
inline std::string cause_of(const Error &e) {
    const std::string &message = e.info().message;
    std::string cause = message.substr(0, message.find('\n'));
    while (!cause.empty() && (cause.back() == '.' || cause.back() == ' '))
        cause.pop_back();
    return cause;
}

}  // namespace pgclone
