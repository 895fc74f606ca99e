// clone(..., commit => 'table'): every unit of tables commits on every target as soon as its copy
// ends, like logical replication's table sync, so that a failure keeps what was committed and a resumed
// clone (bucardo.clone_resume) or a retry copies only the rest. A unit is one table, or the tables that a
// foreign key or inheritance links (table_links): they share a stream and commit together.
//
// In each stream's thread: the unit's tables are copied, then on every target session of the stream
// its post-copy steps run (verify, postponed indexes, deferrable constraints, foreign keys from outside,
// owned sequences, ANALYZE), then its commit round; the target sessions then begin a new transaction
// for the next unit, which is emptied there. The source sessions keep their snapshot transaction: every
// table still comes from one snapshot per source.
//
// The record (one bucardo.clone_table row per table and database) is written by the backend's thread
// (BackendRelay), never by a stream:
// - with two-phase commit: the global ids are recorded, every target session prepares, and the
//   decision for those ids is recorded with the rows in one transaction (the unit's commit point)
//   before the first COMMIT PREPARED. A worker that dies after it leaves them 'prepared', which the
//   recovery commits; before it, 'preparing', which the recovery rolls back.
// - without it (one session per database), database after database: COMMIT, then the rows of that
//   database. A COMMIT that gets no answer is asked about with txid_status. A worker that dies between
//   a COMMIT and its rows leaves the table unrecorded there: a resumed clone copies it again.
//
// Resuming: the tables the resumed clones (or this clone's earlier attempts) committed on every target
// database are left out before anything else is planned; a table done on some targets only is copied
// again to every target.

#include "remote/clone_run.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <utility>

