#include "remote/connection.hpp"

#include <poll.h>
#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <future>
#include <thread>
#include <utility>

#include "core/session_settings.hpp"

namespace pgclone {

namespace {

std::string trimmed(const char *text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

struct ConninfoOptionsDeleter {
    void operator()(PQconninfoOption *options) const noexcept { PQconninfoFree(options); }
};

bool is_set(const PQconninfoOption *options, const char *keyword) {
    for (const PQconninfoOption *o = options; o->keyword; o++)
        if (std::strcmp(o->keyword, keyword) == 0)
            return o->val && o->val[0];
    return false;
}

const char *const password_hint =
    "A clone requested by a role that is not a superuser connects only with a password its connection "
    "string names (password=... or passfile=...): register the database so, or a superuser requests it.";

}  // namespace

std::string database_label(const std::string &db_name) { return "database \"" + db_name + "\""; }

namespace {

// Counts a notice, then does what libpq's default receiver does: the message goes to stderr (the
// server log, inside a worker).
void count_notice(void *counter, const PGresult *result) {
    static_cast<std::atomic<uint64_t> *>(counter)->fetch_add(1);
    std::fputs(PQresultErrorMessage(result), stderr);
}

}  // namespace

Connection::Connection(std::string db_name, PGconn *conn, Waiter &waiter)
    : db_name_(std::move(db_name)), conn_(conn), waiter_(&waiter),
      notices_(std::make_unique<std::atomic<uint64_t>>(0)) {
    PQsetNoticeReceiver(conn_, count_notice, notices_.get());
}

Connection::Connection(Connection &&other) noexcept
    : db_name_(std::move(other.db_name_)), search_path_(std::move(other.search_path_)), conn_(other.conn_),
      waiter_(other.waiter_), notices_(std::move(other.notices_)) {
    other.conn_ = nullptr;
}

Connection::~Connection() {
    if (conn_)
        PQfinish(conn_);
}

Connection Connection::open(const std::string &db_name, const std::string &conninfo,
                            const ConnectDefaults &defaults, Waiter &waiter) {
    std::vector<Connection> one = open_all({{db_name, conninfo, defaults}}, waiter);
    return std::move(one.front());
}

// Starts the connection without waiting for it: the checks of the conninfo, then PQconnectStartParams.
Connection Connection::start(const ConnectRequest &request, Waiter &waiter) {
    const std::string &db_name = request.db_name;
    const std::string &conninfo = request.conninfo;
    const ConnectDefaults &defaults = request.defaults;
    char *parse_error = nullptr;
    std::unique_ptr<PQconninfoOption, ConninfoOptionsDeleter> options(
        PQconninfoParse(conninfo.c_str(), &parse_error));
    if (!options) {
        std::string why = trimmed(parse_error);
        PQfreemem(parse_error);
        throw Error(sqlstate::invalid_parameter_value, "invalid connection string: " + why).in_database(db_name);
    }

    if (defaults.require_password && !is_set(options.get(), "password") &&
        !is_set(options.get(), "passfile") && defaults.login_password.empty())
        throw Error(sqlstate::insufficient_privilege,
                    "its connection string holds no password, and the clone's role is not a superuser", "",
                    password_hint)
            .in_database(db_name);

    // Keywords before "dbname" are defaults that the expanded conninfo overrides; the ones after it
    // are ours and win.
    std::vector<const char *> keywords;
    std::vector<const char *> values;
    bool has_host = is_set(options.get(), "host") || is_set(options.get(), "hostaddr");
    if (!has_host && !defaults.host.empty()) {
        keywords.push_back("host");
        values.push_back(defaults.host.c_str());
        if (!is_set(options.get(), "port") && !defaults.port.empty()) {
            keywords.push_back("port");
            values.push_back(defaults.port.c_str());
        }
    }
    // A peer that vanishes without closing the connection (a host down, a network cut) is noticed by
    // TCP within about a minute, not hours; a conninfo that sets these wins.
    static const char *const tcp_defaults[][2] = {{"keepalives", "1"},
                                                  {"keepalives_idle", "30"},
                                                  {"keepalives_interval", "10"},
                                                  {"keepalives_count", "3"},
                                                  {"tcp_user_timeout", "60000"}};
    for (const auto &setting : tcp_defaults) {
        keywords.push_back(setting[0]);
        values.push_back(setting[1]);
    }
    keywords.push_back("dbname");
    values.push_back(conninfo.c_str());
    keywords.push_back("application_name");
    values.push_back(defaults.application_name.c_str());
    if (!defaults.login_user.empty()) {
        keywords.push_back("user");
        values.push_back(defaults.login_user.c_str());
    }
    if (!defaults.login_password.empty()) {
        keywords.push_back("password");
        values.push_back(defaults.login_password.c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);

    PGconn *raw = PQconnectStartParams(keywords.data(), values.data(), 1);
    if (!raw)
        throw std::bad_alloc();
    Connection conn(db_name, raw, waiter);
    if (PQstatus(raw) == CONNECTION_BAD)
        throw Error(sqlstate::unable_to_connect, "could not connect: " + trimmed(PQerrorMessage(raw)))
            .in_database(db_name);

    return conn;
}

// Every connection at once: started together, each polled when its socket is ready, the sessions
// made safe with one round trip each, side by side. The first failure throws (the other connections
// are closed with it).
std::vector<Connection> Connection::open_all(const std::vector<ConnectRequest> &requests, Waiter &waiter) {
    std::vector<Connection> conns;
    conns.reserve(requests.size());
    int timeout_s = 0;
    for (const ConnectRequest &request : requests) {
        conns.push_back(start(request, waiter));
        timeout_s = std::max(timeout_s, request.defaults.timeout_s);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    std::vector<PostgresPollingStatusType> state(conns.size(), PGRES_POLLING_WRITING);
    for (;;) {
        std::vector<size_t> pending;
        std::vector<SocketInterest> interest;
        std::vector<pollfd> ready;
        for (size_t i = 0; i < conns.size(); i++) {
            if (state[i] == PGRES_POLLING_FAILED)
                throw Error(sqlstate::unable_to_connect,
                            "could not connect: " + trimmed(PQerrorMessage(conns[i].conn_)))
                    .in_database(conns[i].db_name_);
            if (state[i] == PGRES_POLLING_OK)
                continue;
            bool reading = state[i] == PGRES_POLLING_READING;
            int fd = PQsocket(conns[i].conn_);
            pending.push_back(i);
            interest.push_back({fd, reading, !reading});
            ready.push_back({fd, static_cast<short>(reading ? POLLIN : POLLOUT), 0});
        }
        if (pending.empty())
            break;
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw Error(sqlstate::unable_to_connect,
                        "could not connect: timed out after " + std::to_string(timeout_s) + " s")
                .in_database(conns[pending.front()].db_name_);
        waiter.wait(interest, left.count());
        // PQconnectPoll may be called only once the socket is ready as it asked (the Waiter also
        // returns when the process is woken).
        if (::poll(ready.data(), ready.size(), 0) < 0 && errno != EINTR)
            throw Error(sqlstate::unable_to_connect, std::string("could not wait for a connection: ") +
                                                         std::strerror(errno))
                .in_database(conns[pending.front()].db_name_);
        for (size_t j = 0; j < pending.size(); j++)
            if (ready[j].revents != 0)
                state[pending[j]] = PQconnectPoll(conns[pending[j]].conn_);
    }
    for (size_t i = 0; i < conns.size(); i++) {
        Connection &conn = conns[i];
        // The postgres_fdw check: a server that did not ask for the password (trust, peer) lends its
        // own identity.
        if (requests[i].defaults.require_password && !PQconnectionUsedPassword(conn.conn_))
            throw Error(sqlstate::insufficient_privilege,
                        "the server did not ask for the password, and the clone's role is not a superuser", "",
                        password_hint)
                .in_database(conn.db_name_);
        if (PQsetnonblocking(conn.conn_, 1) != 0)
            throw conn.error("could not switch the connection to non-blocking mode");
    }
    for (Connection &conn : conns)
        conn.send_script(conn.secure_session_sql());
    std::vector<std::vector<Result>> answers(conns.size());
    std::optional<Error> failure;
    for (size_t i = 0; i < conns.size(); i++) {
        try {
            answers[i] = conns[i].finish_script();
        } catch (const Error &e) {
            if (!failure)
                failure = e;
        }
    }
    if (failure)
        throw *failure;
    for (size_t i = 0; i < conns.size(); i++)
        conns[i].keep_search_path(answers[i]);
    return conns;
}

// The first statements of every session. The search path is read with schema-qualified calls only,
// then emptied, so that nothing we send afterwards resolves a function, operator or type in a schema
// that the database's users can write to. These SETs come after the startup packet's options, so a
// conninfo cannot undo them.
std::string Connection::secure_session_sql() const {
    return "SELECT s::pg_catalog.text FROM pg_catalog.unnest(pg_catalog.current_schemas(true)) AS s; " +
           set_statements(pinned_settings(server_version()));
}

void Connection::keep_search_path(const std::vector<Result> &results) {
    const PGresult *schemas = results.at(0).get();
    for (int r = 0; r < PQntuples(schemas); r++)
        search_path_.push_back(PQgetvalue(schemas, r, 0));
}

std::string Connection::server_encoding() const {
    const char *encoding = PQparameterStatus(conn_, "server_encoding");
    return encoding ? encoding : "";
}

Error Connection::error(const std::string &what) const {
    return Error(sqlstate::connection_failure, what + ": " + trimmed(PQerrorMessage(conn_))).in_database(db_name_);
}

Error Connection::error(const PGresult *result) const {
    ErrorInfo info;
    const char *code = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    info.sqlstate = code ? code : sqlstate::connection_failure;
    const char *primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    info.message = primary ? primary : trimmed(PQresultErrorMessage(result));
    info.database = db_name_;
    const char *schema = PQresultErrorField(result, PG_DIAG_SCHEMA_NAME);
    const char *table = PQresultErrorField(result, PG_DIAG_TABLE_NAME);
    info.remote_schema = schema ? schema : "";
    info.remote_table = table ? table : "";
    const char *detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
    const char *hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT);
    info.detail = detail ? detail : "";
    info.hint = hint ? hint : "";
    return Error(std::move(info));
}

std::string Connection::quote_ident(const std::string &name) const {
    char *quoted = PQescapeIdentifier(conn_, name.c_str(), name.size());
    if (!quoted)
        throw error("could not quote identifier");
    std::string result(quoted);
    PQfreemem(quoted);
    return result;
}

std::string Connection::quote_literal(const std::string &text) const {
    char *quoted = PQescapeLiteral(conn_, text.c_str(), text.size());
    if (!quoted)
        throw error("could not quote literal");
    std::string result(quoted);
    PQfreemem(quoted);
    return result;
}

void Connection::flush() {
    for (;;) {
        int rc = PQflush(conn_);
        if (rc == 0)
            return;
        if (rc < 0)
            throw error("could not send data");
        // The server may be waiting for us to read before it reads more: watch both directions.
        waiter_->wait({{socket(), true, true}}, -1);
        if (!PQconsumeInput(conn_))
            throw error("could not receive data");
    }
}

void Connection::wait_until_idle_input() {
    while (PQisBusy(conn_)) {
        waiter_->wait({{socket(), true, false}}, -1);
        if (!PQconsumeInput(conn_))
            throw error("could not receive data");
    }
}

// The next result of the command in progress (null at its end); an error result is kept in failure
// (the first one wins) and skipped, so that the command is always read to its end.
Result Connection::next_result(std::optional<Error> &failure) {
    for (;;) {
        flush();
        wait_until_idle_input();
        Result result(PQgetResult(conn_));
        if (!result)
            return result;
        ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) {
            if (!failure)
                failure = error(result.get());
            continue;
        }
        return result;
    }
}

Result Connection::finish_command() {
    Result last;
    std::optional<Error> failure;
    while (Result result = next_result(failure)) {
        ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_COPY_OUT || status == PGRES_COPY_IN || status == PGRES_COPY_BOTH)
            return result;
        last = std::move(result);
    }
    if (failure)
        throw *failure;
    return last;
}

std::vector<Result> Connection::exec_script(const std::string &sql) {
    send_script(sql);
    return finish_script();
}

void Connection::send_script(const std::string &sql) {
    if (!PQsendQuery(conn_, sql.c_str()))
        throw error("could not send query");
}

void finish_scripts(const std::vector<Connection *> &busy) {
    std::optional<Error> failure;
    for (Connection *conn : busy) {
        try {
            conn->finish_script();
        } catch (const Error &e) {
            if (!failure)
                failure = e;
        }
    }
    if (failure)
        throw *failure;
}

std::vector<Result> Connection::finish_script() {
    std::vector<Result> results;
    std::optional<Error> failure;
    while (Result result = next_result(failure)) {
        ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_COPY_OUT || status == PGRES_COPY_IN || status == PGRES_COPY_BOTH)
            throw Error(sqlstate::internal_error, "unexpected COPY state").in_database(db_name_);
        results.push_back(std::move(result));
    }
    if (failure)
        throw *failure;
    return results;
}

