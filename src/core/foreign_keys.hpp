// Target tables that other tables reference by foreign keys: which of them TRUNCATE cannot empty, and
// how the foreign keys from tables outside the clone are checked before the commit, the way PostgreSQL
// validates a new foreign key (RI_Initial_Check). Pure C++: the catalogs' answers come in these structs.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pgclone {

// A foreign key that references one of the tables a session empties (or one of their partitions).
struct KeyReferrer {
    size_t table;                // the referenced table: index into the session's tables
    std::optional<size_t> from;  // the referencing table when it is one of them (or a partition of one)
};

// Which of a session's tables must be emptied by DELETE, given those already chosen (deleted): TRUNCATE
// refuses a table that a table not truncated in the same statement references, and a table that only
// a DELETEd one references is then refused in turn (so the rule is applied until nothing changes).
std::vector<bool> tables_to_delete(std::vector<bool> deleted, const std::vector<KeyReferrer> &referrers);

// A table of a foreign key, as the check query reads it: a partitioned one with its partitions, any
// other without its inheritance children (ONLY), as PostgreSQL does.
struct KeyTable {
    std::string schema;
    std::string name;
    bool partitioned = false;
};

// One column pair of a foreign key, with the constraint's equality operator (referenced = referencing).
struct KeyColumn {
    std::string fk_column;  // in the referencing table
    std::string pk_column;  // in the referenced table
    std::string op_schema;  // OPERATOR(op_schema.op_name)
    std::string op_name;
    std::string pk_cast;  // the operator's left input type (format_type) where the column's type differs
    std::string fk_cast;  // its right input type, likewise
    std::string collation_schema;  // the referenced column's collation, where the two columns' differ
    std::string collation_name;
};

struct ForeignKeyCheck {
    std::string oid;   // the constraint
    std::string name;  // conname
    KeyTable referencing;
    KeyTable referenced;
    bool match_full = false;  // MATCH FULL; otherwise MATCH SIMPLE (a NULL in any column satisfies it)
    std::vector<KeyColumn> columns;
};

using QuoteIdent = std::function<std::string(const std::string &)>;

// RI_Initial_Check's query: one referencing row whose key the referenced table lacks, if any, with its
// key columns (in text). No function of the database's users is called besides the constraint's own
// operators and the key types' output functions.
std::string foreign_key_check_query(const ForeignKeyCheck &fk, const QuoteIdent &quote);

// The DETAIL of a violation, from the row the check found (its key columns, NULL as nullopt), as
// PostgreSQL words it: Key (parent_id)=(7) is not present in table "public.parent".
std::string foreign_key_violation_detail(const ForeignKeyCheck &fk,
                                         const std::vector<std::optional<std::string>> &key);

}  // namespace pgclone
