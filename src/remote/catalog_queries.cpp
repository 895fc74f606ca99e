#include "remote/catalog_queries.hpp"

#include <set>
#include <utility>

namespace pgclone {

namespace {

// The tables given ($1, oids) and, for a partitioned one, all its partitions: every table a copied
// row can land in. A table with inheritance children is copied without them.
const char *const tables_and_partitions =
    "asked AS ("
    "    SELECT t.rel, t.ord FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(rel, ord)"
    "), rels AS ("
    "    SELECT ord, rel AS relid FROM asked"
    "    UNION"
    "    SELECT a.ord, p.relid::pg_catalog.oid"
    "      FROM asked a, pg_catalog.pg_partition_tree(a.rel::pg_catalog.regclass) AS p"
    ")";

std::string oid_array(const std::vector<std::string> &oids) { return text_array_literal(oids); }

std::string oid_array(const std::vector<RemoteTable> &tables) {
    std::vector<std::string> oids;
    for (const RemoteTable &t : tables)
        oids.push_back(t.oid);
    return oid_array(oids);
}

std::string value(const PGresult *result, int row, int column) { return PQgetvalue(result, row, column); }

size_t ordinal(const PGresult *result, int row) { return std::stoul(value(result, row, 0)) - 1; }

// Runs a query over the tables ($1, oids) whose rows are (table ordinal, two text columns).
template <typename F>
void for_each_table_row(Connection &conn, const std::string &sql, const std::vector<RemoteTable> &tables,
                        F each) {
    if (tables.empty())
        return;
    Result result = conn.exec(sql, {oid_array(tables)});
    const PGresult *r = result.get();
    for (int row = 0; row < PQntuples(r); row++)
        each(ordinal(r, row), value(r, row, 1), value(r, row, 2));
}

// The columns of the tables named ($1 schemas, $2 names), with their types and whether those have binary
// send and receive functions through everything they are made of (binary COPY calls them all).
// Multiranges (PostgreSQL 14) are made of their range type.
std::string describe_tables_sql(bool multiranges) {
    return std::string(
               "WITH RECURSIVE cols AS ("
               "    SELECT t.ord, n.nspname, c.relname, c.relkind, c.oid, a.attname, a.atttypid, a.attnum"
               "      FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
               "                      pg_catalog.unnest($2::pg_catalog.text[]))"
               "           WITH ORDINALITY AS t(nsp, rel, ord)"
               "      JOIN pg_catalog.pg_namespace n ON n.nspname = t.nsp"
               "      JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.rel"
               "      LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
               "           AND NOT a.attisdropped AND a.attgenerated = ''"
               "), parts(root, typid) AS ("
               "    SELECT DISTINCT atttypid, atttypid FROM cols WHERE atttypid IS NOT NULL"
               "    UNION"
               "    SELECT p.root, x.typid"
               "      FROM parts p JOIN pg_catalog.pg_type ty ON ty.oid = p.typid"
               "     CROSS JOIN LATERAL ("
               "           SELECT ty.typbasetype WHERE ty.typbasetype <> 0"
               "           UNION ALL SELECT ty.typelem WHERE ty.typelem <> 0"
               "           UNION ALL SELECT ca.atttypid FROM pg_catalog.pg_attribute ca"
               "                      WHERE ty.typrelid <> 0 AND ca.attrelid = ty.typrelid"
               "                        AND ca.attnum > 0 AND NOT ca.attisdropped"
               "           UNION ALL SELECT rg.rngsubtype FROM pg_catalog.pg_range rg"
               "                      WHERE rg.rngtypid = ty.oid") +
           (multiranges ? "           UNION ALL SELECT rg.rngtypid FROM pg_catalog.pg_range rg"
                          "                      WHERE rg.rngmultitypid = ty.oid"
                        : "") +
           "     ) AS x(typid)"
           "), io AS ("
           "    SELECT p.root, pg_catalog.bool_and(ty.typsend::pg_catalog.oid <> 0) AS send,"
           "           pg_catalog.bool_and(ty.typreceive::pg_catalog.oid <> 0) AS receive"
           "      FROM parts p JOIN pg_catalog.pg_type ty ON ty.oid = p.typid"
           "     GROUP BY p.root"
           ") "
           "SELECT a.ord, a.nspname, a.relname, a.relkind, a.oid, a.attname, a.atttypid::pg_catalog.int8,"
           "       pg_catalog.format_type(a.atttypid, NULL), b.oid::pg_catalog.int8,"
           "       pg_catalog.format_type(b.oid, NULL),"
           "       b.typcategory, b.typelem::pg_catalog.int8, pg_catalog.format_type(b.typelem, NULL),"
           "       io.send, io.receive"
           "  FROM cols a"
           "  LEFT JOIN pg_catalog.pg_type y ON y.oid = a.atttypid"
           "  LEFT JOIN pg_catalog.pg_type b"
           "         ON b.oid = CASE WHEN y.typtype = 'd' THEN y.typbasetype ELSE y.oid END"
           "  LEFT JOIN io ON io.root = a.atttypid"
           " ORDER BY a.ord, a.attnum";
}

// The publications that include each table given ($1, oids), by table ordinal: a publication of the
// table itself, of its schema (FOR TABLES IN SCHEMA, PostgreSQL 15 and later), FOR ALL TABLES, or of
// one of its partition ancestors (whatever publish_via_partition_root says) or, for a partitioned
// table, of its partitions. Unlogged tables are never published.
std::string published_tables(int server_version) {
    return std::string(
               "published AS ("
               "    SELECT DISTINCT t.ord, p.pubname::pg_catalog.text AS pubname"
               "      FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(rel, ord)"
               "      JOIN pg_catalog.pg_class c ON c.oid = t.rel AND c.relpersistence = 'p'"
               "     CROSS JOIN LATERAL ("
               "           SELECT t.rel"
               "           UNION SELECT a.relid FROM pg_catalog.pg_partition_ancestors(t.rel) AS a"
               "           UNION SELECT d.relid FROM pg_catalog.pg_partition_tree(t.rel) AS d"
               "     ) AS tree(relid)"
               "      JOIN pg_catalog.pg_class tc ON tc.oid = tree.relid"
               "      JOIN pg_catalog.pg_publication p"
               "        ON p.puballtables"
               "        OR EXISTS (SELECT FROM pg_catalog.pg_publication_rel pr"
               "                    WHERE pr.prpubid = p.oid AND pr.prrelid = tree.relid)") +
           (server_version >= 150000
                ? "        OR EXISTS (SELECT FROM pg_catalog.pg_publication_namespace pn"
                  "                    WHERE pn.pnpubid = p.oid AND pn.pnnspid = tc.relnamespace)"
                : "") +
           ")";
}

}  // namespace

std::vector<TableName> tables_matching(Connection &conn, const std::optional<std::string> &schema) {
    static const char *sql = R"(
        SELECT n.nspname, c.relname
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence OPERATOR(pg_catalog.<>) 't'
           AND CASE WHEN $1::pg_catalog.text IS NULL
                    THEN n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema,bucardo}')
                         AND n.nspname OPERATOR(pg_catalog.!~) '^pg_(toast|temp)'
                    ELSE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.text END
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                            WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                              AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
         ORDER BY n.nspname, c.relname)";
    Result result = conn.exec(sql, {schema});
    std::vector<TableName> names;
    for (int row = 0; row < PQntuples(result.get()); row++)
        names.push_back({value(result.get(), row, 0), value(result.get(), row, 1)});
    return names;
}