Result Connection::exec(const std::string &sql, const std::vector<std::optional<std::string>> &params) {
    send(sql, params);
    return finish_statement();
}

void Connection::send(const std::string &sql, const std::vector<std::optional<std::string>> &params) {
    int ok;
    if (params.empty()) {
        ok = PQsendQuery(conn_, sql.c_str());
    } else {
        std::vector<const char *> values;
        for (const auto &p : params)
            values.push_back(p ? p->c_str() : nullptr);
        ok = PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, 0);
    }
    if (!ok)
        throw error("could not send query");
}

// The result of a statement that is not a COPY.
Result Connection::finish_statement() {
    Result result = finish_command();
    if (result &&
        (PQresultStatus(result.get()) == PGRES_COPY_OUT || PQresultStatus(result.get()) == PGRES_COPY_IN))
        throw Error(sqlstate::internal_error, "unexpected COPY state").in_database(db_name_);
    return result;
}

// The extended protocol runs exactly one statement: a row filter cannot end a COPY and start another.
void Connection::send_single(const std::string &sql) {
    if (!PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0))
        throw error("could not send query");
}

Result Connection::exec_single(const std::string &sql) {
    send_single(sql);
    return finish_statement();
}

void Connection::await_copy() {
    Result result = finish_command();
    ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_EMPTY_QUERY;
    if (status != PGRES_COPY_OUT && status != PGRES_COPY_IN)
        throw Error(sqlstate::internal_error, "COPY did not start").in_database(db_name_);
}

