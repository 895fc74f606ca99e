// The clone worker (Bucardo's KID): a dynamic background worker started by the launcher for one
// clone. It loads the request, runs it with the remote code, and records how it ended.

#include <malloc.h>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <optional>
#include <string>

#include "clone_queue.hpp"
#include "pg/latch_waiter.hpp"
#include "pg/progress_board.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/tool_process.hpp"
#include "remote/catalog_queries.hpp"
#include "remote/prepared_recovery.hpp"
#include "remote/run_clone.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "postmaster/postmaster.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"

PGDLLEXPORT void pg_clone_worker_main(Datum main_arg);
}

namespace {

volatile sig_atomic_t shutdown_requested = 0;

void handle_sigterm(SIGNAL_ARGS) {
    int saved_errno = errno;
    shutdown_requested = 1;
    SetLatch(MyLatch);
    errno = saved_errno;
}

// This server, for conninfo strings that name no host: its first socket directory and its port.
pgclone::ConnectDefaults local_defaults(int64_t id) {
    pgclone::ConnectDefaults defaults;
    std::string dirs = Unix_socket_directories ? Unix_socket_directories : "";
    std::string first = dirs.substr(0, dirs.find(','));
    while (!first.empty() && first.front() == ' ')
        first.erase(0, 1);
    while (!first.empty() && first.back() == ' ')
        first.pop_back();
    defaults.host = first.empty() ? "localhost" : first;
    defaults.port = std::to_string(PostPortNumber);
    defaults.application_name = "pg_clone clone " + std::to_string(id);
    defaults.timeout_s = pg::settings::connect_timeout_s;
    return defaults;
}

struct Outcome {
    std::optional<queue::Ended> status;  // none: nothing to record (see main_body)
    std::string summary;
    std::string error;
    std::optional<pgclone::CloneReport> report;  // for a clone that is done
    std::optional<pgclone::Error> failure;       // for the log: the error with its place as fields
};

// The error as the clone's row keeps it: its place in front, DETAIL and HINT on lines of their own.
std::string describe(const pgclone::Error &e) {
    std::string text = e.text();
    if (!e.info().detail.empty())
        text += "\nDETAIL: " + e.info().detail;
    if (!e.info().hint.empty())
        text += "\nHINT: " + e.info().hint;
    return text;
}

// The commit round's records, in the control database (clone_queue.cpp), and the test-only pause at its
// steps (pg_clone.test_pause_at).
class WorkerRecord : public pgclone::CommitRecord {
  public:
    explicit WorkerRecord(int64_t id) : id_(id) {}
    void will_prepare(const std::vector<pgclone::PreparedXact> &xacts) override {
        queue::record_prepares(id_, xacts);
    }
    void decide(bool commit, const pgclone::CloneReport *report) override {
        queue::record_decision(id_, commit, report);
    }
    void resolved(const std::string &gid, bool committed) override { queue::record_resolved(gid, committed); }
    void commit_round_begins() override { queue::record_commit_round(id_); }
    void committed(const std::string &db, const std::string &gid) override {
        queue::record_committed(id_, db, gid);
    }
    void reached(const char *step) override;
    void tables_committed(const std::vector<std::string> &gids, const pgclone::CloneReport &report) override {
        queue::record_tables_committed(id_, gids, report);
    }

  private:
    int64_t id_;
};

bool pausing_at(const char *step) {
    return pg::settings::test_pause_at && strcmp(pg::settings::test_pause_at, step) == 0;
}

void WorkerRecord::reached(const char *step) {
    if (!pausing_at(step))
        return;
    std::string what = "clone " + std::to_string(id_) + ": paused at " + step;
    pg::log(LOG,
            "pg_clone: clone " + std::to_string(id_) + " paused at " + step + " (pg_clone.test_pause_at)");
    pg::call([&] { pgstat_report_activity(STATE_RUNNING, what.c_str()); });
    // Bounded: an hour at most.
    for (int waited = 0; waited < 36000 && pausing_at(step); waited++) {
        if (shutdown_requested)
            throw pgclone::Error(pgclone::sqlstate::admin_shutdown,
                                 std::string("clone interrupted at ") + step + ": the worker was terminated");
        pg::call([] {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100, PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
            if (ConfigReloadPending) {
                ConfigReloadPending = false;
                ProcessConfigFile(PGC_SIGHUP);
            }
        });
    }
    pg::log(LOG, "pg_clone: clone " + std::to_string(id_) + " goes on from " + step);
}

// Failures that another attempt may not meet: a connection lost, a server shutting down, a
// serialization failure, a deadlock. Never a data or schema error.
bool worth_retrying(const pgclone::Error &e) {
    const std::string &code = e.sqlstate();
    namespace sqlstate = pgclone::sqlstate;
    return code.rfind("08", 0) == 0 || code == sqlstate::admin_shutdown || code == sqlstate::crash_shutdown ||
           code == sqlstate::cannot_connect_now || code == sqlstate::serialization_failure ||
           code == sqlstate::deadlock_detected;
}

long wait_latch_ms = 0;  // wait_latch's argument: a lambda under sigsetjmp captures nothing

void wait_latch(long ms) {
    wait_latch_ms = ms;
    pg::call([] {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait_latch_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    });
}

// Sleeps on the latch; SIGTERM cuts it short.
void pause_ms(long ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!shutdown_requested && std::chrono::steady_clock::now() < until)
        wait_latch(std::max(1L, static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      until - std::chrono::steady_clock::now())
                                                      .count())));
}

