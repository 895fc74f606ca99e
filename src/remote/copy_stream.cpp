#include "remote/copy_stream.hpp"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "core/fanout.hpp"

namespace pgclone {

namespace {

int64_t command_rows(const Result &result) {
    const char *tuples = result ? PQcmdTuples(result.get()) : "";
    return tuples[0] ? std::strtoll(tuples, nullptr, 10) : 0;
}

Error in_table(Error error, const std::string &table_label) {
    error.on_table(table_label);
    return error;
}

struct TargetState {
    Connection *conn;
    ProgressSlot *progress = nullptr;
    bool blocked = false;  // libpq holds output that the socket did not take yet
    size_t offset = 0;     // bytes of the front chunk already handed to libpq
    int64_t bytes = 0;     // sent so far
};

bool readable(int socket) {
    pollfd p{socket, POLLIN, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

// During COPY FROM a target sends nothing but notices and, once a row failed, its error; after that it
// discards whatever it is sent. libpq would report the error only when the COPY ends, after the whole
// table was read and sent: so whatever a target sends is read now. A notice is counted by the
// connection's notice receiver; anything else is the error, which ending the COPY brings out.
void check_target_input(TargetState &target) {
    if (!readable(target.conn->socket()))
        return;
    PGconn *conn = target.conn->raw();
    uint64_t notices = target.conn->notices();
    if (!PQconsumeInput(conn))
        throw target.conn->error("could not receive data");
    PQisBusy(conn);  // parses the notices that came in
    if (target.conn->notices() != notices)
        return;
    // A message can come in two reads: give the rest a moment before calling it an error.
    pollfd p{target.conn->socket(), POLLIN, 0};
    if (poll(&p, 1, 10) > 0) {
        if (!PQconsumeInput(conn))
            throw target.conn->error("could not receive data");
        PQisBusy(conn);
        if (target.conn->notices() != notices)
            return;
    }
    while (PQputCopyEnd(conn, nullptr) == 0)
        target.conn->waiter().wait({{target.conn->socket(), true, true}}, 1000);
    target.conn->flush();
    target.conn->finish_command();  // throws the target's error
    throw Error(sqlstate::internal_error, "the target answered in the middle of a COPY, without an error")
        .in_database(target.conn->db_name());
}

// Chunks go to libpq in slices: its output buffer stays small, and a slow target that still takes
// bytes shows progress (for pg_clone.stall_timeout) long before a whole chunk is through.
constexpr size_t slice_size = 32 * 1024;

// Moves queued chunks into one target's connection until it is empty or its socket is full.
bool feed_target(FanOutBuffer &buffer, size_t index, TargetState &target) {
    bool progress = false;
    PGconn *conn = target.conn->raw();
    if (target.blocked) {
        check_target_input(target);
        int rc = PQflush(conn);
        if (rc < 0)
            throw target.conn->error("could not send data");
        if (rc == 1)
            return false;
        target.blocked = false;
    }
    while (buffer.has_data(index)) {
        // Before libpq can read the target's answer into its own buffer (it does when a send blocks),
        // where no public call can tell an error from nothing.
        check_target_input(target);
        std::string_view chunk = buffer.front(index);
        size_t size = std::min(slice_size, chunk.size() - target.offset);
        int rc = PQputCopyData(conn, chunk.data() + target.offset, static_cast<int>(size));
        if (rc < 0)
            throw target.conn->error("could not send COPY data");
        if (rc == 0) {
            target.blocked = true;
            break;
        }
        progress = true;
        target.offset += size;
        target.bytes += static_cast<int64_t>(size);
        if (target.offset == chunk.size()) {
            target.offset = 0;
            int64_t bytes = static_cast<int64_t>(chunk.size());
            int64_t rows = buffer.consume(index);
            if (target.progress)
                target.progress->add(rows, bytes);
        }
        rc = PQflush(conn);
        if (rc < 0)
            throw target.conn->error("could not send data");
        if (rc == 1) {
            target.blocked = true;
            break;
        }
    }
    return progress;
}

// Reads what the source has ready into the buffer. Returns true when the source's COPY has ended.
// Stops early, without want_read, when the rate's budget is spent.
bool drain_source(Connection &source, FanOutBuffer &buffer, RateLimit *rate, bool &progress,
                  bool &want_read) {
    PGconn *conn = source.raw();
    bool consumed = false;
    want_read = false;
    while (buffer.can_accept() && (!rate || rate->ms_until_ready() == 0)) {
        char *row = nullptr;
        int size = PQgetCopyData(conn, &row, 1);
        if (size > 0) {
            buffer.append(row, static_cast<size_t>(size));
            PQfreemem(row);
            if (rate)
                rate->take(size);
            progress = true;
            continue;
        }
        if (size == -1)
            return true;
        if (size == -2)
            throw source.error("could not read COPY data");
        // Nothing complete is buffered: read the socket once, then wait for it.
        if (consumed) {
            want_read = true;
            break;
        }
        if (!PQconsumeInput(conn))
            throw source.error("could not receive data");
        consumed = true;
    }
    return false;
}

}  // namespace

CopyCounts pump_copy(Connection &source, const std::vector<Connection *> &targets,
                     const std::string &table_label, const PumpLimits &limits,
                     const std::vector<ProgressSlot *> &progress, FinishTargets finish) {
    CopyCounts counts;
    try {
        FanOutBuffer buffer(targets.size(), limits.chunk_size, limits.max_buffered);
        std::vector<TargetState> states;
        for (size_t i = 0; i < targets.size(); i++)
            states.push_back(TargetState{targets[i], i < progress.size() ? progress[i] : nullptr});

        bool source_done = false;
        auto last_progress = std::chrono::steady_clock::now();
        auto next_check = last_progress;
        for (;;) {
            // A target's error is noticed within a few milliseconds.
            if (auto now = std::chrono::steady_clock::now(); now >= next_check) {
                for (TargetState &t : states)
                    check_target_input(t);
                next_check = now + std::chrono::milliseconds(5);
            }
            bool progress = false;
            bool want_read = false;
            long throttle_ms = 0;  // over max_rate: the source is not read until the bucket allows
            if (!source_done) {
                source_done = drain_source(source, buffer, limits.rate, progress, want_read);
                if (!source_done && limits.rate)
                    throttle_ms = limits.rate->ms_until_ready();
                // Seal what we have when the source ends, or stalls (or waits for the rate) while a
                // target has nothing to do.
                if (source_done || ((want_read || throttle_ms > 0) && buffer.any_consumer_idle()))
                    buffer.seal();
            }
            bool all_sent = true;
            for (size_t i = 0; i < states.size(); i++) {
                progress |= feed_target(buffer, i, states[i]);
                all_sent &= !buffer.has_data(i) && !states[i].blocked;
            }
            if (source_done && all_sent && buffer.open_bytes() == 0)
                break;
            auto now = std::chrono::steady_clock::now();
            if (progress) {
                last_progress = now;
                continue;
            }
            std::vector<SocketInterest> interests;
            const Connection *stalled = nullptr;  // who we wait for
            if (want_read && buffer.can_accept()) {
                interests.push_back({source.socket(), true, false});
                stalled = &source;
            }
            for (const TargetState &t : states)
                if (t.blocked) {
                    interests.push_back({t.conn->socket(), true, true});
                    stalled = stalled ? stalled : t.conn;
                }
            long timeout = interests.empty() ? 0 : -1;
            if (!interests.empty() && limits.stall_timeout_ms > 0) {
                long quiet = static_cast<long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(now - last_progress).count());
                if (quiet >= limits.stall_timeout_ms)
                    throw Error(sqlstate::connection_failure,
                                "no data moved for " + std::to_string(quiet / 1000) + " s (pg_clone.stall_timeout)",
                                "The server stopped answering without closing the connection.",
                                "Check that the server and the network are up; pg_clone.stall_timeout sets "
                                "how long a clone waits.")
                        .in_database(stalled->db_name());
                timeout = limits.stall_timeout_ms - quiet;
            }
            // Wakes up for the targets' checks above, too.
            if (!interests.empty())
                timeout = timeout < 0 ? 100 : std::min(timeout, 100L);
            if (throttle_ms > 0)
                timeout = timeout <= 0 ? std::min(throttle_ms, 100L) : std::min(timeout, throttle_ms);
            source.waiter().wait(interests, timeout);
            // Time spent waiting for the budget alone is ours, not a silent server's: it does not count
            // towards pg_clone.stall_timeout. A blocked target still does.
            if (throttle_ms > 0 && interests.empty())
                last_progress += std::chrono::steady_clock::now() - now;
        }

        counts.source_rows = command_rows(source.finish_command());
        for (TargetState &t : states) {
            int rc;
            while ((rc = PQputCopyEnd(t.conn->raw(), nullptr)) == 0)
                source.waiter().wait({{t.conn->socket(), true, true}}, -1);
            if (rc < 0)
                throw t.conn->error("could not end COPY");
            t.conn->flush();
        }
        for (const TargetState &t : states)
            counts.target_bytes.push_back(t.bytes);
    } catch (Error &error) {
        throw in_table(std::move(error), table_label);
    }
    if (finish == FinishTargets::Now)
        counts.target_rows = finish_copy_in(targets, table_label);
    return counts;
}

std::vector<int64_t> finish_copy_in(const std::vector<Connection *> &targets,
                                    const std::string &table_label) {
    std::vector<int64_t> rows;
    try {
        for (Connection *t : targets)
            rows.push_back(command_rows(t->finish_command()));
    } catch (Error &error) {
        throw in_table(std::move(error), table_label);
    }
    return rows;
}

}  // namespace pgclone