std::vector<std::optional<RemoteTable>> describe_tables(Connection &conn,
                                                        const std::vector<TableName> &names) {
    static const std::string sql[2] = {describe_tables_sql(false), describe_tables_sql(true)};
    std::vector<NameCandidate> candidates = name_candidates(names, conn.search_path());
    std::vector<std::string> schemas, relations;
    for (const NameCandidate &c : candidates) {
        schemas.push_back(c.schema);
        relations.push_back(c.name);
    }
    Result result = conn.exec(sql[conn.server_version() >= 140000],
                              {text_array_literal(schemas), text_array_literal(relations)});
    const PGresult *r = result.get();

    std::vector<std::optional<RemoteTable>> tables(names.size());
    std::vector<size_t> chosen(names.size(), candidates.size());  // the candidate that won, per name
    for (int row = 0; row < PQntuples(r); row++) {
        size_t candidate = ordinal(r, row);
        size_t asked = candidates.at(candidate).asked;
        if (chosen[asked] < candidate)
            continue;  // found earlier in the search path
        auto &table = tables[asked];
        if (!table) {
            chosen[asked] = candidate;
            table.emplace();
            table->schema = value(r, row, 1);
            table->name = value(r, row, 2);
            table->relkind = value(r, row, 3)[0];
            table->oid = value(r, row, 4);
            table->label = display_name(table->schema, table->name);
        }
        if (!PQgetisnull(r, row, 5)) {
            Column column;
            column.name = value(r, row, 5);
            column.type_oid = std::stol(value(r, row, 6));
            column.type = ColumnType{column.type_oid,  value(r, row, 7),     std::stol(value(r, row, 8)),
                                     value(r, row, 9), value(r, row, 10)[0], std::stol(value(r, row, 11)),
                                     value(r, row, 12)};
            column.binary_send = value(r, row, 13) == "t";
            column.binary_receive = value(r, row, 14) == "t";
            table->columns.push_back(std::move(column));
        }
    }
    return tables;
}

std::vector<TableSize> table_sizes(Connection &conn, const std::vector<RemoteTable> &tables) {
    static const std::string sql =
        std::string("WITH ") + tables_and_partitions +
        " SELECT r.ord, pg_catalog.sum(pg_catalog.pg_table_size(r.relid))::pg_catalog.int8,"
        "        CASE WHEN pg_catalog.bool_or(c.reltuples < 0 AND c.relkind = 'r') THEN -1"
        "             ELSE pg_catalog.sum(GREATEST(c.reltuples, 0)) END::pg_catalog.int8"
        "   FROM rels r JOIN pg_catalog.pg_class c ON c.oid = r.relid"
        "  GROUP BY r.ord";
    std::vector<TableSize> sizes(tables.size());
    if (tables.empty())
        return sizes;
    Result result = conn.exec(sql, {oid_array(tables)});
    const PGresult *r = result.get();
    for (int row = 0; row < PQntuples(r); row++) {
        TableSize &size = sizes.at(ordinal(r, row));
        if (!PQgetisnull(r, row, 1))
            size.bytes = std::stoll(value(r, row, 1));
        if (!PQgetisnull(r, row, 2))
            size.rows = std::stoll(value(r, row, 2));
    }
    return sizes;
}

namespace {

// Runs a query whose $1 and $2 are the tables' schemas and names (text[]), for a database where
// their oids are not known yet.
Result exec_by_names(Connection &conn, const char *sql, const std::vector<RemoteTable> &tables) {
    std::vector<std::string> schemas, names;
    for (const RemoteTable &table : tables) {
        schemas.push_back(table.schema);
        names.push_back(table.name);
    }
    return conn.exec(sql, {text_array_literal(schemas), text_array_literal(names)});
}

}  // namespace

