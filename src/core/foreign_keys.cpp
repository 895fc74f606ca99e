#include "core/foreign_keys.hpp"

namespace pgclone {

std::vector<bool> tables_to_delete(std::vector<bool> deleted, const std::vector<KeyReferrer> &referrers) {
    for (bool changed = true; changed;) {
        changed = false;
        for (const KeyReferrer &r : referrers) {
            if (deleted.at(r.table))
                continue;
            if (r.from && *r.from < deleted.size() && !deleted[*r.from])
                continue;  // truncated in the same statement
            deleted[r.table] = true;
            changed = true;
        }
    }
    return deleted;
}

namespace {

std::string relation(const KeyTable &table, const QuoteIdent &quote) {
    return (table.partitioned ? "" : "ONLY ") + quote(table.schema) + "." + quote(table.name);
}

}  // namespace

std::string foreign_key_check_query(const ForeignKeyCheck &fk, const QuoteIdent &quote) {
    std::string select, on, not_null;
    for (const KeyColumn &c : fk.columns) {
        std::string fk_column = "fk." + quote(c.fk_column);
        std::string pk_column = "pk." + quote(c.pk_column);
        select += (select.empty() ? "" : ", ") + fk_column;
        on += (on.empty() ? "" : " AND ") + pk_column + (c.pk_cast.empty() ? "" : "::" + c.pk_cast) +
              " OPERATOR(" + quote(c.op_schema) + "." + c.op_name + ") " + fk_column +
              (c.fk_cast.empty() ? "" : "::" + c.fk_cast);
        if (!c.collation_name.empty())
            on += " COLLATE " + quote(c.collation_schema) + "." + quote(c.collation_name);
        not_null += (not_null.empty() ? "" : fk.match_full ? " OR " : " AND ") + fk_column + " IS NOT NULL";
    }
    // Any one referenced column is NULL exactly when the join found no row.
    return "SELECT " + select + " FROM " + relation(fk.referencing, quote) + " fk LEFT OUTER JOIN " +
           relation(fk.referenced, quote) + " pk ON (" + on + ") WHERE pk." +
           quote(fk.columns.empty() ? std::string() : fk.columns.front().pk_column) + " IS NULL AND (" +
           not_null + ") LIMIT 1";
}

std::string foreign_key_violation_detail(const ForeignKeyCheck &fk,
                                         const std::vector<std::optional<std::string>> &key) {
    std::string names, values;
    bool some_null = false;
    for (size_t i = 0; i < fk.columns.size(); i++) {
        names += (i ? ", " : "") + fk.columns[i].fk_column;
        const std::optional<std::string> value = i < key.size() ? key[i] : std::nullopt;
        values += (i ? ", " : "") + value.value_or("null");
        some_null = some_null || !value;
    }
    if (fk.match_full && some_null)
        return "MATCH FULL does not allow mixing of null and nonnull key values.";
    return "Key (" + names + ")=(" + values + ") is not present in table \"" + fk.referenced.schema + "." +
           fk.referenced.name + "\".";
}


}  // namespace pgclone