namespace pgclone {

// After the sources' checks, before the streams are planned.
void CloneRun::leave_out_done_tables() {
    if (!job_.resumes && job_.done_here.empty())
        return;
    std::set<std::pair<std::string, std::string>> before(job_.done_before.begin(), job_.done_before.end());
    std::set<std::pair<std::string, std::string>> here(job_.done_here.begin(), job_.done_here.end());
    std::string by = job_.resumes ? "clone " + std::to_string(*job_.resumes) : std::string();
    std::vector<std::string> skipped_before, skipped_here, partly;
    std::vector<size_t> keep;
    for (size_t t = 0; t < tables_.size(); t++) {
        const std::string &label = tables_[t].label;
        size_t in_before = 0, in_here = 0, anywhere = 0;
        std::vector<std::string> on;
        for (size_t w : plan_.writers) {
            bool b = before.count({label, job_.dbs[w].name}) > 0;
            bool h = here.count({label, job_.dbs[w].name}) > 0;
            in_before += b;
            in_here += h;
            if (b || h) {
                anywhere++;
                on.push_back(job_.dbs[w].name);
            }
        }
        if (!plan_.writers.empty() && anywhere == plan_.writers.size()) {
            (in_here > 0 ? skipped_here : skipped_before).push_back(label);
            continue;
        }
        if (anywhere > 0)
            partly.push_back(label + " (done on " + join(on, ", ") + " only)");
        keep.push_back(t);
    }
    if (job_.resumes && skipped_before.empty() && skipped_here.empty())
        notes_.push_back("resumes " + by + ", which committed no table: every table is copied");
    if (!skipped_before.empty())
        notes_.push_back("resumes " + by + ": skipped as done by " + by + ": " + join(skipped_before, ", "));
    if (!skipped_here.empty())
        notes_.push_back("skipped as committed by an earlier attempt: " + join(skipped_here, ", "));
    if (!partly.empty())
        notes_.push_back("copied again to every target: " + join(partly, ", "));
    if (keep.size() == tables_.size())
        return;
    if (keep.empty() && !named_sequences_.empty()) {
        // The sequences named in the list are set in a unit of their own after every table's
        // (finish_table_mode): an attempt that ended between the two left them unset, and nothing
        // records them as done. They are set again, from the new snapshot.
        notes_.push_back("no table left to copy; sets the sequences named in the list: " +
                         join(named_sequence_labels(), ", "));
    } else if (keep.empty()) {
        notes_.push_back("nothing left to copy");
        nothing_left_ = true;
        return;
    } else {
        notes_.push_back("the other tables come from a new snapshot");
    }
    size_t all = tables_.size();
    auto pick = [&](auto &items) {
        std::remove_reference_t<decltype(items)> kept;
        for (size_t t : keep)
            kept.push_back(std::move(items[t]));
        items = std::move(kept);
    };
    pick(tables_);
    pick(table_filters_);
    for (DbState &db : dbs_)
        if (db.described.size() == all)
            pick(db.described);
}

// The units: linked tables together, in the stream's order (largest first), each unit's tables one
// after another.
void CloneRun::plan_units() {
    if (!job_.commit_per_table)
        return;
    std::vector<size_t> root(tables_.size());
    std::iota(root.begin(), root.end(), size_t{0});
    auto find = [&](size_t t) {
        while (root[t] != t)
            t = root[t] = root[root[t]];
        return t;
    };
    for (auto [a, b] : table_links_)
        if (a < root.size() && b < root.size())
            root[find(a)] = find(b);
    stream_units_.assign(stream_tables_.size(), {});
    for (size_t k = 0; k < stream_tables_.size(); k++) {
        std::map<size_t, size_t> unit_of;  // root -> index in stream_units_[k]
        for (size_t t : stream_tables_[k]) {
            auto [at, added] = unit_of.emplace(find(t), stream_units_[k].size());
            if (added)
                stream_units_[k].emplace_back();
            stream_units_[k][at->second].push_back(t);
        }
        stream_tables_[k].clear();
        for (const auto &unit : stream_units_[k]) {
            stream_tables_[k].insert(stream_tables_[k].end(), unit.begin(), unit.end());
            if (unit.size() > 1) {
                std::vector<std::string> labels;
                for (size_t t : unit)
                    labels.push_back(tables_[t].label);
                notes_.push_back("committed together, as a foreign key or inheritance links them: " +
                                 join(labels, ", "));
            }
        }
    }
    committed_on_.assign(tables_.size(), {});
    next_gid_ = options_.gid_base;
}

// Stream k's thread.
void CloneRun::copy_units(size_t k, Waiter &waiter, const PumpLimits &limits) {
    std::optional<PendingCopy> pending;
    const auto &units = stream_units_[k];
    for (size_t u = 0; u < units.size(); u++) {
        if (u > 0)
            begin_unit(k, units[u]);
        for (size_t t : units[u])
            for (size_t s : plan_.sources) {
                std::vector<size_t> dests;
                for (size_t d : plan_.destinations(s))
                    if (!dbs_[d].tables[t].outcome.skipped)
                        dests.push_back(d);
                if (!dests.empty())
                    copy_table(k, Piece{t, 0}, s, dests, limits, pending);  // never split in table mode
            }
        finish_pending(pending);
        finish_unit(k, units[u], waiter);
    }
    set_copying(k, "");
}

// The next unit's transaction on every target session of the stream: its tables locked (the lock of
// the clone's first transaction went with the previous commit) and emptied.
void CloneRun::begin_unit(size_t k, const std::vector<size_t> &unit) {
    for (size_t w : plan_.writers) {
        Connection &conn = writer(w, k);
        conn.exec("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");
        std::vector<std::string> names;
        for (size_t t : unit)
            names.push_back(target_name(conn, w, t));
        try {
            conn.exec("LOCK TABLE " + join(names, ", ") + " IN " + lock_mode(w) + " MODE");
            if (plan_.truncates[w]) {
                std::string sql = emptying_script(conn, w, unit);
                if (!sql.empty())
                    conn.exec_script(sql);
            } else if (job_.empty_only) {
                // Looked at again now that it is locked again.
                for (size_t t : unit) {
                    Result r = conn.exec("SELECT EXISTS (SELECT FROM " + target_name(conn, w, t) + ")");
                    dbs_[w].tables[t].outcome.skipped = PQgetvalue(r.get(), 0, 0)[0] == 't';
                }
            }
        } catch (Error &e) {
            e.in_database(job_.dbs[w].name);
            if (unit.size() == 1)
                e.on_table(tables_[unit.front()].label);
            throw;
        }
    }
}

// After the unit's copy: its post-copy steps, then its commit round.
void CloneRun::finish_unit(size_t k, const std::vector<size_t> &unit, Waiter &waiter) {
    std::vector<std::string> labels;
    for (size_t t : unit)
        labels.push_back(tables_[t].label);
    if (!unit.empty())
        set_copying(k, "committing " + join(labels, ", "));
    if (job_.verify)
        for (size_t t : unit)
            verify_round({{k, t}});
    for (size_t w : plan_.writers) {
        build_postponed_indexes(w, k, unit, streams_.size() == 1 && plan_.writers.size() == 1);
        check_deferrable_constraints(w, k, unit);
        check_outside_keys(w, k, unit);
        set_sequences(w, k, unit, unit.empty());
        writer(w, k).exec("SET CONSTRAINTS ALL IMMEDIATE");
    }
    if (job_.analyze)
        analyze_tables(k, unit);  // post_copy_checks.cpp
    if (two_phase_)
        commit_unit_two_phase(k, unit, waiter);
    else
        commit_unit_one_by_one(k, unit, waiter);
}

CloneReport CloneRun::unit_report(const std::vector<size_t> &unit, const std::vector<size_t> &writers) const {
    CloneReport report;
    for (size_t w : writers) {
        WriterOutcome outcome;
        outcome.db = job_.dbs[w].name;
        for (size_t t : unit)
            outcome.tables.push_back(table_outcome(w, t));
        report.writers.push_back(std::move(outcome));
    }
    return report;
}

// Recorded ids, PREPARE everywhere, the decision with the rows (the unit's commit point), COMMIT
// PREPARED everywhere. See the top of this file for what a crash leaves.
void CloneRun::commit_unit_two_phase(size_t k, const std::vector<size_t> &unit, Waiter &waiter) {
    std::vector<std::string> gids(job_.dbs.size());
    std::vector<std::string> all;
    std::vector<PreparedXact> xacts;
    for (size_t w : plan_.writers) {
        gids[w] = prepared_gid(job_.id, next_gid_++, options_.gid_tag);
        all.push_back(gids[w]);
        xacts.push_back({job_.dbs[w].name, gids[w]});
    }
    relay_.call([&] { options_.record->will_prepare(xacts); }, waiter);
    std::vector<size_t> prepared;
    try {
        for (size_t w : plan_.writers) {
            Connection &conn = writer(w, k);
            conn.exec("PREPARE TRANSACTION " + conn.quote_literal(gids[w]));
            prepared.push_back(w);
        }
        relay_.call([&] { reached("table_after_prepare"); }, waiter);
        CloneReport done = unit_report(unit, plan_.writers);
        relay_.call([&] { options_.record->tables_committed(all, done); }, waiter);
    } catch (...) {
        // No decision recorded (relay_.call says so): roll back what answers; what does not stays
        // 'preparing', which the recovery rolls back.
        for (size_t w : plan_.writers) {
            Connection &conn = writer(w, k);
            try {
                if (std::find(prepared.begin(), prepared.end(), w) != prepared.end())
                    conn.exec("ROLLBACK PREPARED " + conn.quote_literal(gids[w]));
                else if (PQstatus(conn.raw()) != CONNECTION_OK)
                    continue;
                relay_.call([&] { options_.record->resolved(gids[w], false); }, waiter);
            } catch (...) {
            }
        }
        throw;
    }
    {
        std::lock_guard<std::mutex> lock(unit_mutex_);
        for (size_t t : unit)
            for (size_t w : plan_.writers)
                committed_on_[t].insert(w);
    }
    relay_.call([&] { reached("table_after_decision"); }, waiter);
    std::optional<Error> failure;
    std::vector<std::string> failed_dbs;
    for (size_t w : prepared) {
        Connection &conn = writer(w, k);
        try {
            conn.exec("COMMIT PREPARED " + conn.quote_literal(gids[w]));
        } catch (const Error &e) {
            if (!failure)
                failure = e;
            failed_dbs.push_back(database_label(job_.dbs[w].name));
            continue;
        }
        try {
            relay_.call([&] { options_.record->resolved(gids[w], true); }, waiter);
        } catch (const Error &) {
            // The recovery finds it gone, which under a commit decision means committed.
        }
    }
    if (failure) {
        std::vector<std::string> labels;
        for (size_t t : unit)
            labels.push_back(tables_[t].label);
        throw Error(failure->sqlstate().c_str(),
                    join(failed_dbs, ", ") + ": could not commit the prepared transaction of " +
                        join(labels, ", ") + " (" + cause_of(*failure) +
                        "); its decision is commit, and pg_clone commits it as soon as the database can be "
                        "reached (see bucardo.clone_in_doubt)");
    }
}

// Without two-phase commit (one stream, one session per database): database after database.
void CloneRun::commit_unit_one_by_one(size_t k, const std::vector<size_t> &unit, Waiter &waiter) {
    std::vector<std::string> labels;
    for (size_t t : unit)
        labels.push_back(tables_[t].label);
    std::vector<std::string> done;
    for (size_t w : plan_.writers) {
        Connection &conn = writer(w, k);
        std::string xid =
            PQgetvalue(conn.exec("SELECT pg_catalog.txid_current()::pg_catalog.text").get(), 0, 0);
        try {
            conn.exec("COMMIT");
        } catch (const Error &e) {
            CommitState state =
                PQstatus(conn.raw()) == CONNECTION_OK ? CommitState::RolledBack : commit_outcome(w, xid, waiter);
            if (state != CommitState::Committed) {
                std::string what = labels.empty() ? std::string("the sequences") : join(labels, ", ");
                throw Error(e.sqlstate().c_str(),
                            database_label(job_.dbs[w].name) + ": the commit of " + what + " failed (" +
                                cause_of(e) + "); " +
                                (state == CommitState::Unknown ? "whether it committed there is unknown"
                                                               : "it was rolled back there") +
                                (done.empty() ? std::string() : "; it committed on " + join(done, ", ")))
                    .in_database(job_.dbs[w].name);
            }
            std::lock_guard<std::mutex> lock(unit_mutex_);
            notes_.push_back(database_label(job_.dbs[w].name) + " lost its session during the COMMIT of " +
                             join(labels, ", ") + " (" + cause_of(e) +
                             "); a new session found the transaction committed");
        }
        done.push_back(database_label(job_.dbs[w].name));
        {
            std::lock_guard<std::mutex> lock(unit_mutex_);
            for (size_t t : unit)
                committed_on_[t].insert(w);
        }
        if (options_.record && !unit.empty()) {
            CloneReport here = unit_report(unit, {w});
            relay_.call([&] { options_.record->tables_committed({}, here); }, waiter);
        }
    }
}

// After every stream: the snapshots end, the sessions left in a transaction with nothing to commit roll
// it back, and the sequences named in the table list are set in a last unit of their own.
void CloneRun::finish_table_mode() {
    reached("before_commit");  // every unit committed (pg_clone.test_pause_at may hold the clone here)
    for (StreamSessions &stream : streams_)
        for (size_t s : plan_.sources)
            stream.readers[s]->exec("COMMIT");
    bool named = false;
    for (const SequencePlan &plan : sequences_)
        named |= !plan.table && !plan.value.type.empty();
    for (size_t k = 0; k < streams_.size(); k++)
        for (size_t w : plan_.writers) {
            Connection &conn = writer(w, k);
            if (PQtransactionStatus(conn.raw()) != PQTRANS_IDLE)
                conn.exec("ROLLBACK");
        }
    if (!named)
        return;
    for (size_t w : plan_.writers)
        writer(w).exec("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");
    waiter_.set_interruptible(false);
    try {
        finish_unit(0, {}, waiter_);
    } catch (...) {
        waiter_.set_interruptible(true);
        throw;
    }
    waiter_.set_interruptible(true);
    named_sequences_set_ = true;
}

std::vector<std::string> CloneRun::named_sequence_labels() const {
    std::vector<std::string> labels;
    for (const RemoteTable &sequence : named_sequences_)
        labels.push_back(sequence.label);
    return labels;
}

// The clone's error, with which tables committed and which did not.
Error CloneRun::table_mode_failure(const Error &e) const {
    std::vector<std::string> done, partly, not_done;
    {
        std::lock_guard<std::mutex> lock(unit_mutex_);
        for (size_t t = 0; t < tables_.size(); t++) {
            size_t on = t < committed_on_.size() ? committed_on_[t].size() : 0;
            if (on > 0 && on == plan_.writers.size()) {
                done.push_back(tables_[t].label);
            } else if (on > 0) {
                std::vector<std::string> dbs;
                for (size_t w : committed_on_[t])
                    dbs.push_back(job_.dbs[w].name);
                partly.push_back(tables_[t].label + " (on " + join(dbs, ", ") + ")");
            } else {
                not_done.push_back(tables_[t].label);
            }
        }
    }
    std::string text = "commit => 'table': committed: " + (done.empty() ? "none" : join(done, ", "));
    if (!partly.empty())
        text += "; committed on some target databases only: " + join(partly, ", ");
    text += "; not committed: " + (not_done.empty() ? "none" : join(not_done, ", "));
    if (!named_sequences_.empty() && !named_sequences_set_)
        text += "; not set: " + join(named_sequence_labels(), ", ");
    text += ". Committed tables are listed in bucardo.clone_table; bucardo.clone_resume() copies the others.";
    ErrorInfo info = e.info();
    info.detail = info.detail.empty() ? text : info.detail + "\n" + text;
    return Error(std::move(info));
}

}  // namespace pgclone