std::vector<std::pair<size_t, size_t>> table_links(Connection &conn, const std::vector<RemoteTable> &tables) {
    // By name: the tables' oids on this database are not known yet. Each table and each end of a
    // foreign key stands for its partition tree (its root): the check of a foreign key from outside
    // the clone reads the whole referencing and referenced tables, so one session must hold every
    // cloned table of both trees. Inheritance joins a parent and its children.
    static const char *sql = R"(
        WITH t AS (
            SELECT t.ord, c.oid, COALESCE(pg_catalog.pg_partition_root(c.oid), c.oid) AS root
              FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[]))
                   WITH ORDINALITY AS t(nsp, rel, ord)
              JOIN pg_catalog.pg_namespace n ON n.nspname = t.nsp
              JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.rel
        ), f AS (
            SELECT COALESCE(pg_catalog.pg_partition_root(f.conrelid), f.conrelid) AS a,
                   COALESCE(pg_catalog.pg_partition_root(f.confrelid), f.confrelid) AS b
              FROM pg_catalog.pg_constraint f WHERE f.contype = 'f'
        )
        SELECT a.ord, b.ord
          FROM f JOIN t a ON a.root IN (f.a, f.b) JOIN t b ON b.root IN (f.a, f.b)
         WHERE a.ord < b.ord
        UNION
        SELECT a.ord, b.ord
          FROM pg_catalog.pg_inherits i JOIN t a ON a.oid = i.inhrelid JOIN t b ON b.oid = i.inhparent)";
    std::vector<std::pair<size_t, size_t>> links;
    if (tables.size() < 2)
        return links;
    Result result = exec_by_names(conn, sql, tables);
    const PGresult *r = result.get();
    for (int row = 0; row < PQntuples(r); row++)
        links.emplace_back(ordinal(r, row), std::stoul(value(r, row, 1)) - 1);
    return links;
}

std::vector<SplitFacts> split_facts(Connection &conn, const std::vector<RemoteTable> &tables) {
    static const char *sql = R"(
        SELECT t.ord, c.relkind = 'r',
               EXISTS (SELECT FROM pg_catalog.pg_index i
                        WHERE i.indrelid = c.oid AND (i.indisunique OR i.indisexclusion)),
               EXISTS (SELECT FROM pg_catalog.pg_constraint k
                        WHERE k.conrelid = c.oid AND k.condeferrable AND k.contype IN ('p', 'u', 'x'))
          FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[]))
               WITH ORDINALITY AS t(nsp, rel, ord)
          JOIN pg_catalog.pg_namespace n ON n.nspname = t.nsp
          JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.rel)";
    std::vector<SplitFacts> facts(tables.size());
    if (tables.empty())
        return facts;
    Result result = exec_by_names(conn, sql, tables);
    const PGresult *r = result.get();
    for (int row = 0; row < PQntuples(r); row++) {
        SplitFacts &f = facts.at(ordinal(r, row));
        f.plain_table = value(r, row, 1) == "t";
        f.unique_index = value(r, row, 2) == "t";
        f.deferrable = value(r, row, 3) == "t";
    }
    return facts;
}

std::vector<int64_t> heap_pages(Connection &conn, const std::vector<RemoteTable> &tables) {
    static const char *sql = R"(
        SELECT t.ord, pg_catalog.pg_relation_size(t.relid::pg_catalog.regclass, 'main')
                      OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::pg_catalog.int8
          FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(relid, ord))";
    std::vector<int64_t> pages(tables.size());
    if (tables.empty())
        return pages;
    Result result = conn.exec(sql, {oid_array(tables)});
    const PGresult *r = result.get();
    for (int row = 0; row < PQntuples(r); row++)
        pages.at(ordinal(r, row)) = std::stoll(value(r, row, 1));
    return pages;
}

std::vector<ForeignCode> find_foreign_code(Connection &conn, const std::vector<RemoteTable> &tables,
                                           bool replica_role, bool deleting) {
    if (!send_foreign_code_query(conn, tables, replica_role, deleting))
        return {};
    return read_foreign_code(conn);
}

bool has_foreign_functions(Connection &conn) {
    // The same condition as the end of find_foreign_code's query, on every function.
    Result result = conn.exec(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_proc p"
        "                 JOIN pg_catalog.pg_roles owner ON owner.oid = p.proowner"
        "                WHERE NOT owner.rolsuper AND owner.rolname <> CURRENT_USER)");
    return PQgetvalue(result.get(), 0, 0)[0] == 't';
}