const char *cancelled_message = "cancelled by bucardo.clone_cancel(); targets were left unchanged";

// commit => 'table': a clone that ends without finishing keeps the tables it committed.
const char *cancelled_per_table =
    "cancelled by bucardo.clone_cancel(); commit => 'table': the tables listed in bucardo.clone_table were "
    "committed, every other table was left unchanged (bucardo.clone_resume() copies them)";
const char *interrupted_message =
    "clone interrupted: the server is shutting down or the worker was terminated; targets were left unchanged";
const char *interrupted_per_table =
    "clone interrupted: the server is shutting down or the worker was terminated; commit => 'table': the "
    "tables listed in bucardo.clone_table were committed, every other table was left unchanged "
    "(bucardo.clone_resume() copies them)";

Outcome run_job(int64_t id, const pgclone::CloneJob &job, pgclone::CommitRecord *record, bool superuser,
                int attempt) {
    if (job.tables.empty() || job.dbs.empty())
        return {queue::Ended::Failed, "", "the clone's relgroup or dbgroup is empty or no longer exists"};
    {
        std::string sources, targets;
        for (const auto &db : job.dbs) {
            std::string &list = db.role == pgclone::DbRole::Source ? sources : targets;
            list += (list.empty() ? "" : ", ") + db.name;
        }
        // A pattern stands for tables not yet known: the list is shown as given.
        std::string tables =
            std::to_string(job.tables.size()) + (job.tables.size() == 1 ? " table" : " tables");
        for (const auto &t : job.tables)
            if (t.is_pattern()) {
                tables = "tables ";
                for (size_t i = 0; i < job.tables.size() && i < 10; i++)
                    tables += (i ? ", " : "") +
                              (job.tables[i].is_pattern() ? pgclone::display_pattern(job.tables[i].schema)
                               : job.tables[i].schema
                                   ? pgclone::display_name(*job.tables[i].schema, job.tables[i].name)
                                   : job.tables[i].name);
                if (job.tables.size() > 10)
                    tables += " and " + std::to_string(job.tables.size() - 10) + " more";
                break;
            }
        pg::log(LOG, "pg_clone: clone " + std::to_string(id) + " started: " + tables + " from " + sources +
                         " into " + targets + ", up to " + std::to_string(job.streams) +
                         (job.streams == 1 ? " stream" : " streams"));
    }
    pg::LatchWaiter waiter(&shutdown_requested);
    pg::ProgressBoard progress(id);
    pgclone::RunnerOptions options;
    options.progress = &progress;
    options.connect = local_defaults(id);
    options.connect.require_password = !superuser;
    options.lock_timeout_ms = pg::settings::lock_timeout_ms;
    options.delete_below_bytes = static_cast<int64_t>(pg::settings::delete_max_size_kb) * 1024;
    options.build_indexes_after = pg::settings::build_indexes_after;
    options.build_memory_kb = pg::settings::maintenance_work_mem_kb;
    options.split_min_bytes = static_cast<int64_t>(pg::settings::split_min_size_kb) * 1024;
    options.copy_freeze = pg::settings::copy_freeze;
    options.limits.stall_timeout_ms = pg::settings::stall_timeout_ms;
    options.log_progress_interval_ms = pg::settings::log_progress_interval_ms;
    options.record = record;
    options.gid_base = (attempt - 1) * 100000;  // a retry's ids never meet an earlier attempt's
    options.two_phase = pg::settings::two_phase == pg::settings::two_phase_on ? pgclone::TwoPhaseMode::On
                        : pg::settings::two_phase == pg::settings::two_phase_off
                            ? pgclone::TwoPhaseMode::Off
                            : pgclone::TwoPhaseMode::Auto;
    if (record)
        options.gid_tag = queue::gid_tag();
    options.log = [id](const std::string &line) {
        pg::log(LOG, "pg_clone: clone " + std::to_string(id) + " " + line);
    };
    pg::transaction([&] {
        options.control_identity = pg::query(pgclone::database_identity_query).at(0).at(0).value_or("");
    });
    // What the worker does, in pg_stat_activity.query; kept, so that a catalog read (whose SPI query
    // replaces it) can put it back.
    std::string activity;
    options.report_phase = [id, &activity](const std::string &what) {
        activity = "clone " + std::to_string(id) + ": " + what;
        pg::call([&] { pgstat_report_activity(STATE_RUNNING, activity.c_str()); });
    };
    // max_rate: the clone's, else the setting's; re-read about every second, so that
    // bucardo.clone_set_rate() and a reload take effect while the clone runs.
    auto asked_rate = [](std::optional<int64_t> rate) {
        return rate ? *rate : static_cast<int64_t>(pg::settings::max_rate_kb) * 1024;
    };
    pgclone::RateLimit rate(asked_rate(job.max_rate));
    options.limits.rate = &rate;
    options.every_second = [&rate, &asked_rate, &activity, id] {
        rate.set_rate(asked_rate(queue::max_rate(id)));
        if (!activity.empty())
            pg::call([&] { pgstat_report_activity(STATE_RUNNING, activity.c_str()); });
    };
    if (job.schema_create) {
        options.run_tool = [&waiter](const pgclone::ToolRun &run) { return pg::run_tool(run, waiter); };
        options.tool_version = PG_VERSION_NUM;
        options.scratch_dir = pg::scratch_dir();
    }
    pgclone::CloneReport report = pgclone::run_clone(job, options, waiter);
    return {queue::Ended::Done, report.summary(), "", report};
}

