// One libpq session to a source or target database: non-blocking, every wait through a Waiter, every
// error a pgclone::Error naming the database and keeping the remote SQLSTATE, detail and hint.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/waiter.hpp"

namespace pgclone {

struct ResultDeleter {
    void operator()(PGresult *result) const noexcept { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// What a conninfo without host or port falls back to: this server, so that 'dbname=shop' works.
struct ConnectDefaults {
    std::string host;
    std::string port;
    std::string application_name;
    int timeout_s = 30;
    // For a clone requested by a role that is not a superuser: the session must log in with a password
    // that the connection string names (password or passfile), never with the server's own identity
    // (trust, peer, the server's default .pgpass).
    bool require_password = false;
    // A user mapping's credentials: they win over the connection string's user and password.
    std::string login_user;
    std::string login_password;
};

// One connection to make: the database's name (for errors), its conninfo, and the defaults.
struct ConnectRequest {
    std::string db_name;
    std::string conninfo;
    ConnectDefaults defaults;
};

class Connection {
  public:
    // Connects without blocking the process; conninfo is a libpq keyword string or URI. Before it
    // returns, the session is made safe (secure search_path, pinned output settings: see
    // core/session_settings.hpp), whatever the conninfo's options or the database's defaults say.
    static Connection open(const std::string &db_name, const std::string &conninfo,
                           const ConnectDefaults &defaults, Waiter &waiter);
    // The same for several connections at once, in the order asked: all of them, or an Error (the
    // first failure seen) and none.
    static std::vector<Connection> open_all(const std::vector<ConnectRequest> &requests, Waiter &waiter);

    Connection(Connection &&other) noexcept;
    Connection &operator=(Connection &&) = delete;
    Connection(const Connection &) = delete;
    ~Connection();

    // Runs one statement (text parameters) and returns its last result; throws on error.
    Result exec(const std::string &sql, const std::vector<std::optional<std::string>> &params = {});
    // The same in two steps (finish_statement reads the answer), so that several sessions run theirs at
    // once.
    void send(const std::string &sql, const std::vector<std::optional<std::string>> &params = {});
    Result finish_statement();
    // Runs several statements in one round trip (simple query); returns every result.
    std::vector<Result> exec_script(const std::string &sql);
    // The same in two steps, so that several sessions run theirs at once.
    void send_script(const std::string &sql);
    std::vector<Result> finish_script();
    // Runs sql as exactly one statement (the extended protocol refuses a second), for SQL that holds
    // text written by a user, such as a row filter.
    Result exec_single(const std::string &sql);
    // The same in two steps (finish_command reads the answer), so that several sessions run theirs at once.
    void send_single(const std::string &sql);
    // After send_single of a COPY: waits until the server is in COPY OUT or COPY IN state.
    void await_copy();
    // Waits for the command's final results once a COPY has ended; returns the last one.
    Result finish_command();
    // Pushes buffered output to the server, waiting while the socket is full.
    void flush();
    // Best effort, bounded: ends a COPY IN with an error and rolls back. Never throws.
    void rollback_quietly(std::chrono::milliseconds budget) noexcept;

    std::string quote_ident(const std::string &name) const;
    std::string quote_literal(const std::string &text) const;
    Error error(const std::string &what) const;  // from PQerrorMessage
    Error error(const PGresult *result) const;   // from a failed result
    // The schemas the session's own search_path named when it connected (pg_catalog included where
    // SQL searches it), in order; the session itself then runs with an empty search_path.
    const std::vector<std::string> &search_path() const { return search_path_; }
    std::string server_encoding() const;
    int server_version() const { return PQserverVersion(conn_); }
    int socket() const { return PQsocket(conn_); }
    PGconn *raw() const { return conn_; }
    const std::string &db_name() const { return db_name_; }
    // Notices received so far (each is also written to stderr, as libpq does by default).
    uint64_t notices() const { return notices_ ? notices_->load() : 0; }
    Waiter &waiter() const { return *waiter_; }
    // Waits go through another Waiter from now on (a stream thread's).
    void set_waiter(Waiter &waiter) { waiter_ = &waiter; }

  private:
    Connection(std::string db_name, PGconn *conn, Waiter &waiter);
    static Connection start(const ConnectRequest &request, Waiter &waiter);
    void wait_until_idle_input();
    // The first statements of every session, and what it keeps of their answers.
    std::string secure_session_sql() const;
    void keep_search_path(const std::vector<Result> &results);
    Result next_result(std::optional<Error> &failure);

    std::string db_name_;
    std::vector<std::string> search_path_;
    PGconn *conn_;
    Waiter *waiter_;
    // Counted by libpq's notice receiver, which holds its address: it stays put when the Connection moves.
    std::unique_ptr<std::atomic<uint64_t>> notices_;
};

// Finishes the script each of these sessions was sent (send_script), every one, then throws the first
// failure: a session must read its answers before it can take another command.
void finish_scripts(const std::vector<Connection *> &busy);

// "database \"alpha\"": how errors name a database.
std::string database_label(const std::string &db_name);

}  // namespace pgclone
