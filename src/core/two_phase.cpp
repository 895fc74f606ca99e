#include "core/two_phase.hpp"

#include <algorithm>

namespace pgclone {

namespace {

std::string db_list(const std::vector<std::string> &dbs) {
    std::string out;
    for (const auto &db : dbs)
        out += (out.empty() ? "database \"" : ", \"") + db + "\"";
    if (dbs.size() > 1)
        out.replace(0, 8, "databases");
    return out;
}

}  // namespace

TwoPhaseChoice choose_two_phase(TwoPhaseMode mode, const std::vector<PrepareCapacity> &servers) {
    TwoPhaseChoice choice;
    if (mode == TwoPhaseMode::Off)
        return choice;
    int sessions = 0;
    for (const PrepareCapacity &server : servers)
        sessions += server.sessions;
    // One session commits all or nothing with one COMMIT.
    if (mode == TwoPhaseMode::Auto && sessions <= 1)
        return choice;
    for (const PrepareCapacity &server : servers) {
        int free = std::max(0, server.max_prepared - server.in_use);
        if (free >= server.sessions)
            continue;
        std::string why = db_list(server.dbs) + " cannot take the clone's " +
                          std::to_string(server.sessions) +
                          (server.sessions == 1 ? " prepared transaction" : " prepared transactions") +
                          ": max_prepared_transactions is " + std::to_string(server.max_prepared) +
                          (server.in_use > 0 ? " and " + std::to_string(server.in_use) + " are in use" : "");
        if (mode == TwoPhaseMode::On) {
            choice.error = "two-phase commit is not possible: " + why;
            choice.hint = "Set max_prepared_transactions to at least " +
                          std::to_string(server.in_use + server.sessions) +
                          " on that server (it takes a restart), or set pg_clone.two_phase to auto to "
                          "commit one session after another there.";
        } else {
            choice.reason = why;
            choice.note = "two-phase commit not used (" + why +
                          "); the target databases were committed one after another";
        }
        return choice;
    }
    choice.use = true;
    return choice;
}

std::string one_session_note(TwoPhaseMode mode, const TwoPhaseChoice &choice, size_t streams) {
    std::string why = mode == TwoPhaseMode::Off ? "two-phase commit off (pg_clone.two_phase)"
                      : choice.reason.empty()   ? "two-phase commit not available"
                                                : "two-phase commit not available (" + choice.reason + ")";
    return why + ": one session per target database, 1 stream instead of " + std::to_string(streams);
}

std::string prepared_gid(int64_t clone_id, int n, const std::string &tag) {
    return "pg_clone_" + std::to_string(clone_id) + "_" + std::to_string(n) + (tag.empty() ? "" : "_" + tag);
}

long resolve_backoff_ms(int attempt) {
    if (attempt < 1)
        attempt = 1;
    long ms = 1000L << std::min(attempt - 1, 6);
    return std::min(ms, 60000L);
}

std::string cut_commit_message(const std::string &db, const std::string &cause,
                               const std::vector<DbCommitState> &states) {
    std::vector<std::string> lists[3];
    for (const DbCommitState &s : states)
        lists[static_cast<int>(s.state)].push_back(s.db);
    auto show = [](const std::vector<std::string> &dbs) {
        std::string out;
        for (const auto &d : dbs)
            out += (out.empty() ? "" : ", ") + d;
        return out.empty() ? std::string("none") : out;
    };
    return "the commit round was cut at database \"" + db + "\": " + cause +
           ". Committed: " + show(lists[static_cast<int>(CommitState::Committed)]) +
           ". Rolled back: " + show(lists[static_cast<int>(CommitState::RolledBack)]) +
           ". Unknown (COMMIT sent, no answer): " + show(lists[static_cast<int>(CommitState::Unknown)]) + ".";
}

}  // namespace pgclone
