#include "cli/pq/session.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pgclone::cli {

namespace {

std::string trimmed(const char *text) {
    std::string out = text ? text : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

// Prints each line of text after a prefix ("pg_clone: detail: "), as PostgreSQL's programs do.
void print_lines(const char *prefix, const std::string &text) {
    if (text.empty())
        return;
    std::fprintf(stderr, "pg_clone: %s%s\n", prefix, text.c_str());
}

// The terminal the password is asked on, closed when done.
class Terminal {
  public:
    Terminal() : fd_(open("/dev/tty", O_RDWR | O_CLOEXEC)) {}
    ~Terminal() {
        if (fd_ >= 0)
            close(fd_);
    }
    Terminal(const Terminal &) = delete;
    Terminal &operator=(const Terminal &) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

// Asks for a password on the terminal without echo, as psql's simple_prompt: echo is turned off
// and what was typed ahead is discarded (TCSAFLUSH) *before* the prompt is written, so that whatever
// is typed once the prompt is visible is read, and not echoed. (The other order loses a password typed
// between the prompt and the flush, and the program then waits for a line that never comes.) Empty if
// there is no terminal to ask on.
std::string prompt_password(const std::string &user) {
    Terminal tty;
    if (tty.fd() < 0)
        return {};
    termios saved{};
    bool restore = tcgetattr(tty.fd(), &saved) == 0;
    if (restore) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        tcsetattr(tty.fd(), TCSAFLUSH, &quiet);
    }
    std::string prompt = "Password for user " + user + ": ";
    std::string password;
    if (write(tty.fd(), prompt.data(), prompt.size()) == static_cast<ssize_t>(prompt.size())) {
        char c;
        while (read(tty.fd(), &c, 1) == 1 && c != '\n')
            password += c;
    }
    if (restore)
        tcsetattr(tty.fd(), TCSAFLUSH, &saved);
    return password;
}

void notice_receiver(void *, const PGresult *result) {
    const char *severity = PQresultErrorField(result, PG_DIAG_SEVERITY);
    const char *message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    std::string level = severity ? severity : "NOTICE";
    for (auto &c : level)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::fprintf(stderr, "pg_clone: %s: %s\n", level.c_str(), message ? message : "");
    print_lines("detail: ", trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)));
    print_lines("hint: ", trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)));
}

}  // namespace

void print_error(const std::string &message, const std::string &detail, const std::string &hint) {
    std::fprintf(stderr, "pg_clone: error: %s\n", message.c_str());
    print_lines("detail: ", detail);
    print_lines("hint: ", hint);
}

std::optional<std::string> Result::optional_text(int row, int column) const {
    if (is_null(row, column))
        return std::nullopt;
    return text(row, column);
}

