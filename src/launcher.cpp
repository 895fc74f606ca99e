// The launcher (Bucardo's MCP): one background worker per server. It LISTENs for new requests on
// the control database through a libpq connection (a LISTEN run inside a background worker would
// never be delivered to it), sleeps until the earliest start time, polls every pg_clone.naptime as
// a backstop, and starts one clone worker per due request, up to pg_clone.max_workers.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <libpq-fe.h>

#include "clone_queue.hpp"
#include "pg/settings.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_authid_d.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "postmaster/postmaster.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

PGDLLEXPORT void pg_clone_launcher_main(Datum main_arg);
PGDLLEXPORT void pg_clone_probe_main(Datum main_arg);
}

namespace {

constexpr const char *channel = "bucardo_clone_ready";

struct ConnDeleter {
    void operator()(PGconn *conn) const noexcept { PQfinish(conn); }
};

// The libpq connection that LISTENs on the control database. Set up step by step from the main loop
// so that it never blocks the launcher; when it cannot be made the launcher polls instead.
class Listener {
  public:
    int socket() const { return ready_ && conn_ ? PQsocket(conn_.get()) : PGINVALID_SOCKET; }
    int connecting_socket() const { return !ready_ && conn_ ? PQsocket(conn_.get()) : PGINVALID_SOCKET; }
    bool want_write() const { return poll_state_ == PGRES_POLLING_WRITING; }

    // Starts or advances the connection, or reads what arrived once LISTEN is in place.
    void step() {
        if (ready_) {
            consume();
            return;
        }
        auto now = std::chrono::steady_clock::now();
        if (!conn_) {
            if (now < retry_at_)
                return;
            start();
            return;
        }
        poll_state_ = PQconnectPoll(conn_.get());
        if (poll_state_ == PGRES_POLLING_FAILED) {
            fail(PQerrorMessage(conn_.get()));
        } else if (poll_state_ == PGRES_POLLING_OK) {
            listen();
        } else if (now > deadline_) {
            fail("timed out");
        }
    }

    void reset() {
        conn_.reset();
        ready_ = false;
    }

  private:
    // This server's own socket, the control database and the bootstrap superuser, as keyword arrays
    // (values are never spliced into a string). pg_clone.listen_conninfo, when set, is read by libpq as
    // a whole connection string and wins over them.
    struct ConnectParams {
        std::vector<std::string> keywords, values;
        void add(const char *keyword, std::string value) {
            keywords.emplace_back(keyword);
            values.push_back(std::move(value));
        }
    };

    ConnectParams connect_params() const {
        ConnectParams params;
        std::string dirs = Unix_socket_directories ? Unix_socket_directories : "";
        std::string host = dirs.substr(0, dirs.find(','));
        host.erase(0, host.find_first_not_of(' '));
        params.add("host", host.empty() ? "localhost" : host);
        params.add("port", std::to_string(PostPortNumber));
        params.add("user", superuser_);
        params.add("application_name", "pg_clone launcher");
        // Last: with expand_dbname, a connection string here overrides the keywords before it.
        bool own = pg::settings::listen_conninfo && pg::settings::listen_conninfo[0];
        params.add("dbname", own ? pg::settings::listen_conninfo : pg::settings::database);
        return params;
    }

    void start() {
        if (superuser_.empty()) {
            char *name = nullptr;
            pg::call([&] {
                StartTransactionCommand();
                name = pstrdup(GetUserNameFromId(BOOTSTRAP_SUPERUSERID, false));
                CommitTransactionCommand();
            });
            superuser_ = name;
        }
        ConnectParams params = connect_params();
        std::vector<const char *> keywords, values;
        for (size_t i = 0; i < params.keywords.size(); i++) {
            keywords.push_back(params.keywords[i].c_str());
            values.push_back(params.values[i].c_str());
        }
        keywords.push_back(nullptr);
        values.push_back(nullptr);
        conn_.reset(PQconnectStartParams(keywords.data(), values.data(), 1));
        deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(pg::settings::connect_timeout_s);
        poll_state_ = PGRES_POLLING_WRITING;
        if (!conn_ || PQstatus(conn_.get()) == CONNECTION_BAD)
            fail(conn_ ? PQerrorMessage(conn_.get()) : "out of memory");
    }