bool send_foreign_code_query(Connection &conn, const std::vector<RemoteTable> &tables, bool replica_role,
                             bool deleting) {
    static const std::string sql =
        std::string("WITH RECURSIVE ") + tables_and_partitions +
        // Every type a copied value is checked as: the columns' types and what they are made of.
        ", types AS ("
        "    SELECT r.ord, a.atttypid AS typid"
        "      FROM rels r JOIN pg_catalog.pg_attribute a"
        "        ON a.attrelid = r.relid AND a.attnum > 0 AND NOT a.attisdropped"
        "    UNION"
        "    SELECT t.ord, x.typid"
        "      FROM types t JOIN pg_catalog.pg_type ty ON ty.oid = t.typid"
        "     CROSS JOIN LATERAL ("
        "           SELECT ty.typbasetype WHERE ty.typbasetype <> 0"
        "           UNION ALL SELECT ty.typelem WHERE ty.typelem <> 0"
        "           UNION ALL SELECT ca.atttypid FROM pg_catalog.pg_attribute ca"
        "                      WHERE ty.typrelid <> 0 AND ca.attrelid = ty.typrelid"
        "                        AND ca.attnum > 0 AND NOT ca.attisdropped"
        "           UNION ALL SELECT rg.rngsubtype FROM pg_catalog.pg_range rg WHERE rg.rngtypid = ty.oid"
        "     ) AS x(typid)"
        // Triggers that fire for COPY FROM or TRUNCATE ($3: their tgtype bits) in this session's
        // replication role ($2: the tgenabled values that fire).
        "), triggers AS ("
        "    SELECT r.ord, tg.oid, tg.tgfoid,"
        "           pg_catalog.format('trigger %I on %s', tg.tgname, r.relid::pg_catalog.regclass) AS what"
        "      FROM rels r JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = r.relid"
        "     WHERE tg.tgenabled = ANY ($2::pg_catalog.\"char\"[])"
        "       AND (tg.tgtype::pg_catalog.int4 & $3::pg_catalog.int4) <> 0"
        // Objects whose expressions run for a copied row.
        "), objects AS ("
        "    SELECT r.ord, 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, r.relid AS objid,"
        "           pg_catalog.format('partition key of %s', r.relid::pg_catalog.regclass) AS what"
        "      FROM rels r"
        "    UNION ALL"
        "    SELECT r.ord, 'pg_catalog.pg_class'::pg_catalog.regclass, i.indexrelid,"
        "           pg_catalog.format('index %s', i.indexrelid::pg_catalog.regclass)"
        "      FROM rels r JOIN pg_catalog.pg_index i ON i.indrelid = r.relid"
        "    UNION ALL"
        "    SELECT r.ord, 'pg_catalog.pg_constraint'::pg_catalog.regclass, c.oid,"
        "           pg_catalog.format('constraint %I on %s', c.conname, r.relid::pg_catalog.regclass)"
        "      FROM rels r JOIN pg_catalog.pg_constraint c ON c.conrelid = r.relid"
        "    UNION ALL"
        "    SELECT t.ord, 'pg_catalog.pg_constraint'::pg_catalog.regclass, c.oid,"
        "           pg_catalog.format('constraint %I of type %s', c.conname, c.contypid::pg_catalog.regtype)"
        "      FROM types t JOIN pg_catalog.pg_constraint c ON c.contypid = t.typid"
        "    UNION ALL"
        "    SELECT r.ord, 'pg_catalog.pg_attrdef'::pg_catalog.regclass, d.oid,"
        "           pg_catalog.format('generated column %I of %s', a.attname, r.relid::pg_catalog.regclass)"
        "      FROM rels r JOIN pg_catalog.pg_attrdef d ON d.adrelid = r.relid"
        "      JOIN pg_catalog.pg_attribute a"
        "        ON a.attrelid = d.adrelid AND a.attnum = d.adnum AND a.attgenerated <> ''"
        "    UNION ALL"
        "    SELECT ord, 'pg_catalog.pg_trigger'::pg_catalog.regclass, oid, what || ' (WHEN)' FROM triggers"
        "), functions AS ("
        "    SELECT ord, what, tgfoid AS fn FROM triggers"
        "    UNION ALL"
        "    SELECT o.ord, o.what, d.refobjid"
        "      FROM objects o JOIN pg_catalog.pg_depend d ON d.classid = o.classid AND d.objid = o.objid"
        "     WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
        "    UNION ALL"
        "    SELECT o.ord, o.what, op.oprcode::pg_catalog.oid"
        "      FROM objects o JOIN pg_catalog.pg_depend d ON d.classid = o.classid AND d.objid = o.objid"
        "      JOIN pg_catalog.pg_operator op ON op.oid = d.refobjid"
        "     WHERE d.refclassid = 'pg_catalog.pg_operator'::pg_catalog.regclass"
        "    UNION ALL"
        "    SELECT t.ord, pg_catalog.format('range type %s', t.typid::pg_catalog.regtype),"
        "           rg.rngsubdiff::pg_catalog.oid"
        "      FROM types t JOIN pg_catalog.pg_range rg ON rg.rngtypid = t.typid"
        "    UNION ALL"
        "    SELECT t.ord, pg_catalog.format('type %s', t.typid::pg_catalog.regtype), f.fn"
        "      FROM types t JOIN pg_catalog.pg_type ty ON ty.oid = t.typid"
        "     CROSS JOIN LATERAL (VALUES (ty.typinput::pg_catalog.oid),"
        "                                (ty.typreceive::pg_catalog.oid)) AS f(fn)"
        ")"
        " SELECT DISTINCT f.ord, f.what, f.fn::pg_catalog.regprocedure::pg_catalog.text,"
        "        pg_catalog.pg_get_userbyid(p.proowner)::pg_catalog.text"
        "   FROM functions f JOIN pg_catalog.pg_proc p ON p.oid = f.fn"
        "   JOIN pg_catalog.pg_roles owner ON owner.oid = p.proowner"
        "  WHERE NOT owner.rolsuper AND owner.rolname <> CURRENT_USER"
        "  ORDER BY 1, 2, 3";
    if (tables.empty())
        return false;
    // TRUNCATE and COPY FROM: INSERT (1 << 2) and TRUNCATE (1 << 5) triggers; DELETE (1 << 3) too when
    // the tables are emptied by DELETE.
    conn.send(sql, {oid_array(tables), replica_role ? "{A,R}" : "{O,A}", deleting ? "44" : "36"});
    return true;
}

std::vector<ForeignCode> read_foreign_code(Connection &conn) {
    Result result = conn.finish_statement();
    const PGresult *r = result.get();
    std::vector<ForeignCode> found;
    for (int row = 0; row < PQntuples(r); row++)
        found.push_back({ordinal(r, row), value(r, row, 1), value(r, row, 2), value(r, row, 3)});
    return found;
}

