#include "clone_queue.hpp"

#include <algorithm>
#include <string>

#include "core/parse.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"

namespace queue {

namespace {

int64_t to_int64(const pg::Value &value) { return value ? std::stoll(*value) : 0; }

// Whether the installed extension has this relation (an installation not yet updated has not). Inside a
// transaction.
bool has_relation(const char *name) {
    return !pg::query("SELECT 1 WHERE pg_catalog.to_regclass($1) IS NOT NULL", {std::string(name)}).empty();
}

// Version 1.2 or later: two-phase commit, filters, verify, grants and mappings came together.
bool is_1_2() { return has_relation("bucardo.clone_transaction"); }

void insert_report(int64_t id, const pgclone::CloneReport &report) {
    bool v12 = is_1_2();
    for (const pgclone::WriterOutcome &writer : report.writers)
        for (const pgclone::TableOutcome &t : writer.tables) {
            std::vector<pg::Value> params = {std::to_string(id),
                                             writer.db,
                                             t.table,
                                             std::to_string(t.rows),
                                             std::to_string(t.bytes),
                                             std::to_string(t.seconds),
                                             t.format,
                                             t.emptied,
                                             t.skipped ? "true" : "false"};
            if (v12) {
                params.push_back(t.verified ? pg::Value(*t.verified ? "true" : "false") : std::nullopt);
                pg::query(
                    "INSERT INTO bucardo.clone_table (clone_id, db, table_name, rows, bytes, seconds, format,"
                    " emptied, skipped, verified) VALUES ($1::bigint, $2, $3, $4::bigint, $5::bigint,"
                    " round($6::numeric, 3), NULLIF($7, ''), $8, $9::boolean, $10::boolean)",
                    params);
            } else {
                pg::query(
                    "INSERT INTO bucardo.clone_table (clone_id, db, table_name, rows, bytes, seconds, format,"
                    " emptied, skipped) VALUES ($1::bigint, $2, $3, $4::bigint, $5::bigint,"
                    " round($6::numeric, 3), NULLIF($7, ''), $8, $9::boolean)",
                    params);
            }
        }
}

}  // namespace

bool extension_exists() {
    bool exists = false;
    pg::transaction([&] {
        auto rows = pg::query("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_clone'");
        exists = !rows.empty();
    });
    return exists;
}

bool has_1_2_catalog() {
    bool has = false;
    pg::transaction([&] { has = is_1_2(); });
    return has;
}

Orphans handle_orphaned_clones(bool after_restart, bool two_phase) {
    Orphans orphans;
    std::string restart = after_restart ? "true" : "false";
    // A worker shows in pg_stat_activity before it records its pid; one that never recorded it
    // within a minute of being started never ran.
    std::string orphaned =
        " c.status = 'running'"
        " AND CASE WHEN c.worker_pid IS NULL"
        "          THEN $1::boolean OR " +
        std::string(two_phase ? "greatest(c.started, c.resolve_started)" : "c.started") +
        "               < clock_timestamp() - interval '1 minute'"
        "          ELSE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a"
        "                            WHERE a.pid = c.worker_pid AND a.backend_type = 'pg_clone worker')"
        "     END";
    pg::transaction([&] {
        if (two_phase) {
            // Cut in its two-phase commit round: the recovery finishes it from the recorded decision.
            auto rows = pg::query(
                "UPDATE bucardo.clone c SET resolve_at = clock_timestamp(), worker_pid = NULL,"
                "       error = coalesce(c.error, CASE WHEN $1::boolean"
                "           THEN 'the clone was interrupted by a server restart in its commit round'"
                "           ELSE 'the clone worker exited unexpectedly in its commit round' END)"
                " WHERE c.resolve_at IS NULL AND" +
                    orphaned +
                    "   AND EXISTS (SELECT 1 FROM bucardo.clone_transaction t"
                    "                WHERE t.clone_id = c.id AND t.state IN ('preparing', 'prepared'))"
                    " RETURNING c.id",
                {restart});
            orphans.to_resolve = static_cast<int>(rows.size());
        }
        // Without two-phase commit, a round cut by the worker's end leaves each database whole, and the
        // databases it committed recorded.
        std::string cut_round = two_phase ? R"(WHEN c.two_phase IS FALSE AND c.decision = 'commit'
                THEN 'the clone was interrupted during its commit round, without two-phase commit. Committed: '
                     || coalesce((SELECT string_agg(t.db, ', ' ORDER BY t.gid) FROM bucardo.clone_transaction t
                                   WHERE t.clone_id = c.id), 'none')
                     || '. Every other target database holds all its old rows, or all its new ones if its '
                     || 'COMMIT was under way; run the clone again')"
                                          : "";
        // commit => 'table' (1.4; read through jsonb): the tables recorded as committed stay.
        std::string per_table = !two_phase ? std::string() : R"(WHEN pg_catalog.to_jsonb(c.*) OPERATOR(pg_catalog.->>) 'commit' = 'table'
                THEN CASE WHEN $1::boolean THEN 'the clone was interrupted by a server restart'
                          ELSE 'the clone worker exited unexpectedly' END
                     || '; commit => ''table'': committed: '
                     || coalesce((SELECT string_agg(DISTINCT t.table_name, ', ') FROM bucardo.clone_table t
                                   WHERE t.clone_id = c.id), 'none')
                     || ' (bucardo.clone_table); every other table was left unchanged, or holds its new rows'
                     || ' on a target whose COMMIT was under way; bucardo.clone_resume() copies them' )";
        auto rows = pg::query(R"(UPDATE bucardo.clone c SET status = 'failed', ended = clock_timestamp(),
                   error = CASE )" + per_table +
                                  cut_round + R"(
                           WHEN $1::boolean
                           THEN 'the clone was interrupted by a server restart; its targets were left unchanged'
                           ELSE 'the clone worker exited unexpectedly; its targets were left unchanged' END
             WHERE)" + orphaned + (two_phase ? " AND c.resolve_at IS NULL" : "") +
                                  " RETURNING c.id",
                              {restart});
        orphans.failed = static_cast<int>(rows.size());
    });
    return orphans;
}

