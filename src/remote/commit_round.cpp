// The commit round: every session of every target committed together, with two-phase commit where
// pg_clone.two_phase and the targets allow it, one session after another otherwise; or, on any failure
// before the decision, everything rolled back.
//
// Two-phase commit, in order: the global ids are recorded in the control database; every writing
// session runs PREPARE TRANSACTION; the decision "commit" is recorded (the commit point); every prepared
// transaction is committed. A crash at any instant leaves a recorded decision (or none, which means
// rollback) and recorded ids, from which the launcher's recovery finishes the round
// (prepared_recovery.hpp).

#include "remote/clone_run.hpp"

#include <algorithm>
#include <utility>

namespace pgclone {

void CloneRun::reached(const char *step) {
    if (options_.record)
        options_.record->reached(step);
}

// Decided before anything is emptied and before the streams open their sessions. Several sessions of
// one database commit as one only with two-phase commit: without it, every database is written
// through one session, so the clone runs in one stream and each database still commits all or
// nothing. With pg_clone.two_phase = on, a target server without a free prepared-transaction slot for
// each of the clone's sessions there fails the clone now.
void CloneRun::choose_commit() {
    size_t streams = stream_work_.size();
    TwoPhaseChoice choice;
    if (!options_.record) {
        if (options_.two_phase == TwoPhaseMode::On)
            throw Error(
                sqlstate::object_not_in_prerequisite_state,
                "pg_clone.two_phase is on, but the extension in the control database is older than 1.2", "",
                "Run ALTER EXTENSION pg_clone UPDATE in the control database.");
        choice.reason = "the extension in the control database is older than 1.2";
    } else {
        std::vector<PrepareCapacity> servers;
        std::vector<std::string> keys;
        for (size_t w : plan_.writers) {
            PrepareSlots slots = prepare_slots(writer(w));
            auto found = std::find(keys.begin(), keys.end(), slots.server);
            if (found == keys.end()) {
                keys.push_back(slots.server);
                servers.push_back({{}, 0, slots.max_prepared, slots.in_use});
                found = keys.end() - 1;
            }
            PrepareCapacity &server = servers[static_cast<size_t>(found - keys.begin())];
            server.dbs.push_back(job_.dbs[w].name);
            server.sessions += static_cast<int>(streams);
        }
        choice = choose_two_phase(options_.two_phase, servers);
        if (!choice.error.empty())
            throw Error(sqlstate::object_not_in_prerequisite_state, choice.error, "", choice.hint);
    }
    two_phase_ = choice.use;
    if (!two_phase_ && streams > 1) {
        notes_.push_back(one_session_note(options_.two_phase, choice, streams));
        join_streams("no two-phase commit" + (choice.reason.empty() ? std::string() : " (" + choice.reason + ")") +
                     ", so each target is written through one session");
    } else if (!choice.note.empty() && plan_.writers.size() > 1) {
        notes_.push_back(choice.note);
    }
}

// All the tables in one stream, whole, largest first: one session per database. reason: why no table
// is split any more (the summary's "not split" note).
void CloneRun::join_streams(const std::string &reason) {
    unsplit(reason);
    std::vector<size_t> all;
    for (size_t t = 0; t < tables_.size(); t++)
        all.push_back(t);
    std::stable_sort(all.begin(), all.end(), [&](size_t a, size_t b) {
        return source_estimates_[a].bytes > source_estimates_[b].bytes;
    });
    std::vector<Piece> pieces;
    for (size_t t : all)
        pieces.push_back({t, 0});
    set_stream_work({pieces});
}

void CloneRun::commit_all() {
    // Compared while the sources' snapshots are still open.
    verify_tables();
    // The sources' snapshots are no longer needed, and their locks could stand in the way of the
    // checks below when a source is also written to.
    for (StreamSessions &stream : streams_)
        for (size_t s : plan_.sources)
            stream.readers[s]->exec("COMMIT");
    build_postponed_indexes();
    for (size_t w : plan_.writers) {
        create_after_rows(w);  // schema => 'create': post-data, once the existing tables' indexes are built
        check_deferrable_constraints(w);
        check_outside_keys(w);
        set_sequences(w);
        for (size_t k = 0; k < streams_.size(); k++)
            writer(w, k).exec("SET CONSTRAINTS ALL IMMEDIATE");
    }
    analyze_tables();
    for (size_t w : plan_.writers)
        finish_created(w);
    reached("before_commit");
    // From here on a cancel would leave targets split: hold it back until the end.
    waiter_.set_interruptible(false);
    try {
        if (two_phase_)
            commit_two_phase();
        else
            commit_one_by_one();
    } catch (...) {
        waiter_.set_interruptible(true);
        throw;
    }
    waiter_.set_interruptible(true);
}

void CloneRun::commit_two_phase() {
    std::vector<PreparedXact> xacts;
    for (DbState &db : dbs_)
        db.gids.clear();
    int n = 0;
    for (size_t w : plan_.writers)
        for (size_t k = 0; k < streams_.size(); k++) {
            dbs_[w].gids.push_back(prepared_gid(job_.id, n++, options_.gid_tag));
            xacts.push_back({job_.dbs[w].name, dbs_[w].gids.back()});
        }
    options_.record->will_prepare(xacts);

    // Phase one: every session prepares. Any failure up to the recorded decision rolls back all.
    std::vector<std::pair<size_t, size_t>> prepared;
    try {
        for (size_t w : plan_.writers)
            for (size_t k = 0; k < streams_.size(); k++) {
                Connection &conn = writer(w, k);
                conn.exec("PREPARE TRANSACTION " + conn.quote_literal(dbs_[w].gids[k]));
                prepared.emplace_back(w, k);
            }
        reached("after_prepare");
        CloneReport outcome = report();
        options_.record->decide(true, &outcome);
    } catch (...) {
        roll_back_prepared(prepared);
        throw;
    }
    reached("after_decision");

    // Phase two: the decision is commit. A database that cannot be reached now is committed by the
    // launcher's recovery once it can.
    std::optional<Error> failure;
    std::vector<std::string> failed_dbs;
    bool first = true;
    for (auto [w, k] : prepared) {
        Connection &conn = writer(w, k);
        try {
            conn.exec("COMMIT PREPARED " + conn.quote_literal(dbs_[w].gids[k]));
        } catch (const Error &e) {
            if (!failure)
                failure = e;
            if (std::find(failed_dbs.begin(), failed_dbs.end(), job_.dbs[w].name) == failed_dbs.end())
                failed_dbs.push_back(job_.dbs[w].name);
            continue;
        }
        try {
            options_.record->resolved(dbs_[w].gids[k], true);
        } catch (const Error &) {
            // Recovery finds the transaction gone, which under a commit decision means committed.
        }
        if (first) {
            first = false;
            reached("after_first_commit");
        }
    }
    if (failure) {
        std::string names;
        for (const auto &db : failed_dbs)
            names += (names.empty() ? "" : ", ") + database_label(db);
        throw Error(failure->sqlstate().c_str(),
                    names + ": could not commit its prepared transactions (" + cause_of(*failure) +
                        "); the clone's decision is commit, and pg_clone commits them as soon as the "
                        "database can be reached (see bucardo.clone_in_doubt)");
    }
}

// Before the decision: records "rollback", then rolls back what was prepared. What cannot be rolled
// back now (a lost connection) stays recorded for the launcher's recovery.
void CloneRun::roll_back_prepared(const std::vector<std::pair<size_t, size_t>> &prepared) noexcept {
    try {
        options_.record->decide(false, nullptr);
    } catch (...) {
        return;  // no decision recorded means rollback to the recovery as well
    }
    for (size_t w : plan_.writers)
        for (size_t k = 0; k < streams_.size(); k++) {
            Connection &conn = writer(w, k);
            const std::string &gid = dbs_[w].gids[k];
            bool was_prepared =
                std::find(prepared.begin(), prepared.end(), std::make_pair(w, k)) != prepared.end();
            try {
                if (was_prepared)
                    conn.exec("ROLLBACK PREPARED " + conn.quote_literal(gid));
                else if (PQstatus(conn.raw()) != CONNECTION_OK)
                    continue;  // its PREPARE may have been carried out: for the recovery to see
                // A session that answered never prepared: abort_all rolls its transaction back.
                options_.record->resolved(gid, false);
            } catch (...) {
            }
        }
}

// Without two-phase commit, database after database, each through its one session (choose_commit), so
// that each commits all or nothing. A COMMIT that gets no answer is asked about from a new session;
// when the round is cut, the error says which databases committed, which rolled back, and which were
// sent a COMMIT whose outcome nobody could tell.
void CloneRun::commit_one_by_one() {
    std::vector<std::string> xids(job_.dbs.size());
    for (size_t w : plan_.writers)
        xids[w] = PQgetvalue(writer(w).exec("SELECT pg_catalog.txid_current()::pg_catalog.text").get(), 0, 0);
    if (options_.record)
        options_.record->commit_round_begins();
    for (size_t i = 0; i < plan_.writers.size(); i++) {
        size_t w = plan_.writers[i];
        Connection &conn = writer(w);
        try {
            conn.exec("COMMIT");
        } catch (const Error &e) {
            CommitState state =
                PQstatus(conn.raw()) == CONNECTION_OK ? CommitState::RolledBack : commit_outcome(w, xids[w]);
            if (state == CommitState::Committed) {
                notes_.push_back(database_label(job_.dbs[w].name) + " lost its session during COMMIT (" +
                                 cause_of(e) + "); a new session found the transaction committed");
            } else {
                if (i == 0 && state == CommitState::RolledBack)
                    throw;  // nothing committed anywhere: every target is unchanged
                std::vector<DbCommitState> states;
                for (size_t j = 0; j < plan_.writers.size(); j++)
                    states.push_back({job_.dbs[plan_.writers[j]].name, j < i    ? CommitState::Committed
                                                                       : j == i ? state
                                                                                : CommitState::RolledBack});
                throw Error(e.sqlstate().c_str(), cut_commit_message(job_.dbs[w].name, cause_of(e), states));
            }
        }
        if (options_.record)
            options_.record->committed(job_.dbs[w].name,
                                       prepared_gid(job_.id, static_cast<int>(i), options_.gid_tag));
        if (i == 0)
            reached("after_first_commit");
    }
}

// Whether the transaction xid of database w committed, asked from a new session once the COMMIT's own
// session was lost. Its backend may still be ending: asked again for a few seconds while in progress.
CommitState CloneRun::commit_outcome(size_t w, const std::string &xid) { return commit_outcome(w, xid, waiter_); }

CommitState CloneRun::commit_outcome(size_t w, const std::string &xid, Waiter &waiter) {
    try {
        Connection conn = open(w, waiter);
        for (int attempt = 0; attempt < 50; attempt++) {
            Result result = conn.exec("SELECT pg_catalog.txid_status($1::pg_catalog.int8)", {xid});
            std::string status = PQgetisnull(result.get(), 0, 0) ? "" : PQgetvalue(result.get(), 0, 0);
            if (status == "committed")
                return CommitState::Committed;
            if (status == "aborted")
                return CommitState::RolledBack;
            if (status != "in progress")
                break;
            waiter.wait({}, 100);
        }
    } catch (const Error &) {
    }
    return CommitState::Unknown;
}

void CloneRun::abort_all() noexcept {
    waiter_.set_interruptible(false);
    for (StreamSessions &stream : streams_)
        for (auto *sessions : {&stream.writers, &stream.readers})
            for (auto &conn : *sessions)
                if (conn)
                    conn->rollback_quietly(std::chrono::seconds(5));
    waiter_.set_interruptible(true);
    streams_.clear();
}

}  // namespace pgclone