int64_t Result::int64(int row, int column) const {
    return is_null(row, column) ? 0 : std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

double Result::number(int row, int column) const {
    return is_null(row, column) ? 0 : std::strtod(PQgetvalue(result_.get(), row, column), nullptr);
}

std::optional<bool> Result::boolean(int row, int column) const {
    if (is_null(row, column))
        return std::nullopt;
    return text(row, column) == "t";
}

Session Session::connect(const ConnectionOptions &options) {
    std::optional<std::string> password;
    if (options.prompt_password) {
        // As psql: the user named, else PGUSER, else the login name.
        std::string user = options.user.value_or("");
        if (user.empty() && std::getenv("PGUSER"))
            user = std::getenv("PGUSER");
        if (user.empty()) {
            const passwd *login = getpwuid(geteuid());
            user = login ? login->pw_name : "";
        }
        password = prompt_password(user);
    }

    // The control database defaults to postgres (pg_clone.database's default), not to the user's name.
    std::optional<std::string> dbname = options.dbname;
    if (!dbname && !std::getenv("PGDATABASE") && !std::getenv("PGSERVICE"))
        dbname = "postgres";

    for (;;) {
        // As psql: dbname last but one, so that a conninfo or URI given with -d wins over -h -p -U.
        std::vector<const char *> keywords, values;
        auto add = [&](const char *keyword, const std::optional<std::string> &value) {
            if (value) {
                keywords.push_back(keyword);
                values.push_back(value->c_str());
            }
        };
        add("host", options.host);
        add("port", options.port);
        add("user", options.user);
        add("password", password);
        add("dbname", dbname);
        add("fallback_application_name", std::string("pg_clone"));
        keywords.push_back(nullptr);
        values.push_back(nullptr);

        Session session(PQconnectdbParams(keywords.data(), values.data(), 1));
        if (!session.conn_)
            throw ConnectionError("out of memory");
        if (PQstatus(session.conn()) == CONNECTION_BAD && PQconnectionNeedsPassword(session.conn()) &&
            !password && !options.never_prompt && isatty(STDIN_FILENO)) {
            // As psql: the failed attempt is closed before asking. libpq keeps its socket open until
            // PQfinish, and the server process at the other end would wait in authentication for as
            // long as the user takes to type (until authentication_timeout cancels it).
            const char *asked_user = PQuser(session.conn());
            std::string user = asked_user ? asked_user : "";
            session.conn_.reset();
            password = prompt_password(user);
            continue;
        }
        if (PQstatus(session.conn()) != CONNECTION_OK)
            throw ConnectionError(trimmed(PQerrorMessage(session.conn())));
        PQsetNoticeReceiver(session.conn(), notice_receiver, nullptr);
        session.database_ = PQdb(session.conn());

        // An empty search_path: every name we use is qualified; ISO dates for every output.
        Result setup = session.run(
            "SELECT pg_catalog.set_config('search_path', '', false), "
            "pg_catalog.set_config('datestyle', 'ISO', false), "
            "(SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_clone')");
        if (setup.is_null(0, 2))
            throw ServerError(
                "42704", "extension \"pg_clone\" is not installed in database \"" + session.database_ + "\"",
                "",
                "Connect to the control database (pg_clone.database) with -d, or run CREATE EXTENSION "
                "pg_clone there.");
        return session;
    }
}

Result Session::run(const std::string &sql, const Params &params) {
    std::vector<const char *> values;
    for (const auto &param : params)
        values.push_back(param ? param->c_str() : nullptr);
    Result result(PQexecParams(conn(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.empty() ? nullptr : values.data(), nullptr, nullptr, 0));
    ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        return result;
    if (PQstatus(conn()) == CONNECTION_BAD || !result.get())
        throw ConnectionError(trimmed(PQerrorMessage(conn())));
    const char *sqlstate = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
    const char *message = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
    throw ServerError(sqlstate ? sqlstate : "XX000", message ? message : trimmed(PQerrorMessage(conn())),
                      trimmed(PQresultErrorField(result.get(), PG_DIAG_MESSAGE_DETAIL)),
                      trimmed(PQresultErrorField(result.get(), PG_DIAG_MESSAGE_HINT)));
}

bool Session::wait_for_notify(double timeout_s) {
    int fd = PQsocket(conn());
    if (fd < 0)
        throw ConnectionError("the connection to the server was lost");
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(fd, &readable);
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_s);
    tv.tv_usec = static_cast<suseconds_t>((timeout_s - std::floor(timeout_s)) * 1e6);
    int ready = select(fd + 1, &readable, nullptr, nullptr, &tv);
    if (ready < 0)
        return false;  // a signal: the caller looks at what it was
    bool notified = false;
    if (ready > 0) {
        if (!PQconsumeInput(conn()))
            throw ConnectionError(trimmed(PQerrorMessage(conn())));
        while (PGnotify *notify = PQnotifies(conn())) {
            notified = true;
            PQfreemem(notify);
        }
    }
    return notified;
}

}  // namespace pgclone::cli