int running_clones(bool two_phase) {
    int count = 0;
    pg::transaction([&] {
        // A clone waiting for its next recovery attempt holds no worker.
        auto rows = pg::query(std::string("SELECT count(*) FROM bucardo.clone WHERE status = 'running'") +
                              (two_phase ? " AND resolve_at IS NULL" : ""));
        count = static_cast<int>(to_int64(rows.at(0).at(0)));
    });
    return count;
}

namespace {

// Claims up to `limit` rows that `due` selects (ids, locked FOR UPDATE SKIP LOCKED), starting a worker for
// each and marking it with `claim` until start_worker fails. The worker waits for this transaction's row
// lock, so it sees the row as claimed.
int claim(const char *due, const char *claim_sql, int limit,
          const std::function<bool(int64_t)> &start_worker) {
    int started = 0;
    pg::transaction([&] {
        for (const auto &row : pg::query(due, {std::to_string(limit)})) {
            int64_t id = to_int64(row.at(0));
            if (!start_worker(id))
                break;
            pg::query(claim_sql, {std::to_string(id)});
            started++;
        }
    });
    return started;
}

}  // namespace

int claim_due_clones(int limit, const std::function<bool(int64_t)> &start_worker) {
    return claim(
        "SELECT id FROM bucardo.clone WHERE status = 'queued' AND startwhen <= clock_timestamp()"
        " ORDER BY startwhen, id LIMIT $1::int FOR UPDATE SKIP LOCKED",
        "UPDATE bucardo.clone SET status = 'running', started = clock_timestamp(), worker_pid = NULL"
        " WHERE id = $1::bigint",
        limit, start_worker);
}

