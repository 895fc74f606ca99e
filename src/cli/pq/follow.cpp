#include "cli/pq/follow.hpp"

#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace pgclone::cli {

namespace {

volatile sig_atomic_t interrupted = 0;

void on_interrupt(int) { interrupted = 1; }

// SIGINT sets a flag and interrupts select() (no SA_RESTART), so the loop sees it at once.
class InterruptHandler {
  public:
    InterruptHandler() {
        struct sigaction action {};
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;
        sigaction(SIGINT, &action, &saved_);
        interrupted = 0;
    }
    ~InterruptHandler() { sigaction(SIGINT, &saved_, nullptr); }
    InterruptHandler(const InterruptHandler &) = delete;
    InterruptHandler &operator=(const InterruptHandler &) = delete;

  private:
    struct sigaction saved_ {};
};

struct CloneState {
    std::string status;
    std::string startwhen;
    bool start_later = false;
    double seconds = 0;  // ended - started
    std::string summary;
    std::string error;
};

bool ended(const std::string &status) {
    return status == "done" || status == "failed" || status == "cancelled";
}

std::optional<CloneState> read_state(Session &session, int64_t id) {
    Result r = session.run(
        "SELECT c.status, c.startwhen::pg_catalog.text, c.startwhen > pg_catalog.now(),"
        "       extract(epoch FROM c.ended - c.started), c.summary, c.error"
        "  FROM bucardo.clone c WHERE c.id = $1",
        {std::to_string(id)});
    if (r.rows() == 0)
        return std::nullopt;
    CloneState state;
    state.status = r.text(0, 0);
    state.startwhen = r.text(0, 1);
    state.start_later = r.boolean(0, 2).value_or(false);
    state.seconds = r.number(0, 3);
    state.summary = r.optional_text(0, 4).value_or("");
    state.error = r.optional_text(0, 5).value_or("");
    return state;
}

std::vector<TableCopyProgress> read_progress(Session &session, int64_t id) {
    Result r = session.run(
        "SELECT p.table_name, p.source, p.target, p.phase, p.rows_copied, p.bytes_copied, p.estimated_rows,"
        "       extract(epoch FROM p.elapsed)"
        "  FROM bucardo.clone_progress p WHERE p.clone_id = $1 AND p.table_name IS NOT NULL"
        " ORDER BY p.table_name, p.source, p.target",
        {std::to_string(id)});
    std::vector<TableCopyProgress> rows;
    for (int i = 0; i < r.rows(); ++i) {
        TableCopyProgress row;
        row.table = r.text(i, 0);
        row.source = r.text(i, 1);
        row.target = r.text(i, 2);
        row.phase = r.text(i, 3);
        row.rows_copied = r.int64(i, 4);
        row.bytes_copied = r.int64(i, 5);
        if (!r.is_null(i, 6))
            row.estimated_rows = r.int64(i, 6);
        row.elapsed_s = r.number(i, 7);
        rows.push_back(row);
    }
    return rows;
}

std::vector<EndedCopy> read_results(Session &session, int64_t id) {
    Result r = session.run(
        "SELECT t.table_name, t.db, t.rows, t.bytes, t.seconds, t.skipped FROM bucardo.clone_table t"
        " WHERE t.clone_id = $1 ORDER BY t.table_name, t.db",
        {std::to_string(id)});
    std::vector<EndedCopy> results;
    for (int i = 0; i < r.rows(); ++i)
        results.push_back(EndedCopy{r.text(i, 0), r.text(i, 1), r.int64(i, 2), r.int64(i, 3),
                                    r.boolean(i, 5).value_or(false), r.number(i, 4)});
    return results;
}

int terminal_width() {
    winsize size{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col - 1;  // never the last column: some terminals wrap there
    // A terminal that does not say its size: $COLUMNS, as the shell keeps it, else 80.
    const char *columns = std::getenv("COLUMNS");
    int width = columns ? std::atoi(columns) : 0;
    return (width > 1 ? width : 80) - 1;
}

// The progress line of a terminal, redrawn in place.
class ProgressLine {
  public:
    void draw(const std::string &text) {
        std::string out = "\r" + text;
        if (text.size() < drawn_)
            out += std::string(drawn_ - text.size(), ' ');
        std::fputs(out.c_str(), stdout);
        std::fflush(stdout);
        drawn_ = text.size();
    }
    // Ends the line, so that what follows starts on a line of its own.
    void finish() {
        if (drawn_ > 0)
            std::fputs("\n", stdout);
        std::fflush(stdout);
        drawn_ = 0;
    }

  private:
    size_t drawn_ = 0;
};

enum class Answer { kCancel, kLeave };

// Asks on the terminal whether to cancel; anything but yes (or a second Ctrl-C) leaves it running.
Answer ask_cancel(int64_t id) {
    FILE *out = isatty(STDOUT_FILENO) ? stdout : stderr;
    std::fprintf(out, "Cancel clone %lld? [y/N] ", static_cast<long long>(id));
    std::fflush(out);
    interrupted = 0;
    std::string answer;
    char c;
    for (;;) {
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n <= 0 || c == '\n' || c == '\r')
            break;
        answer += c;
    }
    if (interrupted) {
        std::fputs("\n", out);
        interrupted = 0;
    }
    return (answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes")
               ? Answer::kCancel
               : Answer::kLeave;
}

}  // namespace

int follow_clone(Session &session, int64_t id, const FollowOptions &options) {
    InterruptHandler handler;
    const bool terminal = isatty(STDOUT_FILENO) != 0;
    const auto began = std::chrono::steady_clock::now();
    auto waited = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    };
    const std::string name = "clone " + std::to_string(id);