    void listen() {
        // The same secure search_path as every other session pg_clone opens.
        std::string sql =
            std::string("SELECT pg_catalog.set_config('search_path', '', false); LISTEN ") + channel;
        // A local LISTEN answers at once; run it blocking, then switch to non-blocking reads.
        std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn_.get(), sql.c_str()), &PQclear);
        if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
            fail(PQerrorMessage(conn_.get()));
            return;
        }
        PQsetnonblocking(conn_.get(), 1);
        ready_ = true;
        if (failures_ > 0)
            pg::log(LOG, "pg_clone launcher: listening for requests again");
        failures_ = 0;
    }

    void consume() {
        if (!PQconsumeInput(conn_.get())) {
            fail(PQerrorMessage(conn_.get()));
            return;
        }
        while (PGnotify *notify = PQnotifies(conn_.get()))
            PQfreemem(notify);
    }

    void fail(const char *why) {
        std::string reason = why ? why : "";
        while (!reason.empty() && reason.back() == '\n')
            reason.pop_back();
        reset();
        if (ShutdownRequestPending)
            return;  // our connection ended because the server is stopping
        if (failures_ == 0)
            pg::log(LOG, "pg_clone launcher: could not listen for requests on database \"" +
                             std::string(pg::settings::database) + "\": " + reason +
                             "; requests are picked up every pg_clone.naptime until this works");
        // Retry after naptime, then less and less often (up to 5 minutes): a refusing pg_hba.conf
        // would otherwise log a FATAL line at every try.
        long delay_s = static_cast<long>(pg::settings::naptime_s) << std::min(failures_, 8);
        retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(std::min(delay_s, 300L));
        failures_++;
    }

    std::unique_ptr<PGconn, ConnDeleter> conn_;
    bool ready_ = false;
    PostgresPollingStatusType poll_state_ = PGRES_POLLING_WRITING;
    std::chrono::steady_clock::time_point deadline_{};
    std::chrono::steady_clock::time_point retry_at_{};
    int failures_ = 0;
    std::string superuser_;
};

// A dynamic background worker of pg_clone's that reports to us (our latch is set when it stops).
BackgroundWorker dynamic_worker(const char *function, const char *type) {
    BackgroundWorker worker = {};
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_clone");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
    snprintf(worker.bgw_name, BGW_MAXLEN, "%s", type);
    snprintf(worker.bgw_type, BGW_MAXLEN, "%s", type);
    worker.bgw_notify_pid = MyProcPid;
    return worker;
}

// resolve: a recovery worker, for a clone's prepared transactions left in doubt.
bool start_worker(int64_t id, bool resolve = false) {
    bool started = false;
    pg::call([&] {
        BackgroundWorker worker = dynamic_worker("pg_clone_worker_main", "pg_clone worker");
        snprintf(worker.bgw_name, BGW_MAXLEN, "pg_clone worker for clone " INT64_FORMAT, (int64)id);
        worker.bgw_main_arg = Int64GetDatum(id);
        worker.bgw_extra[0] = resolve ? 'r' : 'c';
        started = RegisterDynamicBackgroundWorker(&worker, NULL);
    });
    return started;
}

// One pass: fail what crashed, start what is due. Returns how long to sleep, in milliseconds.
long launch_due_clones(bool &recovered) {
    long sleep_ms = pg::settings::naptime_s * 1000L;
    if (!queue::extension_exists())
        return sleep_ms;
    bool two_phase = queue::has_1_2_catalog();
    queue::Orphans orphans = queue::handle_orphaned_clones(!recovered, two_phase);
    if (orphans.failed > 0)
        pg::log(LOG, "pg_clone launcher: marked " + std::to_string(orphans.failed) +
                         " interrupted clone(s) as failed");
    if (orphans.to_resolve > 0)
        pg::log(LOG, "pg_clone launcher: " + std::to_string(orphans.to_resolve) +
                         " interrupted clone(s) have prepared transactions to resolve");
    recovered = true;
    int max_workers = pg::settings::effective_max_workers();
    int running = queue::running_clones(two_phase);
    if (running < max_workers) {
        bool out_of_slots = false;
        // Prepared transactions in doubt hold locks on the targets: they go first.
        if (two_phase)
            running += queue::claim_due_resolutions(max_workers - running, [&](int64_t id) {
                bool ok = start_worker(id, true);
                out_of_slots = !ok;
                return ok;
            });
        if (running < max_workers && !out_of_slots)
            running += queue::claim_due_clones(max_workers - running, [&](int64_t id) {
                bool ok = start_worker(id);
                out_of_slots = !ok;
                return ok;
            });
        // Said once until a worker starts again (every worker that stops wakes us up).
        static bool said_out_of_slots = false;
        if (out_of_slots) {
            if (!said_out_of_slots)
                pg::log(LOG, "pg_clone launcher: no background worker slot free (max_worker_processes); "
                             "due clones stay queued");
            said_out_of_slots = true;
            return std::min(sleep_ms, 1000L);
        }
        said_out_of_slots = false;
    }
    // A full house waits for a worker to stop (our latch) rather than for the start time.
    if (running < max_workers) {
        if (auto due = queue::next_due_in_ms(two_phase))
            sleep_ms = std::min(sleep_ms, std::max(*due, 1L));
    }
    return sleep_ms;
}