int claim_due_resolutions(int limit, const std::function<bool(int64_t)> &start_worker) {
    return claim(
        "SELECT id FROM bucardo.clone WHERE status = 'running' AND resolve_at <= clock_timestamp()"
        " ORDER BY resolve_at, id LIMIT $1::int FOR UPDATE SKIP LOCKED",
        "UPDATE bucardo.clone SET resolve_at = NULL, resolve_started = clock_timestamp(),"
        " worker_pid = NULL WHERE id = $1::bigint",
        limit, start_worker);
}

std::optional<long> next_due_in_ms(bool two_phase) {
    std::optional<long> result;
    pg::transaction([&] {
        auto rows = pg::query(
            std::string("SELECT ceil(extract(epoch FROM min(due) - clock_timestamp()) * 1000)::bigint FROM ("
                        " SELECT startwhen AS due FROM bucardo.clone WHERE status = 'queued' AND "
                        "isfinite(startwhen)") +
            (two_phase ? " UNION ALL SELECT resolve_at FROM bucardo.clone WHERE status = 'running'" : "") +
            ") AS d");
        // NULL when nothing is queued; negative when a clone is overdue.
        if (!rows.empty() && rows[0][0])
            result = std::max(0L, static_cast<long>(to_int64(rows[0][0])));
    });
    return result;
}