std::vector<std::vector<DeferrableConstraint>> deferrable_constraints(
    Connection &conn, const std::vector<RemoteTable> &tables) {
    static const std::string sql =
        std::string("WITH ") + tables_and_partitions +
        " SELECT r.ord, c.conname::pg_catalog.text, pg_catalog.format('%I.%I', n.nspname, i.relname)"
        "   FROM rels r"
        "   JOIN pg_catalog.pg_constraint c"
        "     ON c.conrelid = r.relid AND c.condeferrable AND c.contype IN ('p', 'u', 'x')"
        "   JOIN pg_catalog.pg_class i ON i.oid = c.conindid AND i.relkind = 'i'"
        "   JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace"
        "  ORDER BY 1, 2, 3";
    std::vector<std::vector<DeferrableConstraint>> found(tables.size());
    for_each_table_row(conn, sql, tables, [&](size_t table, std::string name, std::string index) {
        found.at(table).push_back({std::move(name), std::move(index)});
    });
    return found;
}

std::vector<bool> delete_is_cheaper(Connection &conn, const std::vector<RemoteTable> &tables,
                                    int64_t max_bytes) {
    if (!send_delete_is_cheaper(conn, tables, max_bytes))
        return std::vector<bool>(tables.size(), false);
    return read_delete_is_cheaper(conn, tables.size());
}

bool send_delete_is_cheaper(Connection &conn, const std::vector<RemoteTable> &tables, int64_t max_bytes) {
    const std::string sql =
        "WITH " + published_tables(conn.server_version()) +
        " SELECT t.ord, c.relkind = 'r' AND NOT c.relhasrules AND NOT c.relrowsecurity"
        "       AND pg_catalog.pg_table_size(c.oid) <= $2::pg_catalog.int8"
        "       AND pg_catalog.has_table_privilege(c.oid, 'DELETE')"
        "       AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint f"
        "                        WHERE (f.confrelid = c.oid OR f.conrelid = c.oid) AND f.contype = 'f')"
        "       AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger tg"
        "                        WHERE tg.tgrelid = c.oid AND tg.tgenabled <> 'D'"
        "                          AND (tg.tgtype::pg_catalog.int4 & 8) <> 0)"  // TRIGGER_TYPE_DELETE
        "       AND NOT EXISTS (SELECT FROM published pb WHERE pb.ord = t.ord)"
        "  FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(rel, ord)"
        "  JOIN pg_catalog.pg_class c ON c.oid = t.rel";
    if (tables.empty() || max_bytes <= 0)
        return false;
    conn.send(sql, {oid_array(tables), std::to_string(max_bytes)});
    return true;
}

std::vector<bool> read_delete_is_cheaper(Connection &conn, size_t tables) {
    Result result = conn.finish_statement();
    const PGresult *r = result.get();
    std::vector<bool> cheaper(tables, false);
    for (int row = 0; row < PQntuples(r); row++)
        cheaper.at(ordinal(r, row)) = value(r, row, 1) == "t";
    return cheaper;
}

std::vector<std::vector<TableIndex>> buildable_indexes(Connection &conn,
                                                       const std::vector<RemoteTable> &tables) {
    static const char *sql =
        "SELECT t.ord, i.indexrelid, pg_catalog.format('%I.%I', n.nspname, c.relname)"
        "  FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(rel, ord)"
        "  JOIN pg_catalog.pg_class r ON r.oid = t.rel AND r.relkind = 'r'"
        "  JOIN pg_catalog.pg_index i ON i.indrelid = t.rel AND i.indisvalid AND i.indisready AND i.indislive"
        "  JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
        "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " ORDER BY 1, 2";
    std::vector<std::vector<TableIndex>> found(tables.size());
    for_each_table_row(conn, sql, tables, [&](size_t table, std::string oid, std::string name) {
        found.at(table).push_back({std::move(oid), std::move(name)});
    });
    return found;
}

const char *const database_identity_query =
    "SELECT pg_catalog.concat_ws('/', pg_catalog.current_database(), pg_catalog.current_setting('port'),"
    " (pg_catalog.date_part('epoch', pg_catalog.pg_postmaster_start_time())"
    "  OPERATOR(pg_catalog.*) 1000000)::pg_catalog.int8)";

std::string database_identity(Connection &conn) {
    Result result = conn.exec(database_identity_query);
    return PQgetvalue(result.get(), 0, 0);
}

PrepareSlots prepare_slots(Connection &conn) {
    Result result = conn.exec(
        "SELECT pg_catalog.concat_ws('/', pg_catalog.current_setting('port'),"
        " (pg_catalog.date_part('epoch', pg_catalog.pg_postmaster_start_time())"
        "  OPERATOR(pg_catalog.*) 1000000)::pg_catalog.int8),"
        " pg_catalog.current_setting('max_prepared_transactions'),"
        " (SELECT pg_catalog.count(*) FROM pg_catalog.pg_prepared_xacts)");
    PrepareSlots slots;
    slots.server = PQgetvalue(result.get(), 0, 0);
    slots.max_prepared = std::stoi(PQgetvalue(result.get(), 0, 1));
    slots.in_use = std::stoi(PQgetvalue(result.get(), 0, 2));
    return slots;
}

