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
constexpr const char *out_of_memory = "53200";
}  // namespace sqlstate

struct ErrorInfo {
    std::string sqlstate = sqlstate::internal_error;
    std::string message;
    std::string detail;
    std::string hint;
};

class Error : public std::exception {
  public:
    explicit Error(ErrorInfo info) : info_(std::move(info)) {}
    Error(const char *code, std::string message, std::string detail = {}, std::string hint = {})
        : info_{code, std::move(message), std::move(detail), std::move(hint)} {}

    const char *what() const noexcept override { return info_.message.c_str(); }
    const ErrorInfo &info() const noexcept { return info_; }
    const std::string &sqlstate() const noexcept { return info_.sqlstate; }

    // Puts where the error happened in front of the message: "database \"beta\", table public.foo: ..."
    void add_context(const std::string &where) { info_.message = where + ": " + info_.message; }

    // "database \"beta\": msg" becomes "database \"beta\", table public.foo: msg".
    void add_table(const std::string &table) {
        if (info_.message.find("table " + table + ": ") != std::string::npos)
            return;
        auto colon = info_.message.find("\": ");
        if (info_.message.rfind("database \"", 0) == 0 && colon != std::string::npos)
            info_.message.insert(colon + 1, ", table " + table);
        else
            add_context("table " + table);
    }

  private:
    ErrorInfo info_;
};

}  // namespace pgclone