namespace {

// PQcancel blocks until the server closes the cancel connection, which a hung server never does. It runs
// in a thread of its own, waited for at most `budget`; past that the thread is left behind, blocked, and
// goes with the process (the worker exits once its clone is decided). Signals stay with the backend's
// own thread.
void cancel_bounded(PGconn *conn, std::chrono::milliseconds budget) noexcept {
    PGcancel *cancel = PQgetCancel(conn);
    if (!cancel)
        return;
    try {
        auto done = std::make_shared<std::promise<void>>();
        std::future<void> finished = done->get_future();
        sigset_t all, saved;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &saved);
        try {
            std::thread([cancel, done] {
                char why[256];
                PQcancel(cancel, why, sizeof(why));
                PQfreeCancel(cancel);
                done->set_value();
            }).detach();
        } catch (...) {
            pthread_sigmask(SIG_SETMASK, &saved, nullptr);
            PQfreeCancel(cancel);
            return;
        }
        pthread_sigmask(SIG_SETMASK, &saved, nullptr);
        finished.wait_for(budget);
    } catch (...) {
    }
}

}  // namespace

void Connection::rollback_quietly(std::chrono::milliseconds budget) noexcept {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK)
        return;
    try {
        auto deadline = std::chrono::steady_clock::now() + budget;
        auto wait_step = [&](bool read, bool write) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                throw Error(sqlstate::query_canceled, "rollback timed out");
            waiter_->wait({{socket(), read, write}}, left.count());
        };
        auto cancel_statement = [&] {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            cancel_bounded(conn_, std::max(left, std::chrono::milliseconds(1)));
        };
        // A statement still running (say, waiting for a lock) is cancelled first.
        if (PQtransactionStatus(conn_) == PQTRANS_ACTIVE && PQisBusy(conn_))
            cancel_statement();
        // Ends a COPY IN with an error so the server discards what it received.
        auto stop_copy_in = [&]() -> bool {
            int rc;
            while ((rc = PQputCopyEnd(conn_, "pg_clone: clone aborted")) == 0)
                wait_step(false, true);
            while (PQflush(conn_) == 1) {
                wait_step(true, true);
                PQconsumeInput(conn_);
            }
            return rc == 1;
        };
        // A source still streaming COPY OUT is cancelled, and what it already sent is read and dropped.
        auto stop_copy_out = [&]() -> bool {
            cancel_statement();
            for (;;) {
                char *row = nullptr;
                int size = PQgetCopyData(conn_, &row, 1);
                if (row)
                    PQfreemem(row);
                if (size == -1)
                    return true;
                if (size < 0)
                    return false;
                if (size == 0) {
                    wait_step(true, false);
                    if (!PQconsumeInput(conn_))
                        return false;
                }
            }
        };
        // Reads every pending result; false when the connection is unusable.
        auto drain_results = [&]() -> bool {
            for (;;) {
                while (PQisBusy(conn_)) {
                    wait_step(true, false);
                    if (!PQconsumeInput(conn_))
                        return false;
                }
                Result result(PQgetResult(conn_));
                if (!result)
                    return true;
                // A COPY whose start we had not read yet: libpq returns its state until it is ended.
                if (PQresultStatus(result.get()) == PGRES_COPY_IN && !stop_copy_in())
                    return false;
                if (PQresultStatus(result.get()) == PGRES_COPY_OUT && !stop_copy_out())
                    return false;
            }
        };
        if (!drain_results() || PQtransactionStatus(conn_) == PQTRANS_IDLE)
            return;
        if (PQsendQuery(conn_, "ROLLBACK"))
            drain_results();
    } catch (...) {
        // Closing the connection rolls back on the server all the same.
    }
}

}  // namespace pgclone