std::vector<OwnedSequence> owned_sequences(Connection &conn, const std::vector<RemoteTable> &tables) {
    static const char *sql =
        "SELECT t.ord, a.attname, n.nspname, c.relname, c.oid"
        "  FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(rel, ord)"
        "  JOIN pg_catalog.pg_depend d ON d.refobjid = t.rel AND d.refobjsubid > 0 AND d.deptype IN ('a', "
        "'i')"
        "       AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
        "       AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
        "  JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind = 'S'"
        "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        "  JOIN pg_catalog.pg_attribute a ON a.attrelid = t.rel AND a.attnum = d.refobjsubid"
        " ORDER BY 1, 2";
    std::vector<OwnedSequence> found;
    if (tables.empty())
        return found;
    Result result = conn.exec(sql, {oid_array(tables)});
    const PGresult *r = result.get();
    for (int row = 0; row < PQntuples(r); row++) {
        OwnedSequence owned;
        owned.table = ordinal(r, row);
        owned.column = value(r, row, 1);
        owned.sequence.schema = value(r, row, 2);
        owned.sequence.name = value(r, row, 3);
        owned.sequence.oid = value(r, row, 4);
        owned.sequence.relkind = 'S';
        owned.sequence.label = display_name(owned.sequence.schema, owned.sequence.name);
        found.push_back(std::move(owned));
    }
    return found;
}

std::vector<SequenceState> sequence_states(Connection &conn, const std::vector<RemoteTable> &sequences) {
    std::vector<SequenceState> states(sequences.size());
    if (sequences.empty())
        return states;
    std::string sql;
    for (size_t i = 0; i < sequences.size(); i++) {
        const RemoteTable &s = sequences[i];
        sql += (i ? " UNION ALL " : "") + std::string("SELECT ") + std::to_string(i) +
               ", q.last_value::pg_catalog.text, q.is_called, pg_catalog.format_type(p.seqtypid, NULL),"
               " p.seqmin::pg_catalog.text, p.seqmax::pg_catalog.text, p.seqincrement::pg_catalog.text,"
               " pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c"
               "                         WHERE c.oid OPERATOR(pg_catalog.=) p.seqrelid), 'USAGE') FROM " +
               conn.quote_ident(s.schema) + "." + conn.quote_ident(s.name) +
               " AS q, pg_catalog.pg_sequence p WHERE p.seqrelid OPERATOR(pg_catalog.=) " + s.oid +
               "::pg_catalog.oid";
    }
    Result result = conn.exec(sql);
    const PGresult *r = result.get();
    for (int row = 0; row < PQntuples(r); row++) {
        SequenceState &state = states.at(std::stoul(value(r, row, 0)));
        state.last_value = std::stoll(value(r, row, 1));
        state.is_called = value(r, row, 2) == "t";
        state.type = value(r, row, 3);
        state.min = std::stoll(value(r, row, 4));
        state.max = std::stoll(value(r, row, 5));
        state.increment = std::stoll(value(r, row, 6));
        state.owned = value(r, row, 7) == "t";
    }
    return states;
}

std::set<std::pair<long, long>> assignment_casts(Connection &conn,
                                                 const std::vector<std::pair<long, long>> &pairs) {
    std::set<std::pair<long, long>> found;
    if (pairs.empty())
        return found;
    std::vector<std::string> from, to;
    for (const auto &p : pairs) {
        from.push_back(std::to_string(p.first));
        to.push_back(std::to_string(p.second));
    }
    Result result = conn.exec(R"(
        SELECT c.castsource::pg_catalog.int8, c.casttarget::pg_catalog.int8
          FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), pg_catalog.unnest($2::pg_catalog.oid[])) AS p(s, t)
          JOIN pg_catalog.pg_cast c ON c.castsource = p.s AND c.casttarget = p.t AND c.castcontext IN ('i', 'a'))",
                              {oid_array(from), oid_array(to)});
    for (int row = 0; row < PQntuples(result.get()); row++)
        found.emplace(std::stol(value(result.get(), row, 0)), std::stol(value(result.get(), row, 1)));
    return found;
}

std::vector<DeleteBlocker> delete_blockers(Connection &conn, const std::vector<RemoteTable> &tables,
                                           bool replica_role) {
    const std::string sql =
        "WITH " + published_tables(conn.server_version()) +
        " SELECT t.ord, 'rule ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(r.rulename::pg_catalog.text)"
        "       OPERATOR(pg_catalog.||) ' rewrites its DELETE'"
        "  FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(rel, ord)"
        "  JOIN pg_catalog.pg_rewrite r ON r.ev_class = t.rel AND r.ev_type = '4'"
        " UNION ALL "
        "SELECT pb.ord, pg_catalog.format('publication \"%s\" includes it, and its subscribers would receive"
        " every old row as a delete', pb.pubname)"
        "  FROM published pb"
        " UNION ALL "
        "SELECT t.ord, pg_catalog.format('role %I may not DELETE from it', CURRENT_USER)"
        "  FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(rel, ord)"
        " WHERE NOT pg_catalog.has_table_privilege(t.rel, 'DELETE')"
        // A foreign key's ON DELETE action made to fire in replica sessions (ENABLE ALWAYS or ENABLE
        // REPLICA TRIGGER ALL) would change the referencing rows.
        " UNION ALL "
        "SELECT t.ord, pg_catalog.format('the action of foreign key %I of table %s fires for DELETE in"
        " replica sessions', f.conname, f.conrelid::pg_catalog.regclass)"
        "  FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(rel, ord)"
        "  JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = t.rel AND tg.tgenabled IN ('A', 'R')"
        "       AND (tg.tgtype::pg_catalog.int4 & 8) <> 0"  // TRIGGER_TYPE_DELETE
        "  JOIN pg_catalog.pg_constraint f ON f.oid = tg.tgconstraint AND f.contype = 'f'"
        " WHERE $2::pg_catalog.bool"
        " ORDER BY 1, 2";
    std::vector<DeleteBlocker> found;
    if (tables.empty())
        return found;
    Result result = conn.exec(sql, {oid_array(tables), replica_role ? "true" : "false"});
    for (int row = 0; row < PQntuples(result.get()); row++)
        found.push_back({ordinal(result.get(), row), value(result.get(), row, 1)});
    return found;
}

