// The copy: every stream copies its tables in a thread of its own, each table from every source into
// every other database that takes rows, pipelined so that the source starts a table while the targets
// finish the one before.

#include "remote/clone_run.hpp"

#include <utility>

#include "remote/stream_pool.hpp"

namespace pgclone {

// Every stream copies its tables in a thread of its own; this thread watches for cancel and
// shutdown, and tells what is being copied.
void CloneRun::copy_all() {
    copying_.assign(streams_.size(), {});
    post_copy_in_streams_ = post_copy_fits_streams();
    streams_busy_.store(streams_.size());
    PumpLimits limits = options_.limits;
    // The memory bound is the clone's, not each stream's.
    limits.max_buffered = std::max(limits.max_buffered / streams_.size(), 2 * limits.chunk_size);
    auto work = [&](size_t k, Waiter &waiter) {
        each_session_of(k, [&](Connection &conn) { conn.set_waiter(waiter); });
        if (job_.commit_per_table) {
            copy_units(k, waiter, limits);  // table_commit.cpp
            return;
        }
        std::optional<PendingCopy> pending;
        for (const Piece &piece : stream_work_[k]) {
            size_t t = piece.table;
            for (size_t s : plan_.sources) {
                std::vector<size_t> dests;
                for (size_t d : plan_.destinations(s))
                    if (!dbs_[d].tables[t].outcome.skipped)
                        dests.push_back(d);
                if (!dests.empty())
                    copy_table(k, piece, s, dests, limits, pending);
            }
        }
        finish_pending(pending);
        if (post_copy_in_streams_)
            finish_stream(k);  // post_copy_checks.cpp
        set_copying(k, "");
        streams_busy_--;
    };
    auto report_copying = [&] {
        relay_.serve();  // commit => 'table': the records the streams ask for
        std::vector<std::string> now;
        {
            std::lock_guard<std::mutex> lock(copying_mutex_);
            for (const std::string &what : copying_)
                if (!what.empty())
                    now.push_back(what);
        }
        if (!now.empty())
            phase("copying " + join(now, "; "));
        log_progress_now_and_then();
        if (options_.every_second)
            options_.every_second();
    };
    try {
        StreamPool::run(streams_.size(), work, waiter_, report_copying, relay_.wake_fd());
    } catch (...) {
        relay_.discard();
        each_session([&](Connection &conn) { conn.set_waiter(waiter_); });
        throw;
    }
    relay_.discard();
    each_session([&](Connection &conn) { conn.set_waiter(waiter_); });
}

void CloneRun::set_copying(size_t stream, std::string what) {
    std::lock_guard<std::mutex> lock(copying_mutex_);
    copying_[stream] = std::move(what);
}

namespace {

constexpr uint32_t interval_oid = 1186, interval_array_oid = 1187;
constexpr uint32_t tsquery_oid = 3615, tsquery_array_oid = 3645;

}  // namespace

// The server version of a database of the clone, from one of its sessions (0 when none is open).
int CloneRun::server_version(size_t db) const {
    for (const StreamSessions &stream : streams_)
        for (const auto *sessions : {&stream.readers, &stream.writers})
            if (db < sessions->size() && (*sessions)[db])
                return (*sessions)[db]->server_version();
    return 0;
}

// Binary where every column has the same built-in type everywhere, and the source can send it and
// every target receive it in binary (aclitem, and types made of it, cannot). Two built-in types go as
// text: interval from PostgreSQL 17 or later into an older server (binary COPY hands the older server
// an infinite interval's fields, which it takes as a finite interval of 178956970 years; its text
// input refuses 'infinity', and the clone fails), and tsquery (tsqueryrecv has refused what tsquerysend
// makes of an empty query).
bool CloneRun::binary_ok(size_t t, size_t s, const std::vector<size_t> &dests) const {
    const RemoteTable &source = s == plan_.sources.front() ? tables_[t] : dbs_[s].described[t];
    bool infinite_intervals = server_version(s) >= 170000;
    for (const Column &c : source.columns) {
        if (c.type_oid >= first_user_oid || !c.binary_send || c.type_oid == tsquery_oid ||
            c.type_oid == tsquery_array_oid)
            return false;
        bool interval = c.type_oid == interval_oid || c.type_oid == interval_array_oid;
        for (size_t d : dests) {
            const Column *other = find_column(dbs_[d].described[t], c.name);
            if (!other || other->type_oid != c.type_oid || !other->binary_receive)
                return false;
            if (interval && infinite_intervals && server_version(d) < 170000)
                return false;
        }
    }
    return true;
}

void CloneRun::finish_pending(std::optional<PendingCopy> &pending) {
    if (!pending)
        return;
    size_t t = pending->table;
    std::vector<int64_t> rows = finish_copy_in(pending->targets, tables_[t].label);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - pending->started).count();
    // A split table's slices finish in several streams: its rows add up, its time is its longest
    // slice's, and it is done when its last slice is.
    std::lock_guard<std::mutex> lock(outcome_mutex_);
    for (size_t i = 0; i < pending->dests.size(); i++) {
        size_t d = pending->dests[i];
        TableOutcome &outcome = dbs_[d].tables[t].outcome;
        outcome.rows += rows[i];
        outcome.seconds = is_split(t) ? std::max(outcome.seconds, seconds) : outcome.seconds + seconds;
        bool last = --slices_left_[t][d] == 0;
        if (ProgressSlot *slot = pending->slots[i]) {
            if (!is_split(t))
                slot->rows.store(rows[i]);  // the target's own count
            else if (last)
                slot->rows.store(outcome.rows);
            if (last || !is_split(t))
                slot->set_phase(ProgressPhase::Done);
        }
        if (slices_left_[t][d] == 0)  // several sources: one finish each
            slices_left_[t][d] = std::max<size_t>(1, slices_[t].size());
    }
    pending.reset();
}