    // Listen first, then read: an end committed in between is seen by the read.
    session.run("LISTEN bucardo_clone_done");

    ProgressLine line;
    EndedCopies reported;
    std::string shown_status;
    bool cancel_requested = false;

    for (;;) {
        if (interrupted) {
            interrupted = 0;
            line.finish();
            if (cancel_requested) {
                std::printf("%s: cancel requested, not ended yet; follow it with: pg_clone wait %lld\n",
                            name.c_str(), static_cast<long long>(id));
                return kExitNotEnded;
            }
            Answer answer = options.cancel_on_interrupt ? Answer::kCancel
                            : isatty(STDIN_FILENO)      ? ask_cancel(id)
                                                        : Answer::kLeave;
            if (answer == Answer::kLeave) {
                auto state = read_state(session, id);
                std::printf("%s goes on (%s), not cancelled; follow it with: pg_clone wait %lld\n",
                            name.c_str(), state ? state->status.c_str() : "?", static_cast<long long>(id));
                return kExitNotEnded;
            }
            Result r = session.run("SELECT bucardo.clone_cancel($1)", {std::to_string(id)});
            cancel_requested = true;
            if (r.boolean(0, 0).value_or(false))
                std::printf("%s: cancelling\n", name.c_str());
            else
                std::printf("%s: could not be cancelled; waiting for its end\n", name.c_str());
            std::fflush(stdout);
        }

        auto state = read_state(session, id);
        if (!state) {
            line.finish();
            print_error(name + " does not exist");
            return kExitUsage;
        }

        if (ended(state->status)) {
            if (state->status == "done") {
                auto results = read_results(session, id);
                if (terminal) {
                    std::set<std::string> tables;
                    int64_t rows = 0, bytes = 0;
                    for (const auto &copy : results) {
                        tables.insert(copy.table);
                        rows += copy.rows;
                        bytes += copy.bytes;
                    }
                    line.draw(progress_line(
                        id, finished_totals(static_cast<int>(tables.size()), rows, bytes, state->seconds),
                        terminal_width()));
                    line.finish();
                } else {
                    for (const auto &copy : reported.not_reported(results))
                        std::printf("%s: %s\n", name.c_str(), ended_copy_line(copy).c_str());
                }
                std::printf("%s done in %s: %s\n", name.c_str(), format_took(state->seconds).c_str(),
                            state->summary.c_str());
                std::fflush(stdout);
                return kExitDone;
            }
            line.finish();
            StoredError error = split_stored_error(state->error);
            if (state->status == "cancelled") {
                std::printf("%s cancelled%s%s\n", name.c_str(), error.message.empty() ? "" : ": ",
                            error.message.c_str());
                std::fflush(stdout);
                return kExitCancelled;
            }
            std::fflush(stdout);
            print_error(name + " failed: " + error.message, error.detail, error.hint);
            return kExitFailed;
        }

        if (options.timeout_s && waited() >= *options.timeout_s) {
            line.finish();
            std::printf("%s has not ended after %s (it is %s); follow it with: pg_clone wait %lld\n",
                        name.c_str(), format_took(*options.timeout_s).c_str(), state->status.c_str(),
                        static_cast<long long>(id));
            std::fflush(stdout);
            return kExitNotEnded;
        }

        // What it is doing.
        std::string status_text = state->status;
        if (state->status == "queued" && state->start_later)
            status_text += ", starts at " + state->startwhen;
        std::vector<TableCopyProgress> progress;
        if (state->status == "running")
            progress = read_progress(session, id);
        if (terminal) {
            if (state->status == "running" && !progress.empty())
                line.draw(progress_line(id, summarize_progress(progress), terminal_width()));
            else
                line.draw(name + " " + status_text + "...");
        } else {
            if (status_text != shown_status)
                std::printf("%s %s\n", name.c_str(), status_text.c_str());
            for (const auto &copy : reported.newly_ended(progress))
                std::printf("%s: %s\n", name.c_str(), ended_copy_line(copy).c_str());
            std::fflush(stdout);
        }
        shown_status = status_text;

        double nap = terminal ? 0.5 : 1.0;
        if (options.timeout_s)
            nap = std::max(0.0, std::min(nap, *options.timeout_s - waited()));
        if (!interrupted)
            session.wait_for_notify(nap);
    }
}

}  // namespace pgclone::cli
