// The pg_clone program's one libpq session with the control database: connecting as psql does
// (-h -p -U -d, PG* variables, .pgpass, a password prompt when the server asks for one), owning its
// PGconn and PGresults, and running every statement with PQexecParams (values are never spliced into
// SQL). Every name in the statements is qualified (bucardo., pg_catalog.) and search_path is empty.
#pragma once

#include "cli/command_line.hpp"

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgclone::cli {

// An ERROR from the server, with what PostgreSQL's programs print of it.
class ServerError : public std::runtime_error {
  public:
    ServerError(const std::string &sqlstate, const std::string &message, std::string detail, std::string hint)
        : std::runtime_error(message), sqlstate_(sqlstate), detail_(std::move(detail)),
          hint_(std::move(hint)) {}
    const std::string &sqlstate() const noexcept { return sqlstate_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }

  private:
    std::string sqlstate_, detail_, hint_;
};

// No session: the server could not be reached, refused us, or lost the connection.
class ConnectionError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Result {
  public:
    explicit Result(PGresult *result) : result_(result, &PQclear) {}
    PGresult *get() const { return result_.get(); }
    int rows() const { return PQntuples(result_.get()); }
    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
    std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
    std::optional<std::string> optional_text(int row, int column) const;
    int64_t int64(int row, int column) const;  // 0 for NULL
    double number(int row, int column) const;  // 0 for NULL
    std::optional<bool> boolean(int row, int column) const;

  private:
    std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

using Params = std::vector<std::optional<std::string>>;

class Session {
  public:
    // Connects to the control database and checks that pg_clone is installed there. Throws
    // ConnectionError (with libpq's message) or ServerError.
    static Session connect(const ConnectionOptions &options);

    // Runs one statement; throws ServerError for an ERROR, ConnectionError when the session is lost.
    Result run(const std::string &sql, const Params &params = {});

    PGconn *conn() const { return conn_.get(); }
    const std::string &database() const { return database_; }

    // Waits up to timeout_s for the server to send something (a NOTIFY), or for a signal. Returns
    // true when a NOTIFY arrived.
    bool wait_for_notify(double timeout_s);

  private:
    explicit Session(PGconn *conn) : conn_(conn, &PQfinish) {}
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
    std::string database_;
};

// "pg_clone: error: MESSAGE", then "pg_clone: detail: ..." and "pg_clone: hint: ..." as
// PostgreSQL 15's programs print them, on stderr.
void print_error(const std::string &message, const std::string &detail = {}, const std::string &hint = {});

}  // namespace pgclone::cli