std::vector<KeyReference> key_references(Connection &conn, const std::vector<RemoteTable> &tables,
                                         const std::vector<std::string> &cloned_oids) {
    if (!send_key_references(conn, tables, cloned_oids))
        return {};
    return read_key_references(conn);
}

bool send_key_references(Connection &conn, const std::vector<RemoteTable> &tables,
                         const std::vector<std::string> &cloned_oids) {
    // Every foreign key whose referenced table is one of those given or a partition of one (a
    // partitioned referenced table has one constraint per partition, children of the top-level one),
    // climbed to its top-level constraint, which the check reads.
    static const std::string sql =
        std::string("WITH RECURSIVE ") + tables_and_partitions +
        // The cloned tables and their partitions, through pg_inherits: pg_partition_tree would lock
        // them, and another stream's session locks them for the clone.
        ", cloned AS ("
        "    SELECT c.rel AS relid FROM pg_catalog.unnest($2::pg_catalog.oid[]) AS c(rel)"
        "    UNION"
        "    SELECT i.inhrelid FROM cloned c JOIN pg_catalog.pg_inherits i ON i.inhparent = c.relid"
        "      JOIN pg_catalog.pg_class k ON k.oid = i.inhrelid AND k.relispartition"
        "), up AS ("
        "    SELECT r.ord, f.conrelid AS referrer, f.oid, f.conparentid"
        "      FROM rels r JOIN pg_catalog.pg_constraint f ON f.confrelid = r.relid AND f.contype = 'f'"
        "    UNION"
        "    SELECT u.ord, u.referrer, p.oid, p.conparentid"
        "      FROM up u JOIN pg_catalog.pg_constraint p ON p.oid = u.conparentid"
        ")"
        " SELECT DISTINCT u.ord, (SELECT pg_catalog.min(r.ord) FROM rels r WHERE r.relid = u.referrer),"
        "        EXISTS (SELECT FROM cloned c WHERE c.relid = u.referrer),"
        "        top.oid, top.conname::pg_catalog.text, n.nspname::pg_catalog.text, "
        "k.relname::pg_catalog.text"
        "   FROM up u JOIN pg_catalog.pg_constraint top ON top.oid = u.oid"
        "   JOIN pg_catalog.pg_class k ON k.oid = top.conrelid"
        "   JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace"
        "  WHERE u.conparentid = 0"
        "  ORDER BY 1, 5, 2";
    if (tables.empty())
        return false;
    conn.send(sql, {oid_array(tables), oid_array(cloned_oids)});
    return true;
}

std::vector<KeyReference> read_key_references(Connection &conn) {
    Result result = conn.finish_statement();
    std::vector<KeyReference> found;
    const PGresult *r = result.get();
    for (int row = 0; row < PQntuples(r); row++) {
        KeyReference ref;
        ref.table = ordinal(r, row);
        if (!PQgetisnull(r, row, 1))
            ref.from = std::stoul(value(r, row, 1)) - 1;
        ref.from_cloned = value(r, row, 2) == "t";
        ref.constraint_oid = value(r, row, 3);
        ref.constraint = value(r, row, 4);
        ref.referencing = display_name(value(r, row, 5), value(r, row, 6));
        found.push_back(std::move(ref));
    }
    return found;
}

namespace {

// Each constraint ($1, oids) with its key columns, one row per column pair in key order.
const char *const foreign_key_columns =
    "keys AS ("
    "    SELECT t.ord, f.oid AS con, k.i, fa.attname AS fk_column, fa.atttypid AS fk_type,"
    "           fa.attcollation AS fk_collation, pa.attname AS pk_column, pa.atttypid AS pk_type,"
    "           pa.attcollation AS pk_collation, k.op"
    "      FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS t(con, ord)"
    "      JOIN pg_catalog.pg_constraint f ON f.oid = t.con"
    "     CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(f.conkey), pg_catalog.unnest(f.confkey),"
    "                                   pg_catalog.unnest(f.conpfeqop)) WITH ORDINALITY AS k(fk, pk, op, i)"
    "      JOIN pg_catalog.pg_attribute fa ON fa.attrelid = f.conrelid AND fa.attnum = k.fk"
    "      JOIN pg_catalog.pg_attribute pa ON pa.attrelid = f.confrelid AND pa.attnum = k.pk"
    ")";

}  // namespace