std::optional<ClaimedClone> begin_clone(int64_t id) {
    std::optional<ClaimedClone> claimed;
    pg::transaction([&] {
        // Waits for the launcher's claim to commit: a plain UPDATE ... WHERE status = 'running' could
        // still see the row as queued, and match nothing.
        auto row =
            pg::query("SELECT status, cancel_requested FROM bucardo.clone WHERE id = $1::bigint FOR UPDATE",
                      {std::to_string(id)});
        if (row.empty() || row[0].at(0) != pg::Value("running"))
            return;
        auto clone = pg::query(
            "UPDATE bucardo.clone SET worker_pid = pg_catalog.pg_backend_pid() WHERE id = $1::bigint"
            // Read through jsonb: an installation not yet updated has no such columns (streams came in 1.1,
            // sequences and analyze in 1.2).
            " RETURNING relgroup, dbgroup, empty_only, pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) "
            "'streams',"
            "           pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'sequences',"
            "           pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'analyze',"
            "           pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'retries',"
            "           pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'verify',"
            "           pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'empty',"
            "           pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'max_rate',"
            "           pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'schema',"
            "           pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'commit',"
            "           pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'resumes'",
            {std::to_string(id)});
        claimed.emplace();
        claimed->cancel_requested = row[0].at(1) == pg::Value("t");
        pgclone::CloneJob *job = &claimed->job;
        job->id = id;
        job->empty_only = clone[0].at(2) == pg::Value("t");
        int asked = clone[0].at(3) ? std::stoi(*clone[0].at(3)) : 0;
        claimed->retries = clone[0].at(6) ? std::stoi(*clone[0].at(6)) : 0;
        job->sequences = clone[0].at(4) != pg::Value("false");
        job->analyze = clone[0].at(5) != pg::Value("false");
        job->verify = clone[0].at(7) == pg::Value("true");
        job->empty_delete = clone[0].at(8) == pg::Value("delete");
        if (clone[0].at(9))
            job->max_rate = std::stoll(*clone[0].at(9));
        // With 1.4: schema, target_names, commit, resumes.
        job->schema_create = clone[0].at(10) == pg::Value("create");
        job->commit_per_table = clone[0].at(11) == pg::Value("table");
        if (clone[0].at(12)) {
            job->resumes = std::stoll(*clone[0].at(12));
            // What the clones it resumes committed, back along the chain of resumed clones.
            auto done = pg::query(
                "WITH RECURSIVE chain(id) AS ("
                "  SELECT $1::bigint"
                "  UNION SELECT c.resumes FROM bucardo.clone c JOIN chain ON c.id = chain.id"
                "   WHERE c.resumes IS NOT NULL)"
                " SELECT DISTINCT t.table_name, t.db FROM bucardo.clone_table t"
                "  WHERE t.clone_id IN (SELECT chain.id FROM chain) ORDER BY 1, 2",
                {*clone[0].at(12)});
            for (const auto &d : done)
                job->done_before.emplace_back(d.at(0).value_or(""), d.at(1).value_or(""));
        }
        auto names = pg::query(
            "SELECT n.key, n.value FROM bucardo.clone c,"
            " pg_catalog.jsonb_each_text(pg_catalog.to_jsonb(c.*) OPERATOR(pg_catalog.->) 'target_names') n"
            " WHERE c.id = $1::bigint AND pg_catalog.jsonb_typeof(pg_catalog.to_jsonb(c.*) OPERATOR(pg_catalog.->)"
            " 'target_names') = 'object' ORDER BY n.key",
            {std::to_string(id)});
        for (const auto &n : names)
            job->target_names.emplace_back(n.at(0).value_or(""), n.at(1).value_or(""));
        job->streams =
            std::max(1, asked > 0 ? std::min(asked, pg::settings::max_streams) : pg::settings::max_streams);
        // With 1.2: each table's row filter, the clone's (by the table's name as written in the list)
        // before the relgroup's.
        bool v12 = is_1_2();
        auto tables = pg::query(v12 ? "SELECT m.schemaname, m.tablename, COALESCE("
                                      "  (SELECT f.value OPERATOR(pg_catalog.#>>) '{}' FROM bucardo.clone c,"
                                      "          pg_catalog.jsonb_each(c.filters) f"
                                      "    WHERE c.id = $2::bigint AND bucardo._relmap_position(m.relgroup, "
                                      "f.key) = m.position), m.filter)"
                                      " FROM bucardo.relmap m WHERE m.relgroup = $1 ORDER BY m.position"
                                    : "SELECT schemaname, tablename, NULL FROM bucardo.relmap WHERE relgroup "
                                      "= $1 AND $2 IS NOT NULL"
                                      " ORDER BY position",
                                {clone[0].at(0), std::to_string(id)});
        for (const auto &t : tables) {
            job->tables.push_back(pgclone::TableName{t.at(0), t.at(1).value_or("")});
            job->filters.push_back(t.at(2).value_or(""));
        }
        if (v12) {
            // Grants are checked again now (one may have been revoked since the request).
            auto who = pg::query(
                "SELECT r.rolsuper, bucardo._check_clone_grants(c.dbgroup, c.requested_by) IS NULL"
                "  FROM bucardo.clone c LEFT JOIN pg_catalog.pg_roles r ON r.rolname = c.requested_by"
                " WHERE c.id = $1::bigint",
                {std::to_string(id)});
            claimed->superuser = who.at(0).at(0) == pg::Value("t");
        }
        // With 1.2: the requester's own credentials for each database, if they mapped some.
        auto dbs =
            pg::query(v12 ? "SELECT m.db, d.conninfo, m.role, mp.remote_user, mp.password"
                            "  FROM bucardo.dbmap m JOIN bucardo.db d ON d.name = m.db"
                            "  JOIN bucardo.clone c ON c.id = $2::bigint"
                            "  LEFT JOIN bucardo.db_mapping mp ON mp.db = m.db AND mp.role = c.requested_by"
                            " WHERE m.dbgroup = $1 ORDER BY m.position"
                          : "SELECT m.db, d.conninfo, m.role, NULL, NULL FROM bucardo.dbmap m"
                            "  JOIN bucardo.db d ON d.name = m.db WHERE m.dbgroup = $1 AND $2 IS NOT NULL"
                            " ORDER BY m.position",
                      {clone[0].at(1), std::to_string(id)});
        for (const auto &d : dbs) {
            pgclone::DbSpec spec{d.at(0).value_or(""), d.at(1).value_or(""),
                                 d.at(2) == pg::Value("source") ? pgclone::DbRole::Source
                                                                : pgclone::DbRole::Target};
            spec.login_user = d.at(3).value_or("");
            spec.login_password = d.at(4).value_or("");
            job->dbs.push_back(std::move(spec));
        }
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

std::optional<int64_t> max_rate(int64_t id) {
    std::optional<int64_t> rate;
    pg::transaction([&] {
        // Through jsonb, as begin_clone reads it: the column came in 1.3.
        auto rows = pg::query(
            "SELECT pg_catalog.to_jsonb(clone.*) OPERATOR(pg_catalog.->>) 'max_rate'"
            " FROM bucardo.clone WHERE id = $1::bigint",
            {std::to_string(id)});
        if (!rows.empty() && rows[0].at(0))
            rate = std::stoll(*rows[0].at(0));
    });
    return rate;
}

const char *status_name(Ended ended) {
    switch (ended) {
    case Ended::Done:
        return "done";
    case Ended::Failed:
        return "failed";
    case Ended::Cancelled:
        return "cancelled";
    }
    return "failed";
}

void finish_clone(int64_t id, Ended ended, const std::string &summary, const std::string &error,
                  const pgclone::CloneReport *report) {
    std::string status = status_name(ended);
    pg::transaction([&] {
        // A 1.0 installation, not yet updated, has no bucardo.clone_table.
        bool has_table = has_relation("bucardo.clone_table");
        // A two-phase commit recorded them with its decision.
        if (report && has_table &&
            pg::query("SELECT 1 FROM bucardo.clone_table WHERE clone_id = $1::bigint LIMIT 1",
                      {std::to_string(id)})
                .empty())
            insert_report(id, *report);
        pg::query(
            "UPDATE bucardo.clone SET status = $2, ended = clock_timestamp(), summary = NULLIF($3, ''),"
            "       error = NULLIF($4, '') WHERE id = $1::bigint",
            {std::to_string(id), status, summary, error});
    });
}

std::string gid_tag() {
    std::string tag;
    pg::transaction([&] {
        auto rows = pg::query(
            "SELECT s.system_identifier::text || '_' || d.oid::text FROM pg_catalog.pg_control_system() s,"
            " pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()");
        tag = rows.at(0).at(0).value_or("");
    });
    return tag;
}

void record_prepares(int64_t id, const std::vector<pgclone::PreparedXact> &xacts) {
    pg::transaction([&] {
        pg::query("UPDATE bucardo.clone SET two_phase = true WHERE id = $1::bigint", {std::to_string(id)});
        for (const pgclone::PreparedXact &x : xacts)
            pg::query("INSERT INTO bucardo.clone_transaction (gid, clone_id, db) VALUES ($1, $2::bigint, $3)",
                      {x.gid, std::to_string(id), x.db});
    });
}

void record_decision(int64_t id, bool commit, const pgclone::CloneReport *report) {
    pg::transaction([&] {
        // Only one decision, ever: a recovery that decided rollback wins over a late worker.
        auto rows = pg::query(
            "UPDATE bucardo.clone SET decision = $2, summary = CASE WHEN $2 = 'commit' THEN NULLIF($3, '') "
            "END"
            " WHERE id = $1::bigint AND decision IS NULL RETURNING id",
            {std::to_string(id), commit ? "commit" : "rollback", report ? report->summary() : ""});
        if (rows.empty())
            throw pgclone::Error(pgclone::sqlstate::object_not_in_prerequisite_state,
                                 "clone " + std::to_string(id) + " already has a decision");
        if (commit) {
            pg::query("UPDATE bucardo.clone_transaction SET state = 'prepared' WHERE clone_id = $1::bigint",
                      {std::to_string(id)});
            if (report)
                insert_report(id, *report);
        }
    });
}

void record_tables_committed(int64_t id, const std::vector<std::string> &gids, const pgclone::CloneReport &report) {
    pg::transaction([&] {
        for (const std::string &gid : gids) {
            // A recovery that rolled it back wins over a late worker.
            auto rows = pg::query(
                "UPDATE bucardo.clone_transaction SET state = 'prepared'"
                " WHERE gid = $1 AND clone_id = $2::bigint AND state = 'preparing' RETURNING gid",
                {gid, std::to_string(id)});
            if (rows.empty())
                throw pgclone::Error(pgclone::sqlstate::object_not_in_prerequisite_state,
                                     "prepared transaction " + gid + " of clone " + std::to_string(id) +
                                         " is no longer awaiting its decision");
        }
        insert_report(id, report);
    });
}

std::vector<std::pair<std::string, std::string>> committed_tables(int64_t id) {
    std::vector<std::pair<std::string, std::string>> done;
    pg::transaction([&] {
        for (const auto &row :
             pg::query("SELECT table_name, db FROM bucardo.clone_table WHERE clone_id = $1::bigint ORDER BY 1, 2",
                       {std::to_string(id)}))
            done.emplace_back(row.at(0).value_or(""), row.at(1).value_or(""));
    });
    return done;
}

void record_resolved(const std::string &gid, bool committed) {
    pg::transaction([&] {
        pg::query("UPDATE bucardo.clone_transaction SET state = $2 WHERE gid = $1",
                  {gid, committed ? "committed" : "rolled back"});
    });
}

// Without two-phase commit the round records each database it committed, under the id it would have
// prepared: a worker that exits in the round leaves the list of what it committed.
void record_committed(int64_t id, const std::string &db, const std::string &gid) {
    pg::transaction([&] {
        pg::query(
            "INSERT INTO bucardo.clone_transaction (gid, clone_id, db, state)"
            " VALUES ($1, $2::bigint, $3, 'committed')",
            {gid, std::to_string(id), db});
    });
}

void record_commit_round(int64_t id) {
    pg::transaction([&] {
        pg::query("UPDATE bucardo.clone SET two_phase = false, decision = 'commit' WHERE id = $1::bigint",
                  {std::to_string(id)});
    });
}

int unresolved_transactions(int64_t id) {
    int count = 0;
    pg::transaction([&] {
        auto rows = pg::query(
            "SELECT count(*) FROM bucardo.clone_transaction"
            " WHERE clone_id = $1::bigint AND state IN ('preparing', 'prepared')",
            {std::to_string(id)});
        count = static_cast<int>(to_int64(rows.at(0).at(0)));
    });
    return count;
}

void await_resolution(int64_t id, const std::string &error, long delay_ms) {
    pg::transaction([&] {
        pg::query(
            "UPDATE bucardo.clone SET resolve_at = clock_timestamp() + $3::bigint * interval '1 ms',"
            "       worker_pid = NULL, error = coalesce(NULLIF($2, ''), error) WHERE id = $1::bigint",
            {std::to_string(id), error, std::to_string(delay_ms)});
    });
}

std::optional<Resolution> begin_resolution(int64_t id) {
    std::optional<Resolution> resolution;
    pg::transaction([&] {
        // By id only: the lock waits for the launcher's claim to commit, and the row is then read as
        // the claim left it (a condition on resolve_at would be checked against the row before the claim).
        auto row = pg::query(
            "SELECT decision, resolve_attempts, status = 'running' AND resolve_at IS NULL"
            " FROM bucardo.clone WHERE id = $1::bigint FOR UPDATE",
            {std::to_string(id)});
        if (row.empty() || row[0].at(2) != pg::Value("t"))
            return;
        // No decision was recorded: the clone never reached its commit point, and never will.
        pg::query(
            "UPDATE bucardo.clone SET decision = coalesce(decision, 'rollback'),"
            "       resolve_attempts = resolve_attempts + 1, worker_pid = pg_catalog.pg_backend_pid()"
            " WHERE id = $1::bigint",
            {std::to_string(id)});
        resolution.emplace();
        resolution->commit = row[0].at(0) == pg::Value("commit");
        resolution->attempts = static_cast<int>(to_int64(row[0].at(1))) + 1;
        // Through jsonb: the column came in 1.4.
        resolution->per_table =
            !pg::query("SELECT 1 FROM bucardo.clone c WHERE c.id = $1::bigint"
                       " AND pg_catalog.to_jsonb(c.*) OPERATOR(pg_catalog.->>) 'commit' = 'table'",
                       {std::to_string(id)})
                 .empty();
        auto xacts = pg::query(
            "SELECT t.db, d.conninfo, t.gid, t.state FROM bucardo.clone_transaction t"
            "  LEFT JOIN bucardo.db d ON d.name = t.db"
            " WHERE t.clone_id = $1::bigint AND t.state IN ('preparing', 'prepared') ORDER BY t.db, t.gid",
            {std::to_string(id)});
        for (const auto &x : xacts) {
            std::string db = x.at(0).value_or("");
            auto &dbs = resolution->per_table && x.at(3) != pg::Value("prepared") ? resolution->rollback_dbs
                                                                                  : resolution->dbs;
            if (dbs.empty() || dbs.back().name != db)
                dbs.push_back({db, x.at(1).value_or(""), {}});
            dbs.back().gids.push_back(x.at(2).value_or(""));
        }
    });
    return resolution;
}

void finish_resolution(int64_t id, bool commit, bool per_table) {
    pg::transaction([&] {
        if (per_table)
            pg::query(
                "UPDATE bucardo.clone SET status = 'failed', ended = clock_timestamp(), resolve_error = NULL,"
                "       summary = NULL,"
                "       error = coalesce(error, 'the clone was interrupted')"
                "               || '; commit => ''table'': the recovery finished the commit round of each table "
                "in doubt. Committed: ' || coalesce((SELECT string_agg(DISTINCT t.table_name, ', ')"
                "                FROM bucardo.clone_table t WHERE t.clone_id = $1::bigint), 'none')"
                "               || '. bucardo.clone_resume() copies the others'"
                " WHERE id = $1::bigint",
                {std::to_string(id)});
        else if (commit)
            pg::query(
                "UPDATE bucardo.clone SET status = 'done', ended = clock_timestamp(), error = NULL,"
                "       resolve_error = NULL,"
                "       summary = concat_ws('; ', summary, 'note: the commit round was finished by recovery"
                " (' || resolve_attempts || CASE WHEN resolve_attempts = 1 THEN ' attempt)' ELSE ' "
                "attempts)' END)"
                " WHERE id = $1::bigint",
                {std::to_string(id)});
        else
            pg::query(
                "UPDATE bucardo.clone SET status = 'failed', ended = clock_timestamp(), resolve_error = NULL,"
                "       summary = NULL,"
                "       error = coalesce(error, 'the clone was interrupted in its commit round')"
                "               || '; its prepared transactions were rolled back on every target, which "
                "are unchanged'"
                " WHERE id = $1::bigint",
                {std::to_string(id)});
    });
}

void retry_resolution(int64_t id, int attempts, const std::string &error) {
    pg::transaction([&] {
        pg::query(
            "UPDATE bucardo.clone SET resolve_at = clock_timestamp() + $2::bigint * interval '1 ms',"
            "       resolve_error = $3, worker_pid = NULL WHERE id = $1::bigint",
            {std::to_string(id), std::to_string(pgclone::resolve_backoff_ms(attempts)), error});
    });
}

void record_attempt(int64_t id, int attempt, const std::string &started, const std::string &error) {
    pg::transaction([&] {
        pg::query(
            "INSERT INTO bucardo.clone_attempt (clone_id, attempt, started, ended, error)"
            " VALUES ($1::bigint, $2::int, $3::timestamptz, clock_timestamp(), $4)",
            {std::to_string(id), std::to_string(attempt), started, error});
    });
}

std::string now_text() {
    std::string now;
    pg::transaction([&] { now = pg::query("SELECT clock_timestamp()::text").at(0).at(0).value_or(""); });
    return now;
}

}  // namespace queue