// What a source's COPY reads: the table's own rows (a partitioned table: its partitions'), the row
// filter's only where there is one.
// A slice of a split table: its pages only (core/split.hpp), with the filter if any.
std::string CloneRun::source_query(Connection &conn, const RemoteTable &here, size_t t, size_t slice,
                                   const std::string &column_list) const {
    std::vector<std::string> conditions;
    if (is_split(t)) {
        std::string range = ctid_condition(slices_[t][slice]);
        if (!range.empty())
            conditions.push_back(range);
    }
    if (!table_filters_[t].empty())
        conditions.push_back("(" + table_filters_[t] + ")");
    if (!conditions.empty())
        return "(SELECT " + column_list + " FROM " + (here.relkind == 'p' ? "" : "ONLY ") +
               quoted(conn, here) + " WHERE " + join(conditions, " AND ") + ")";
    // A table without columns is copied without a column list: "()" is a syntax error.
    return here.relkind == 'p'   ? "(SELECT " + column_list + " FROM " + quoted(conn, here) + ")"
           : column_list.empty() ? quoted(conn, here)
                                 : quoted(conn, here) + " (" + column_list + ")";
}

// A table truncated in this transaction takes its rows frozen (FREEZE): all-visible and all-frozen from
// the commit on, so the target needs no VACUUM before index-only scans or against wraparound. PostgreSQL
// allows it only there, and never on a partitioned table (its partitions were truncated with it, but
// COPY routes rows to them from the parent). A split table is never truncated.
std::string CloneRun::copy_in_options(size_t d, size_t t, bool binary) const {
    bool freeze = options_.copy_freeze && plan_.truncates[d] && !dbs_[d].tables[t].empty_by_delete &&
                  dbs_[d].described[t].relkind == 'r' && !is_split(t);
    std::vector<std::string> options;
    if (binary)
        options.emplace_back("FORMAT binary");
    if (freeze)
        options.emplace_back("FREEZE");
    return options.empty() ? "" : " WITH (" + join(options, ", ") + ")";
}