void launcher_loop() {
    Listener listener;
    bool recovered = false;
    while (!ShutdownRequestPending) {
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            pg::call([] { ProcessConfigFile(PGC_SIGHUP); });
            listener.reset();
        }
        listener.step();
        long sleep_ms;
        try {
            sleep_ms = launch_due_clones(recovered);
        } catch (const pgclone::Error &e) {
            pg::log(LOG, std::string("pg_clone launcher: ") + e.what());
            sleep_ms = pg::settings::naptime_s * 1000L;
        }
        int events = WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH;
        pgsocket sock = listener.socket();
        if (sock != PGINVALID_SOCKET) {
            events |= WL_SOCKET_READABLE;
        } else if ((sock = listener.connecting_socket()) != PGINVALID_SOCKET) {
            events |= listener.want_write() ? WL_SOCKET_WRITEABLE : WL_SOCKET_READABLE;
            sleep_ms = std::min(sleep_ms, 1000L);
        }
        pg::call([&] {
            (void)WaitLatchOrSocket(MyLatch, events, sock, sleep_ms, PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
            CHECK_FOR_INTERRUPTS();
        });
    }
}

}  // namespace

// The probe: a background worker connected to no database, which returns once pg_clone.database exists.
// Connecting to a database that does not exist is FATAL, and the postmaster would start the launcher
// again every 5 seconds, logging each time; the probe instead says so once, with a HINT, and looks again
// every pg_clone.naptime.
// Whether a database of that name exists: a scan of the shared catalog pg_database, the one catalog a
// process connected to no database can read (as the autovacuum launcher does).
static bool database_exists(const char *name) {
    bool found = false;
    StartTransactionCommand();
    Relation rel = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, NULL);
    HeapTuple tuple;
    while (!found && (tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
        found = strcmp(NameStr(((Form_pg_database)GETSTRUCT(tuple))->datname), name) == 0;
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    CommitTransactionCommand();
    return found;
}

void pg_clone_probe_main(Datum main_arg) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(NULL, NULL, 0);
    bool said = false;
    while (!ShutdownRequestPending) {
        if (database_exists(pg::settings::database))
            break;
        if (!said)
            ereport(LOG,
                    (errmsg("pg_clone: control database \"%s\" does not exist", pg::settings::database),
                     errhint("Create it and run CREATE EXTENSION pg_clone there, or set pg_clone.database to "
                             "the database where the extension is; pg_clone looks again every "
                             "pg_clone.naptime.")));
        said = true;
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                        pg::settings::naptime_s * 1000L, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
    }
    if (said && !ShutdownRequestPending)
        ereport(LOG, (errmsg("pg_clone: control database \"%s\" exists now", pg::settings::database)));
    proc_exit(0);
}

namespace {

// Waits, before connecting, until the control database exists (see pg_clone_probe_main).
void wait_for_control_database() {
    BackgroundWorker probe = dynamic_worker("pg_clone_probe_main", "pg_clone probe");
    BackgroundWorkerHandle *handle = nullptr;
    if (!RegisterDynamicBackgroundWorker(&probe, &handle))
        return;  // no slot: connect at once, as before
    (void)WaitForBackgroundWorkerShutdown(handle);
}

}  // namespace

void pg_clone_launcher_main(Datum main_arg) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
    BackgroundWorkerUnblockSignals();
    wait_for_control_database();
    if (ShutdownRequestPending)
        proc_exit(0);
    BackgroundWorkerInitializeConnection(pg::settings::database, NULL, 0);
    pgstat_report_appname("pg_clone launcher");

    bool failed = false;
    char message[1024];
    try {
        launcher_loop();
    } catch (const std::exception &e) {
        snprintf(message, sizeof(message), "%s", e.what());
        failed = true;
    }
    if (failed)
        ereport(LOG, (errmsg("pg_clone launcher: stopping after an error: %s", message)));
    // Exit code 1: the postmaster starts the launcher again after bgw_restart_time.
    proc_exit(1);
}
