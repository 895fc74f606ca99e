#include "catalog.hpp"

#include <algorithm>
#include <string>

#include "core/parse.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"

namespace catalog {

namespace {

int64_t to_int64(const pg::Value &value) { return value ? std::stoll(*value) : 0; }

}  // namespace

bool extension_exists() {
    bool exists = false;
    pg::transaction([&] {
        auto rows = pg::query("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_clone'");
        exists = !rows.empty();
    });
    return exists;
}

int fail_orphaned_clones(bool after_restart) {
    int count = 0;
    // A worker shows in pg_stat_activity before it records its pid; one that never recorded it
    // within a minute of being started never ran.
    pg::transaction([&] {
        auto rows = pg::query(
            "UPDATE bucardo.clone c SET status = 'failed', ended = clock_timestamp(),"
            "       error = CASE WHEN $1::boolean"
            "               THEN 'the clone was interrupted by a server restart; its targets were left unchanged'"
            "               ELSE 'the clone worker exited unexpectedly; its targets were left unchanged' END"
            " WHERE c.status = 'running'"
            "   AND CASE WHEN c.worker_pid IS NULL"
            "            THEN $1::boolean OR c.started < clock_timestamp() - interval '1 minute'"
            "            ELSE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a"
            "                              WHERE a.pid = c.worker_pid AND a.backend_type = 'pg_clone worker')"
            "       END"
            " RETURNING c.id",
            {after_restart ? "true" : "false"});
        count = static_cast<int>(rows.size());
    });
    return count;
}

int running_clones() {
    int count = 0;
    pg::transaction([&] {
        auto rows = pg::query("SELECT count(*) FROM bucardo.clone WHERE status = 'running'");
        count = static_cast<int>(to_int64(rows.at(0).at(0)));
    });
    return count;
}

int claim_due_clones(int limit, const std::function<bool(int64_t)> &start_worker) {
    int started = 0;
    pg::transaction([&] {
        auto due = pg::query(
            "SELECT id FROM bucardo.clone WHERE status = 'queued' AND startwhen <= clock_timestamp()"
            " ORDER BY startwhen, id LIMIT $1::int FOR UPDATE SKIP LOCKED",
            {std::to_string(limit)});
        for (const auto &row : due) {
            int64_t id = to_int64(row.at(0));
            // The worker waits for this transaction's row lock, so it sees the row as running.
            if (!start_worker(id))
                break;
            pg::query("UPDATE bucardo.clone SET status = 'running', started = clock_timestamp(), worker_pid = NULL"
                      " WHERE id = $1::bigint",
                      {std::to_string(id)});
            started++;
        }
    });
    return started;
}

std::optional<long> next_due_in_ms() {
    std::optional<long> result;
    pg::transaction([&] {
        auto rows = pg::query(
            "SELECT ceil(extract(epoch FROM min(startwhen) - clock_timestamp()) * 1000)::bigint"
            "  FROM bucardo.clone WHERE status = 'queued'");
        // NULL when nothing is queued; negative when a clone is overdue.
        if (!rows.empty() && rows[0][0])
            result = std::max(0L, static_cast<long>(to_int64(rows[0][0])));
    });
    return result;
}

void fail_if_running(int64_t id, const std::string &error) {
    pg::transaction([&] {
        pg::query("UPDATE bucardo.clone SET status = 'failed', ended = clock_timestamp(), error = $2"
                  " WHERE id = $1::bigint AND status = 'running'",
                  {std::to_string(id), error});
    });
}

std::optional<ClaimedClone> begin_clone(int64_t id) {
    std::optional<ClaimedClone> claimed;
    pg::transaction([&] {
        // Waits for the launcher's claim to commit: a plain UPDATE ... WHERE status = 'running' could
        // still see the row as queued, and match nothing.
        auto row = pg::query("SELECT status, cancel_requested FROM bucardo.clone WHERE id = $1::bigint FOR UPDATE",
                             {std::to_string(id)});
        if (row.empty() || row[0].at(0) != pg::Value("running"))
            return;
        auto clone = pg::query(
            "UPDATE bucardo.clone SET worker_pid = pg_catalog.pg_backend_pid() WHERE id = $1::bigint"
            // streams is read through jsonb: a 1.0 installation, not yet updated, has no such column.
            " RETURNING relgroup, dbgroup, empty_only, pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'streams'",
            {std::to_string(id)});
        claimed.emplace();
        claimed->cancel_requested = row[0].at(1) == pg::Value("t");
        pgclone::CloneJob *job = &claimed->job;
        job->id = id;
        job->empty_only = clone[0].at(2) == pg::Value("t");
        int asked = clone[0].at(3) ? std::stoi(*clone[0].at(3)) : 0;
        job->streams = std::max(1, asked > 0 ? std::min(asked, pg::settings::max_streams) : pg::settings::max_streams);
        auto tables = pg::query(
            "SELECT schemaname, tablename FROM bucardo.relmap WHERE relgroup = $1 ORDER BY position",
            {clone[0].at(0)});
        for (const auto &t : tables)
            job->tables.push_back(pgclone::TableName{t.at(0), t.at(1).value_or("")});
        auto dbs = pg::query(
            "SELECT m.db, d.conninfo, m.role FROM bucardo.dbmap m JOIN bucardo.db d ON d.name = m.db"
            " WHERE m.dbgroup = $1 ORDER BY m.position",
            {clone[0].at(1)});
        for (const auto &d : dbs)
            job->dbs.push_back(pgclone::DbSpec{d.at(0).value_or(""), d.at(1).value_or(""),
                                               d.at(2) == pg::Value("source") ? pgclone::DbRole::Source
                                                                              : pgclone::DbRole::Target});
    });
    return claimed;
}

bool cancel_requested(int64_t id) {
    bool requested = false;
    pg::transaction([&] {
        // clone_cancel() signals the worker before its transaction commits, holding the row's lock:
        // FOR SHARE waits for that commit, and then reads the flag it set.
        auto rows = pg::query("SELECT cancel_requested FROM bucardo.clone WHERE id = $1::bigint FOR SHARE",
                              {std::to_string(id)});
        requested = !rows.empty() && rows[0].at(0) == pg::Value("t");
    });
    return requested;
}

void finish_clone(int64_t id, const std::string &status, const std::string &summary, const std::string &error,
                  const pgclone::CloneReport *report) {
    pg::transaction([&] {
        // A 1.0 installation, not yet updated, has no bucardo.clone_table.
        bool has_table = !pg::query("SELECT 1 WHERE pg_catalog.to_regclass('bucardo.clone_table') IS NOT NULL").empty();
        if (report && has_table) {
            for (const pgclone::WriterOutcome &writer : report->writers)
                for (const pgclone::TableOutcome &t : writer.tables)
                    pg::query("INSERT INTO bucardo.clone_table (clone_id, db, table_name, rows, bytes, seconds, format,"
                              " emptied, skipped) VALUES ($1::bigint, $2, $3, $4::bigint, $5::bigint,"
                              " round($6::numeric, 3), NULLIF($7, ''), $8, $9::boolean)",
                              {std::to_string(id), writer.db, t.table, std::to_string(t.rows), std::to_string(t.bytes),
                               std::to_string(t.seconds), t.format, t.emptied, t.skipped ? "true" : "false"});
        }
        pg::query("UPDATE bucardo.clone SET status = $2, ended = clock_timestamp(), summary = NULLIF($3, ''),"
                  "       error = NULLIF($4, '') WHERE id = $1::bigint",
                  {std::to_string(id), status, summary, error});
    });
}

}  // namespace catalog