Outcome run(int64_t id, pgclone::CommitRecord *record) {
    bool per_table = false;
    try {
        auto claimed = queue::begin_clone(id);
        if (!claimed)
            return {};  // the launcher's claim did not commit: nothing to do
        // A cancel that came before our pid was recorded could not signal us.
        if (claimed->cancel_requested)
            return {queue::Ended::Cancelled, "", cancelled_message};
        per_table = claimed->job.commit_per_table;
        for (int attempt = 1;; attempt++) {
            std::string started = queue::now_text();
            try {
                pgclone::CloneJob job = claimed->job;
                // commit => 'table': a retry goes on with the tables not yet committed.
                if (attempt > 1 && job.commit_per_table)
                    job.done_here = queue::committed_tables(id);
                Outcome outcome = run_job(id, job, record, claimed->superuser, attempt);
                if (attempt > 1)
                    outcome.summary += "; note: done at attempt " + std::to_string(attempt) + " of " +
                                       std::to_string(claimed->retries + 1);
                return outcome;
            } catch (const pgclone::Error &e) {
                if (attempt > claimed->retries || !worth_retrying(e) || shutdown_requested ||
                    queue::cancel_requested(id) || (record && queue::unresolved_transactions(id) > 0))
                    throw;
                queue::record_attempt(id, attempt, started, describe(e));
                long delay_ms = pgclone::resolve_backoff_ms(attempt);
                pg::log(LOG, "pg_clone: clone " + std::to_string(id) + " attempt " + std::to_string(attempt) +
                                 " failed (" + e.text() + "); trying again in " +
                                 std::to_string(delay_ms / 1000) + " s");
                pause_ms(delay_ms);
                if (shutdown_requested)
                    throw;
            }
        }
    } catch (const pgclone::Error &e) {
        // A shutdown also ends the remote sessions of this server: report the cause, not its echo.
        if (shutdown_requested)
            return {queue::Ended::Failed, "", per_table ? interrupted_per_table : interrupted_message};
        if (e.sqlstate() == pgclone::sqlstate::query_canceled && queue::cancel_requested(id))
            return {queue::Ended::Cancelled, "", per_table ? cancelled_per_table : cancelled_message};
        return {queue::Ended::Failed, "", describe(e), std::nullopt, e};
    }
}

