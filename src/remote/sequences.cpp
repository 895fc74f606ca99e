// Sequences: those named in the table list, and (unless clone(..., sequences => false)) those owned by
// a column of a cloned table (serial and identity columns). Before anything is emptied, each is found
// on every database and its definition compared; after the copy, each target's is set to the source's
// state, in the transaction that fills the tables: ALTER SEQUENCE ... RESTART gives the sequence new
// storage in that transaction, so the setval that follows is rolled back with it, where a setval alone
// would stay whatever happens. With several sources, a sequence takes the highest value among them.

#include "remote/clone_run.hpp"

#include <algorithm>
#include <utility>

namespace pgclone {

namespace {

// The value nextval would return next.
int64_t next_value(const SequenceState &s) { return s.is_called ? s.last_value + s.increment : s.last_value; }

std::string definition(const SequenceState &s) {
    return s.type + " from " + std::to_string(s.min) + " to " + std::to_string(s.max) + " by " +
           std::to_string(s.increment);
}

}  // namespace

void CloneRun::plan_sequences() {
    for (const RemoteTable &named : named_sequences_) {
        sequences_.push_back({named.label, {}, "", {}, {}});
    }
    if (job_.sequences) {
        for (const OwnedSequence &owned : owned_sequences(reader(plan_.sources.front()), tables_)) {
            bool listed = false;
            for (SequencePlan &plan : sequences_)
                if (plan.label == owned.sequence.label)
                    listed = true;
            if (!listed)
                sequences_.push_back({owned.sequence.label, owned.table, owned.column, {}, {}});
        }
    }
    if (sequences_.empty())
        return;
    for (SequencePlan &plan : sequences_)
        plan.on.resize(job_.dbs.size());
    for (size_t db = 0; db < job_.dbs.size(); db++)
        find_sequences_on(db);
    pick_sequence_values();
    for (size_t w : plan_.writers)
        check_target_sequences(w);
}

// Named sequences by their schema-qualified name; owned ones by the table and column that own them.
void CloneRun::find_sequences_on(size_t db) {
    Connection &conn = any_session(db);
    std::vector<TableName> names;
    for (const RemoteTable &named : named_sequences_)
        names.push_back({named.schema, named.name});
    auto found = describe_tables(conn, names);
    for (size_t i = 0; i < found.size(); i++) {
        auto at = [&](Error e) {
            return e.in_database(job_.dbs[db].name).on_object("sequence " + named_sequences_[i].label);
        };
        if (!found[i])
            throw at(Error(sqlstate::undefined_table, "sequence does not exist"));
        if (found[i]->relkind != 'S')
            throw at(Error(sqlstate::wrong_object_type, "not a sequence"));
        for (SequencePlan &plan : sequences_)
            if (plan.label == named_sequences_[i].label)
                plan.on[db] = found[i];
    }
    const std::vector<RemoteTable> &tables = dbs_[db].described.empty() ? tables_ : dbs_[db].described;
    for (const OwnedSequence &owned : owned_sequences(conn, tables))
        for (SequencePlan &plan : sequences_)
            if (plan.table == owned.table && plan.column == owned.column && !plan.on[db])
                plan.on[db] = owned.sequence;
}

// The value to set: the source whose sequence is furthest along (in its direction).
void CloneRun::pick_sequence_values() {
    for (size_t s : plan_.sources) {
        std::vector<RemoteTable> here;
        std::vector<size_t> which;
        for (size_t i = 0; i < sequences_.size(); i++)
            if (sequences_[i].on[s]) {
                here.push_back(*sequences_[i].on[s]);
                which.push_back(i);
            }
        std::vector<SequenceState> states = sequence_states(reader(s), here);
        for (size_t j = 0; j < which.size(); j++) {
            SequencePlan &plan = sequences_[which[j]];
            const SequenceState &state = states[j];
            bool first = s == plan_.sources.front() || plan.value.type.empty();
            bool further = state.increment > 0 ? next_value(state) > next_value(plan.value)
                                               : next_value(state) < next_value(plan.value);
            if (first || further)
                plan.value = state;
        }
    }
}

// Each target's sequence must be defined as the source's (type, bounds, increment), and the clone's
// role must own it (ALTER SEQUENCE); both are checked before anything is emptied.
void CloneRun::check_target_sequences(size_t w) {
    Connection &conn = writer(w);
    std::vector<RemoteTable> here;
    std::vector<size_t> which;
    for (size_t i = 0; i < sequences_.size(); i++)
        if (sequences_[i].on[w] && !sequences_[i].value.type.empty()) {
            here.push_back(*sequences_[i].on[w]);
            which.push_back(i);
        }
    std::vector<SequenceState> states = sequence_states(conn, here);
    for (size_t j = 0; j < which.size(); j++) {
        const SequencePlan &plan = sequences_[which[j]];
        const SequenceState &target = states[j];
        auto at = [&](Error e) { return e.in_database(job_.dbs[w].name).on_object("sequence " + here[j].label); };
        const SequenceState &source = plan.value;
        if (target.type != source.type || target.min != source.min || target.max != source.max ||
            target.increment != source.increment)
            throw at(Error(sqlstate::datatype_mismatch, "defined differently from the source's",
                           "It is " + definition(target) + " there, " + definition(source) + " on the source.",
                           "Make the sequences alike, or clone with sequences => false."));
        if (!target.owned)
            throw at(Error(sqlstate::insufficient_privilege,
                           "the clone's role does not own it, and setting it needs ALTER SEQUENCE", "",
                           "Connect as its owner, or clone with sequences => false."));
    }
}

void CloneRun::set_sequences(size_t w) {
    std::vector<size_t> all(tables_.size());
    for (size_t t = 0; t < all.size(); t++)
        all[t] = t;
    set_sequences(w, 0, all, true);
}

// On stream k's session: the sequences owned by the given tables, and the named ones if named.
void CloneRun::set_sequences(size_t w, size_t k, const std::vector<size_t> &tables, bool named) {
    Connection &conn = writer(w, k);
    for (const SequencePlan &plan : sequences_) {
        if (!plan.on[w] || plan.value.type.empty())
            continue;
        if (plan.table ? std::find(tables.begin(), tables.end(), *plan.table) == tables.end() : !named)
            continue;
        if (plan.table && dbs_[w].tables[*plan.table].outcome.skipped)
            continue;  // empty_only left its table alone
        const RemoteTable &sequence = *plan.on[w];
        try {
            conn.exec("ALTER SEQUENCE " + quoted(conn, sequence) + " RESTART");
            conn.exec(
                "SELECT pg_catalog.setval($1::pg_catalog.oid::pg_catalog.regclass, $2::pg_catalog.int8,"
                " $3::pg_catalog.bool)",
                {sequence.oid, std::to_string(plan.value.last_value),
                 plan.value.is_called ? "true" : "false"});
        } catch (Error &e) {
            e.on_object("sequence " + sequence.label);
            throw;
        }
        std::lock_guard<std::mutex> lock(unit_mutex_);  // streams of commit => 'table' set theirs at once
        dbs_[w].sequences_set.push_back({sequence.label, plan.value.last_value, plan.value.is_called});
    }
}

}  // namespace pgclone