// Runs in stream k's thread: only libpq and this stream's sessions. The source's COPY of this
// table is sent before the targets' results for the previous one are read, so that the source
// starts on it while they finish (a connection takes no new command before its COPY's result is
// read).
void CloneRun::copy_table(size_t k, const Piece &piece, size_t s, const std::vector<size_t> &dests,
                          const PumpLimits &limits, std::optional<PendingCopy> &pending) {
    size_t t = piece.table;
    const RemoteTable &table = tables_[t];
    Connection &source = reader(s, k);
    std::vector<std::string> columns;
    for (const Column &c : table.columns)
        columns.push_back(source.quote_ident(c.name));
    std::string column_list = join(columns, ", ");
    std::string format = binary_ok(t, s, dests) ? " WITH (FORMAT binary)" : "";

    std::vector<std::string> names;
    for (size_t d : dests)
        names.push_back(job_.dbs[d].name);
    std::string slice = is_split(t) ? " (slice " + std::to_string(piece.slice + 1) + " of " +
                                          std::to_string(slices_[t].size()) + ")"
                                    : std::string();
    set_copying(k, table.label + slice + " from " + job_.dbs[s].name + " into " + join(names, ", "));
    auto started = std::chrono::steady_clock::now();

    std::vector<Connection *> targets;
    const RemoteTable &here = s == plan_.sources.front() ? table : dbs_[s].described[t];
    std::string what = source_query(source, here, t, piece.slice, column_list);
    try {
        source.send_single("COPY " + what + " TO STDOUT" + format);
    } catch (Error &e) {
        e.on_table(table.label);
        throw;
    }
    finish_pending(pending);
    try {
        // One round trip for all: every session gets its COPY, then each is awaited.
        for (size_t d : dests) {
            Connection &conn = writer(d, k);
            conn.send_single("COPY " + quoted(conn, dbs_[d].described[t]) +
                             (column_list.empty() ? "" : " (" + column_list + ")") + " FROM STDIN" +
                             copy_in_options(d, t, !format.empty()));
            targets.push_back(&conn);
        }
        for (Connection *conn : targets)
            conn->await_copy();
        source.await_copy();
    } catch (Error &e) {
        e.on_table(table.label);
        throw;
    }
    std::vector<ProgressSlot *> slots;
    for (size_t d : dests) {
        ProgressSlot *slot = progress_[t][s][d];
        if (slot) {
            int64_t never = 0;  // a split table: when its first slice started
            slot->copy_started_us.compare_exchange_strong(never, now_us());
            std::lock_guard<std::mutex> lock(outcome_mutex_);
            if (static_cast<ProgressPhase>(slot->phase.load()) != ProgressPhase::Done)
                slot->set_phase(ProgressPhase::Copying);
        }
        slots.push_back(slot);
    }
    CopyCounts counts = pump_copy(source, targets, table.label, limits, slots, FinishTargets::Later);
    std::lock_guard<std::mutex> lock(outcome_mutex_);
    for (size_t i = 0; i < dests.size(); i++) {
        dbs_[dests[i]].tables[t].outcome.bytes += counts.target_bytes[i];
        // With several sources, text wins if any of them went as text.
        if (dbs_[dests[i]].tables[t].outcome.format != "text")
            dbs_[dests[i]].tables[t].outcome.format = format.empty() ? "text" : "binary";
    }
    pending = PendingCopy{t, piece.slice, dests, targets, slots, started};
}

// A line in the server log every options_.log_progress_interval_ms (pg_clone.log_progress_interval),
// for those who watch the log rather than bucardo.clone_progress.
void CloneRun::log_progress_now_and_then() {
    if (options_.log_progress_interval_ms <= 0 || !options_.log)
        return;
    auto now = std::chrono::steady_clock::now();
    if (last_progress_log_ == std::chrono::steady_clock::time_point{}) {
        last_progress_log_ = now;
        return;
    }
    if (now - last_progress_log_ < std::chrono::milliseconds(options_.log_progress_interval_ms))
        return;
    last_progress_log_ = now;
    int64_t rows = 0, bytes = 0;
    size_t done = 0, total = 0;
    for (const auto &per_source : progress_)
        for (const auto &per_target : per_source)
            for (ProgressSlot *slot : per_target)
                if (slot) {
                    total++;
                    rows += slot->rows.load();
                    bytes += slot->bytes.load();
                    auto phase = static_cast<ProgressPhase>(slot->phase.load());
                    done += phase == ProgressPhase::Done || phase == ProgressPhase::Skipped;
                }
    options_.log("progress: " + std::to_string(done) + " of " + std::to_string(total) +
                 " table copies done, " + std::to_string(rows) + " rows and " +
                 std::to_string(bytes / (1024 * 1024)) + " MB sent so far");
}

}  // namespace pgclone