// A recovery worker: finishes the commit round of a clone whose prepared transactions were left in
// doubt, from its recorded decision.
void resolve(int64_t id) {
    auto resolution = queue::begin_resolution(id);
    if (!resolution)
        return;
    const char *what = resolution->commit ? "commit" : "rollback";
    pg::log(LOG, "pg_clone: clone " + std::to_string(id) +
                     ": resolving its prepared transactions (decision: " + what + ", attempt " +
                     std::to_string(resolution->attempts) + ")");
    pg::LatchWaiter waiter(&shutdown_requested);
    pgclone::ConnectDefaults defaults = local_defaults(id);
    std::string clone_sessions = defaults.application_name;
    defaults.application_name = "pg_clone recovery " + std::to_string(id);
    auto log = [id](const std::string &line) {
        pg::log(LOG, "pg_clone: clone " + std::to_string(id) + ": " + line);
    };
    // commit => 'table': the transactions of the units decided commit, then those never decided.
    pgclone::InDoubtOutcome outcome = pgclone::resolve_in_doubt(
        resolution->dbs, resolution->commit || resolution->per_table, clone_sessions, defaults, waiter, log);
    for (const std::string &gid : outcome.resolved)
        queue::record_resolved(gid, resolution->commit || resolution->per_table);
    if (resolution->per_table && !resolution->rollback_dbs.empty()) {
        pgclone::InDoubtOutcome undecided =
            pgclone::resolve_in_doubt(resolution->rollback_dbs, false, clone_sessions, defaults, waiter, log);
        for (const std::string &gid : undecided.resolved)
            queue::record_resolved(gid, false);
        outcome.errors.insert(outcome.errors.end(), undecided.errors.begin(), undecided.errors.end());
    }
    if (outcome.errors.empty()) {
        if (resolution->per_table) {
            queue::finish_resolution(id, false, true);
            pg::log(LOG, "pg_clone: clone " + std::to_string(id) +
                             " failed: commit => 'table': the commit round of each table in doubt was finished");
            return;
        }
        queue::finish_resolution(id, resolution->commit);
        pg::log(LOG, "pg_clone: clone " + std::to_string(id) + (resolution->commit ? " done" : " failed") +
                         ": its prepared transactions were " +
                         (resolution->commit ? "committed" : "rolled back") + " on every target");
        return;
    }
    std::string errors;
    for (const auto &e : outcome.errors)
        errors += (errors.empty() ? "" : "; ") + e;
    queue::retry_resolution(id, resolution->attempts, errors);
    pg::log(LOG, "pg_clone: clone " + std::to_string(id) + ": prepared transactions still in doubt (" +
                     errors + "); next attempt in " +
                     std::to_string(pgclone::resolve_backoff_ms(resolution->attempts) / 1000) + " s");
}

void main_body(int64_t id) {
    bool two_phase = queue::has_1_2_catalog();
    WorkerRecord record(id);
    Outcome outcome;
    try {
        outcome = run(id, two_phase ? &record : nullptr);
    } catch (const pgclone::Error &e) {
        outcome = {queue::Ended::Failed, "", describe(e), std::nullopt, e};
    } catch (const std::exception &e) {
        outcome = {queue::Ended::Failed, "", std::string("internal error: ") + e.what()};
    }
    if (!outcome.status)
        return;
    // Prepared transactions left in doubt: the clone stays running until the recovery resolves them.
    if (two_phase && queue::unresolved_transactions(id) > 0) {
        queue::await_resolution(id, outcome.error, pgclone::resolve_backoff_ms(1));
        pg::log(LOG, "pg_clone: clone " + std::to_string(id) +
                         ": prepared transactions left for the recovery" +
                         (outcome.error.empty() ? "" : ": " + outcome.error));
        return;
    }
    queue::finish_clone(id, *outcome.status, outcome.summary, outcome.error,
                        outcome.report ? &*outcome.report : nullptr);
    std::string line = "pg_clone: clone " + std::to_string(id) + " " + queue::status_name(*outcome.status);
    if (outcome.failure) {
        // Where it happened as PostgreSQL reports it: a CONTEXT line.
        const pgclone::Error &e = *outcome.failure;
        pg::log(LOG, line + ": " + e.info().message, e.info().detail, e.info().hint, e.context());
        return;
    }
    line += *outcome.status == queue::Ended::Done ? ": " + outcome.summary : ": " + outcome.error;
    pg::log(LOG, line);
}

}  // namespace

void pg_clone_worker_main(Datum main_arg) {
    int64 id = DatumGetInt64(main_arg);
    pqsignal(SIGTERM, handle_sigterm);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(pg::settings::database, NULL, 0);
    {
        char name[64];
        snprintf(name, sizeof(name), "pg_clone clone " INT64_FORMAT, id);
        pgstat_report_appname(name);
    }

    // glibc keeps freed memory in its heaps, one per thread, and raises its mmap threshold as large
    // blocks are freed: the pump's chunks (256 kB, reused within a table, freed at its end) and libpq's
    // buffers would then pile up in the stream threads' heaps, far past the buffer's bound (100 MB
    // measured with 3 targets). Blocks of 128 kB or more are mapped and unmapped instead, and the
    // threads share at most two heaps.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_ARENA_MAX, 2);

    bool failed = false;
    char message[1024];
    try {
        if (MyBgworkerEntry->bgw_extra[0] == 'r')
            resolve(id);
        else
            main_body(id);
    } catch (const std::exception &e) {
        // Recording the outcome itself failed; the launcher marks the clone failed when we are gone.
        snprintf(message, sizeof(message), "%s", e.what());
        failed = true;
    }
    if (failed)
        ereport(LOG,
                (errmsg("pg_clone: clone " INT64_FORMAT " could not record its outcome: %s", id, message)));
    proc_exit(0);
}
