// What a clone asks the catalogs of its source and target databases: which tables the names mean,
// their columns, what code of other roles a copy into them would run, and which of their constraints
// PostgreSQL does not check under session_replication_role = replica. Every query here runs in a
// session made safe by Connection::open (empty search_path), and names pg_catalog's functions and
// types explicitly all the same.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/foreign_keys.hpp"
#include "core/plan.hpp"
#include "core/type_fit.hpp"
#include "remote/connection.hpp"

namespace pgclone {

struct Column {
    std::string name;
    long type_oid = 0;
    ColumnType type;
    // Whether the type has binary send (and receive) functions all the way through: itself, a domain's
    // base, an array's element, a composite's attributes, a range's subtype, a multirange's range.
    // aclitem and some user types have none, and a binary COPY of them fails.
    bool binary_send = true;
    bool binary_receive = true;
};

struct RemoteTable {
    std::string schema;
    std::string name;
    std::string oid;
    char relkind = 'r';
    std::vector<Column> columns;  // copyable ones (not dropped, not generated), in attnum order
    std::string label;            // public.foo
};

// One entry per name asked for, empty where no relation has that name. Unqualified names are looked
// up in the schemas of the session's own search_path, in order, as SQL would.
std::vector<std::optional<RemoteTable>> describe_tables(Connection &conn,
                                                        const std::vector<TableName> &names);

// The tables a pattern of a table list stands for (TableName::is_pattern): with no schema, every
// table outside PostgreSQL's own schemas and bucardo; with one, every table of that schema. Tables
// only: partitions go through their root, and neither temporary tables nor an extension's own tables
// are included. By schema and name.
std::vector<TableName> tables_matching(Connection &conn, const std::optional<std::string> &schema);

// Each table's size on disk (heap and TOAST; for a partitioned table, its partitions'), for
// scheduling the largest first.
struct TableSize {
    int64_t bytes = 0;
    int64_t rows = -1;  // the planner's estimate; -1 when the table was never analyzed
};
std::vector<TableSize> table_sizes(Connection &conn, const std::vector<RemoteTable> &tables);

// Pairs of the tables (by index) that one stream must hold together, on this database: joined by a
// foreign key, either way (TRUNCATE must empty them in one statement; a foreign key from or to a
// partitioned table joins every table of its partition tree, since checking it reads them all in one
// session), or by inheritance (ANALYZE of a parent reads its children, and would wait for another
// stream's lock on a child).
std::vector<std::pair<size_t, size_t>> table_links(Connection &conn, const std::vector<RemoteTable> &tables);

// What decides whether a big table can be split on a target (pg_clone.split_min_size), by the
// source's schema and name: whether it is there as a plain table, and whether it has a unique or
// exclusion index (rows of one slice would wait for rows another session of the clone deleted) or
// a deferrable unique or exclusion constraint (checked by a REINDEX that several sessions' locks
// would block).
struct SplitFacts {
    bool plain_table = false;
    bool unique_index = false;
    bool deferrable = false;
};
std::vector<SplitFacts> split_facts(Connection &conn, const std::vector<RemoteTable> &tables);

// The heap's pages (main fork) of each table, now: where a split table's slices are cut.
std::vector<int64_t> heap_pages(Connection &conn, const std::vector<RemoteTable> &tables);

// Code that a clone's statements on these tables (TRUNCATE, COPY FROM, the deferred checks) would run
// and that belongs to a role other than the session's own and not to a superuser: trigger functions
// (of the triggers that fire with replica_role as given), and functions and operators in constraints,
// indexes, generated columns, partition keys and the column types' domains. Such code would run with
// the clone's privileges; an empty result means there is none.
struct ForeignCode {
    size_t table;          // index into the tables given
    std::string where;     // trigger "t" on public.foo
    std::string function;  // public.f(integer)
    std::string owner;
};
// deleting: DELETE triggers count too (the tables are emptied by DELETE).
std::vector<ForeignCode> find_foreign_code(Connection &conn, const std::vector<RemoteTable> &tables,
                                           bool replica_role, bool deleting = false);
// Whether any function of the database belongs to a role that is neither a superuser nor the session's:
// without one, find_foreign_code finds nothing (one cheap look instead of its query, whose estimates
// over the catalog make even an empty answer cost tens of milliseconds).
bool has_foreign_functions(Connection &conn);
// The same in two steps, so that several sessions look at once: send_foreign_code_query returns false
// (and sends nothing) for no tables; read_foreign_code reads the answer of one that was sent.
bool send_foreign_code_query(Connection &conn, const std::vector<RemoteTable> &tables, bool replica_role,
                             bool deleting = false);
std::vector<ForeignCode> read_foreign_code(Connection &conn);

// Deferrable unique, primary key and exclusion constraints of each table (and of its partitions),
// with the index that enforces each. Under session_replication_role = replica their checks do not
// run; rebuilding the index checks them.
struct DeferrableConstraint {
    std::string name;
    std::string index;  // schema-qualified, quoted
};
std::vector<std::vector<DeferrableConstraint>> deferrable_constraints(Connection &conn,
                                                                      const std::vector<RemoteTable> &tables);

// Which tables are better emptied with DELETE than with TRUNCATE: TRUNCATE makes new files for the
// table and each index (a few milliseconds each, whatever the size), DELETE costs by the row. Only
// tables where both mean the same are chosen: a plain table at most max_bytes large, with no rules,
// no row security, no trigger that would fire for DELETE, no foreign key to or from it (TRUNCATE
// refuses to empty a referenced table alone, where DELETE, with triggers off, would leave dangling
// references; and a referenced table's TRUNCATE must name its referencing tables), and in no
// publication (its subscribers would receive every old row as a delete, not one truncate).
std::vector<bool> delete_is_cheaper(Connection &conn, const std::vector<RemoteTable> &tables,
                                    int64_t max_bytes);
// The same in two steps, so that several sessions run theirs at once: send returns false where there
// is nothing to ask (then every table is false), read takes the number of tables.
bool send_delete_is_cheaper(Connection &conn, const std::vector<RemoteTable> &tables, int64_t max_bytes);
std::vector<bool> read_delete_is_cheaper(Connection &conn, size_t tables);

// The indexes of each table that a bulk load may leave to be built at the end: those of plain tables
// that are valid, ready and live (an index a failed CREATE INDEX CONCURRENTLY left behind is not
// touched). Oid and schema-qualified quoted name.
struct TableIndex {
    std::string oid;
    std::string name;
};
std::vector<std::vector<TableIndex>> buildable_indexes(Connection &conn,
                                                       const std::vector<RemoteTable> &tables);

// Sequences owned by columns of these tables (serial and identity columns), by table index and column.
struct OwnedSequence {
    size_t table;
    std::string column;
    RemoteTable sequence;  // relkind 'S', no columns
};
std::vector<OwnedSequence> owned_sequences(Connection &conn, const std::vector<RemoteTable> &tables);

// Each sequence's state and definition, read with one query (a sequence's state is not transactional:
// it is the latest, whatever the snapshot).
struct SequenceState {
    int64_t last_value = 0;
    bool is_called = false;
    std::string type;  // format_type: bigint, integer, smallint
    int64_t min = 0;
    int64_t max = 0;
    int64_t increment = 1;
    bool owned = false;  // the session's role owns it (or is a superuser)
};
std::vector<SequenceState> sequence_states(Connection &conn, const std::vector<RemoteTable> &sequences);

// Which of these (source type, target type) pairs of built-in types have an implicit or assignment cast
// in pg_cast (see type_fit).
std::set<std::pair<long, long>> assignment_casts(Connection &conn,
                                                 const std::vector<std::pair<long, long>> &pairs);

// What keeps DELETE from emptying each table: a rule on DELETE, a publication that includes it (directly,
// through its schema, FOR ALL TABLES, or through a partition ancestor or descendant), no DELETE privilege,
// or (replica_role) a foreign key action enabled for replica sessions. One entry per table and cause.
struct DeleteBlocker {
    size_t table;
    std::string reason;
};
std::vector<DeleteBlocker> delete_blockers(Connection &conn, const std::vector<RemoteTable> &tables,
                                           bool replica_role);

// The foreign keys that reference the tables given (or their partitions), each as its top-level
// constraint (a partition's foreign key is its parent's), with where the referencing table is: one of
// the tables given (or a partition of one), another cloned table (cloned_oids, or a partition of
// one), or outside the clone.
struct KeyReference {
    size_t table;                // the referenced table: index into the tables given
    std::optional<size_t> from;  // the referencing table, when it is one of the tables given
    bool from_cloned = false;    // the referencing table is cloned
    std::string constraint_oid;  // top-level
    std::string constraint;      // its name
    std::string referencing;     // its table, schema.name
};
std::vector<KeyReference> key_references(Connection &conn, const std::vector<RemoteTable> &tables,
                                         const std::vector<std::string> &cloned_oids);
// The same in two steps (send returns false where there is nothing to ask: no reference).
bool send_key_references(Connection &conn, const std::vector<RemoteTable> &tables,
                         const std::vector<std::string> &cloned_oids);
std::vector<KeyReference> read_key_references(Connection &conn);

// The foreign keys (constraint oids) as the check before the commit reads them, in the order given.
std::vector<ForeignKeyCheck> foreign_key_checks(Connection &conn,
                                                const std::vector<std::string> &constraints);

// Code of another role (see find_foreign_code) that checking these foreign keys would run: their
// equality operators (with their operator families' support functions and estimators), casts, and the
// output functions of the key columns' types. ForeignCode::table is an index into constraints.
std::vector<ForeignCode> foreign_key_code(Connection &conn, const std::vector<std::string> &constraints);

// The server's prepared-transaction slots (two-phase commit): a text equal for two sessions exactly when
// they reach the same running server, max_prepared_transactions, and how many are in use.
struct PrepareSlots {
    std::string server;
    int max_prepared = 0;
    int in_use = 0;
};
PrepareSlots prepare_slots(Connection &conn);

// Text that is equal for two sessions exactly when they reach the same database of the same running
// server. The same query run through SPI gives the control database's.
extern const char *const database_identity_query;
std::string database_identity(Connection &conn);

}  // namespace pgclone