std::vector<ForeignKeyCheck> foreign_key_checks(Connection &conn,
                                                const std::vector<std::string> &constraints) {
    // As RI_Initial_Check writes its query: the operator's input types cast to where a column's type
    // differs, and the referenced column's collation where the two columns' differ.
    static const std::string sql =
        std::string("WITH ") + foreign_key_columns +
        " SELECT k.ord, f.conname::pg_catalog.text, f.confmatchtype = 'f',"
        "        fn.nspname::pg_catalog.text, fc.relname::pg_catalog.text, fc.relkind = 'p',"
        "        pn.nspname::pg_catalog.text, pc.relname::pg_catalog.text, pc.relkind = 'p',"
        "        k.fk_column::pg_catalog.text, k.pk_column::pg_catalog.text,"
        "        opn.nspname::pg_catalog.text, o.oprname::pg_catalog.text,"
        "        CASE WHEN k.pk_type <> o.oprleft THEN pg_catalog.format_type(o.oprleft, NULL) END,"
        "        CASE WHEN k.fk_type <> o.oprright THEN pg_catalog.format_type(o.oprright, NULL) END,"
        "        cn.nspname::pg_catalog.text, co.collname::pg_catalog.text"
        "   FROM keys k"
        "   JOIN pg_catalog.pg_constraint f ON f.oid = k.con"
        "   JOIN pg_catalog.pg_class fc ON fc.oid = f.conrelid"
        "   JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace"
        "   JOIN pg_catalog.pg_class pc ON pc.oid = f.confrelid"
        "   JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
        "   JOIN pg_catalog.pg_operator o ON o.oid = k.op"
        "   JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace"
        "   LEFT JOIN pg_catalog.pg_collation co"
        "     ON co.oid = k.pk_collation AND k.pk_collation <> k.fk_collation"
        "   LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
        "  ORDER BY k.ord, k.i";
    std::vector<ForeignKeyCheck> checks(constraints.size());
    if (constraints.empty())
        return checks;
    Result result = conn.exec(sql, {oid_array(constraints)});
    const PGresult *r = result.get();
    auto text = [&](int row, int column) {
        return PQgetisnull(r, row, column) ? std::string() : value(r, row, column);
    };
    for (int row = 0; row < PQntuples(r); row++) {
        size_t i = ordinal(r, row);
        ForeignKeyCheck &fk = checks.at(i);
        if (fk.columns.empty()) {
            fk.oid = constraints[i];
            fk.name = text(row, 1);
            fk.match_full = text(row, 2) == "t";
            fk.referencing = {text(row, 3), text(row, 4), text(row, 5) == "t"};
            fk.referenced = {text(row, 6), text(row, 7), text(row, 8) == "t"};
        }
        fk.columns.push_back({text(row, 9), text(row, 10), text(row, 11), text(row, 12), text(row, 13),
                              text(row, 14), text(row, 15), text(row, 16)});
    }
    return checks;
}

std::vector<ForeignCode> foreign_key_code(Connection &conn, const std::vector<std::string> &constraints) {
    static const std::string sql =
        std::string("WITH RECURSIVE ") + foreign_key_columns +
        // The key columns' types and what they are made of: their values are printed (the DETAIL).
        ", types AS ("
        "    SELECT k.ord, k.con, k.fk_type AS typid FROM keys k"
        "    UNION"
        "    SELECT t.ord, t.con, x.typid"
        "      FROM types t JOIN pg_catalog.pg_type ty ON ty.oid = t.typid"
        "     CROSS JOIN LATERAL ("
        "           SELECT ty.typbasetype WHERE ty.typbasetype <> 0"
        "           UNION ALL SELECT ty.typelem WHERE ty.typelem <> 0"
        "           UNION ALL SELECT ca.atttypid FROM pg_catalog.pg_attribute ca"
        "                      WHERE ty.typrelid <> 0 AND ca.attrelid = ty.typrelid"
        "                        AND ca.attnum > 0 AND NOT ca.attisdropped"
        "           UNION ALL SELECT rg.rngsubtype FROM pg_catalog.pg_range rg WHERE rg.rngtypid = ty.oid"
        "     ) AS x(typid)"
        "), functions AS ("
        "    SELECT k.ord, k.con, f.fn"
        "      FROM keys k JOIN pg_catalog.pg_operator o ON o.oid = k.op"
        "     CROSS JOIN LATERAL (VALUES (o.oprcode::pg_catalog.oid), (o.oprrest::pg_catalog.oid),"
        "                                (o.oprjoin::pg_catalog.oid)) AS f(fn)"
        "    UNION ALL"
        // A hash or merge join calls the support functions of the operator's families.
        "    SELECT k.ord, k.con, ap.amproc::pg_catalog.oid"
        "      FROM keys k JOIN pg_catalog.pg_amop am ON am.amopopr = k.op"
        "      JOIN pg_catalog.pg_amproc ap ON ap.amprocfamily = am.amopfamily"
        "    UNION ALL"
        "    SELECT k.ord, k.con, ca.castfunc"
        "      FROM keys k JOIN pg_catalog.pg_operator o ON o.oid = k.op"
        "      JOIN pg_catalog.pg_cast ca ON (ca.castsource = k.pk_type AND ca.casttarget = o.oprleft)"
        "                                 OR (ca.castsource = k.fk_type AND ca.casttarget = o.oprright)"
        "    UNION ALL"
        "    SELECT t.ord, t.con, ty.typoutput::pg_catalog.oid"
        "      FROM types t JOIN pg_catalog.pg_type ty ON ty.oid = t.typid"
        ")"
        " SELECT DISTINCT f.ord,"
        "        pg_catalog.format('the check of foreign key \"%s\" on %s', c.conname,"
        "                          c.conrelid::pg_catalog.regclass),"
        "        f.fn::pg_catalog.regprocedure::pg_catalog.text,"
        "        pg_catalog.pg_get_userbyid(p.proowner)::pg_catalog.text"
        "   FROM functions f JOIN pg_catalog.pg_proc p ON p.oid = f.fn"
        "   JOIN pg_catalog.pg_constraint c ON c.oid = f.con"
        "   JOIN pg_catalog.pg_roles owner ON owner.oid = p.proowner"
        "  WHERE NOT owner.rolsuper AND owner.rolname <> CURRENT_USER"
        "  ORDER BY 1, 2, 3";
    std::vector<ForeignCode> found;
    if (constraints.empty())
        return found;
    Result result = conn.exec(sql, {oid_array(constraints)});
    const PGresult *r = result.get();
    for (int row = 0; row < PQntuples(r); row++)
        found.push_back({ordinal(r, row), value(r, row, 1), value(r, row, 2), value(r, row, 3)});
    return found;
}

}  // namespace pgclone
