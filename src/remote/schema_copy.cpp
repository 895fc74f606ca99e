// clone(..., target_names): a table written under another name on the targets; and clone(..., schema =>
// 'create'): a table missing on a target is created there from the source's definition, in the clone's
// transaction, by PostgreSQL's own pg_dump and pg_restore (the server's, RunnerOptions::run_tool).
//
// What is dumped, from the first source, in the clone's snapshot (pg_dump --snapshot):
//   the tables  pg_dump -Fc --schema-only -t each table to create and each of its partitions: the tables
//               with their columns, defaults, identity and generated columns, constraints, owned
//               sequences, comments (pre-data), and their keys, indexes, foreign keys, triggers, rules,
//               policies (post-data), and their grants;
//   what they need  pg_dump -t leaves out the schemas, types (enum, composite, domain, range) and
//               functions the tables use: those are found on the source (pg_depend, from the tables and
//               what belongs to them, through types and functions, never into another table nor an
//               extension's objects), and those a target lacks are picked from a dump of their schemas
//               (pg_dump -Fc --schema-only -n), entry by entry (pg_restore -l, then -L).
// Each target gets, in its one writing session: before the rows, what it lacks and the tables
// (pg_restore --section=pre-data, without owners, grants and tablespaces); after the rows, the keys,
// indexes, foreign keys among the cloned tables, triggers and policies (--section=post-data); at the
// end, the owners (ALTER ... OWNER TO, for the roles the target has), the grants (the dumps' own ACL
// entries, where every role they name exists there) and the target names. Until then the clone's login
// role owns everything created, and no code of another role runs: a function the created objects use
// that the target already has must belong to the session's role or a superuser.

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "core/dump_script.hpp"
#include "core/session_settings.hpp"
#include "remote/clone_run.hpp"

namespace pgclone {

namespace {

constexpr const char *duplicate_table = "42P07";
constexpr const char *feature_not_supported = "0A000";
constexpr const char *system_error = "58000";

const char *cell(const PGresult *r, int row, int column) { return PQgetvalue(r, row, column); }

std::string conninfo_value(const std::string &value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "'";
}

struct ConninfoFree {
    void operator()(PQconninfoOption *o) const noexcept { PQconninfoFree(o); }
};

// A directory of our own under scratch_dir, removed with its files on every way out.
class ScratchDir {
  public:
    explicit ScratchDir(const std::string &base) {
        std::string pattern = base + "/pgsql_tmp_pg_clone_XXXXXX";
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        if (!mkdtemp(buffer.data()))
            throw Error(system_error,
                        "could not create a directory in \"" + base + "\": " + std::strerror(errno));
        path_ = buffer.data();
    }
    ScratchDir(const ScratchDir &) = delete;
    ScratchDir &operator=(const ScratchDir &) = delete;
    ~ScratchDir() {
        for (const std::string &f : files_)
            ::unlink(f.c_str());
        ::rmdir(path_.c_str());
    }
    std::string file(const std::string &name) {
        files_.push_back(path_ + "/" + name);
        return files_.back();
    }
    void write(const std::string &path, const std::string &text) const {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush())
            throw Error(system_error, "could not write \"" + path + "\"");
    }

  private:
    std::string path_;
    std::vector<std::string> files_;
};

// An object the created tables need (a schema, type, domain, function, procedure, collation or sequence),
// or a table or sequence created: as the source describes it.
struct NeededObject {
    std::string kind;  // SCHEMA, TYPE, DOMAIN, FUNCTION, PROCEDURE, COLLATION, SEQUENCE, TABLE
    std::string catalog, oid;
    std::string schema, name, args;
    std::string tag;        // as pg_dump's COMMENT and ACL entries name it: TYPE mood
    std::string qualified;  // as ALTER ... OWNER TO names it
    std::string owner;
    std::vector<std::string> roles;  // named by its grants
    std::string table;               // an owned sequence: its table's oid
    bool security_definer = false;   // a function that runs with its owner's rights
};

const char *const roles_of_acl =
    "pg_catalog.array_to_string(ARRAY(SELECT DISTINCT pg_catalog.pg_get_userbyid(a.r)"
    " FROM pg_catalog.aclexplode(%ACL%) e"
    " CROSS JOIN LATERAL (VALUES (e.grantee), (e.grantor)) a(r) WHERE a.r <> 0), E'\\n')";

std::string roles_sql(const std::string &acl) {
    std::string sql = roles_of_acl;
    sql.replace(sql.find("%ACL%"), 5, acl);
    return sql;
}

// The schemas, types, functions, collations and sequences that the tables (oids) and what belongs to them
// (columns, defaults, constraints, indexes, triggers, policies, rules, owned sequences) depend on, through
// types and functions: never into another table, nor into an extension's objects or PostgreSQL's own.
std::vector<NeededObject> needed_objects(Connection &conn, const std::vector<std::string> &oids) {
    std::string sql = R"(
WITH RECURSIVE objs(classid, objid) AS (
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, t
      FROM pg_catalog.unnest($1::pg_catalog.oid[]) t
  UNION
    SELECT n.c, n.o
      FROM objs o
      JOIN pg_catalog.pg_depend d
        ON (d.classid = o.classid AND d.objid = o.objid AND d.deptype IN ('n', 'a', 'i'))
        OR (d.refclassid = o.classid AND d.refobjid = o.objid AND d.deptype IN ('a', 'i')
            AND o.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_type'::pg_catalog.regclass)
            AND d.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_constraint'::pg_catalog.regclass,
                              'pg_catalog.pg_trigger'::pg_catalog.regclass, 'pg_catalog.pg_policy'::pg_catalog.regclass,
                              'pg_catalog.pg_attrdef'::pg_catalog.regclass, 'pg_catalog.pg_rewrite'::pg_catalog.regclass))
      CROSS JOIN LATERAL (SELECT d.classid = o.classid AND d.objid = o.objid AS forward) f
      CROSS JOIN LATERAL (SELECT CASE WHEN f.forward THEN d.refclassid ELSE d.classid END AS c,
                                 CASE WHEN f.forward THEN d.refobjid ELSE d.objid END AS o) n
     WHERE (n.o >= 16384 OR n.c = 'pg_catalog.pg_namespace'::pg_catalog.regclass)
       AND (n.c IN ('pg_catalog.pg_type'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass,
                    'pg_catalog.pg_namespace'::pg_catalog.regclass, 'pg_catalog.pg_collation'::pg_catalog.regclass,
                    'pg_catalog.pg_constraint'::pg_catalog.regclass, 'pg_catalog.pg_trigger'::pg_catalog.regclass,
                    'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass,
                    'pg_catalog.pg_rewrite'::pg_catalog.regclass)
            OR (n.c = 'pg_catalog.pg_class'::pg_catalog.regclass
                AND (NOT f.forward OR n.o = ANY ($1::pg_catalog.oid[])
                     OR EXISTS (SELECT FROM pg_catalog.pg_class r WHERE r.oid = n.o AND r.relkind IN ('c', 'S')))))
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend e
                        WHERE e.classid = n.c AND e.objid = n.o AND e.deptype = 'e')
)
SELECT x.kind, o.classid::pg_catalog.regclass::pg_catalog.text, o.objid::pg_catalog.text, x.schema, x.name,
       x.args, x.tag, x.qualified, x.owner, x.roles,
       EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE o.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                  AND p.oid = o.objid AND p.prosecdef)
  FROM objs o
 CROSS JOIN LATERAL (
    SELECT 'SCHEMA' AS kind, '' AS schema, s.nspname::pg_catalog.text AS name, '' AS args,
           'SCHEMA ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.nspname) AS tag,
           pg_catalog.quote_ident(s.nspname) AS qualified, pg_catalog.pg_get_userbyid(s.nspowner) AS owner,
           %NSPACL% AS roles
      FROM pg_catalog.pg_namespace s
     WHERE o.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND s.oid = o.objid
       AND s.nspname NOT LIKE 'pg\_%' AND s.nspname <> 'information_schema'
    UNION ALL
    SELECT k.kind, s.nspname, t.typname, '', k.kind OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.typname),
           pg_catalog.quote_ident(s.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.typname),
           pg_catalog.pg_get_userbyid(t.typowner), %TYPACL%
      FROM pg_catalog.pg_type t
      JOIN pg_catalog.pg_namespace s ON s.oid = t.typnamespace
     CROSS JOIN LATERAL (SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END AS kind) k
     WHERE o.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = o.objid AND t.typtype IN ('e', 'c', 'd', 'r')
       AND (t.typrelid = 0 OR EXISTS (SELECT FROM pg_catalog.pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))
    UNION ALL
    SELECT k.kind, s.nspname, p.proname, a.args,
           k.kind OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(p.proname) OPERATOR(pg_catalog.||) '(' OPERATOR(pg_catalog.||) a.args OPERATOR(pg_catalog.||) ')',
           pg_catalog.quote_ident(s.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(p.proname) OPERATOR(pg_catalog.||) '(' OPERATOR(pg_catalog.||) a.args OPERATOR(pg_catalog.||) ')',
           pg_catalog.pg_get_userbyid(p.proowner), %PROACL%
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace s ON s.oid = p.pronamespace
     CROSS JOIN LATERAL (SELECT pg_catalog.pg_get_function_identity_arguments(p.oid) AS args) a
     CROSS JOIN LATERAL (SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END AS kind) k
     WHERE o.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = o.objid AND p.prokind IN ('f', 'p')
    UNION ALL
    SELECT 'COLLATION', s.nspname, c.collname, '', 'COLLATION ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.collname),
           pg_catalog.quote_ident(s.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.collname),
           pg_catalog.pg_get_userbyid(c.collowner), ''
      FROM pg_catalog.pg_collation c
      JOIN pg_catalog.pg_namespace s ON s.oid = c.collnamespace
     WHERE o.classid = 'pg_catalog.pg_collation'::pg_catalog.regclass AND c.oid = o.objid
    UNION ALL
    SELECT 'SEQUENCE', s.nspname, c.relname, '', 'SEQUENCE ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),
           pg_catalog.quote_ident(s.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),
           pg_catalog.pg_get_userbyid(c.relowner), %RELACL%
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
     WHERE o.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = o.objid AND c.relkind = 'S'
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                          AND d.refobjid = ANY ($1::pg_catalog.oid[]) AND d.deptype IN ('a', 'i'))
 ) x
 ORDER BY 1, 4, 5, 6)";
    auto put = [&](const char *key, const std::string &acl) {
        sql.replace(sql.find(key), std::strlen(key), roles_sql(acl));
    };
    put("%NSPACL%", "s.nspacl");
    put("%TYPACL%", "t.typacl");
    put("%PROACL%", "p.proacl");
    put("%RELACL%", "c.relacl");
    Result result = conn.exec(sql, {text_array_literal(oids)});
    std::vector<NeededObject> found;
    const PGresult *r = result.get();
    for (int i = 0; i < PQntuples(r); i++) {
        NeededObject o;
        o.kind = cell(r, i, 0);
        o.catalog = cell(r, i, 1);
        o.oid = cell(r, i, 2);
        o.schema = cell(r, i, 3);
        o.name = cell(r, i, 4);
        o.args = cell(r, i, 5);
        o.tag = cell(r, i, 6);
        o.qualified = cell(r, i, 7);
        o.owner = cell(r, i, 8);
        o.roles = lines_of(cell(r, i, 9));
        o.security_definer = cell(r, i, 10)[0] == 't';
        found.push_back(std::move(o));
    }
    return found;
}

// The tables to create (oids) and the sequences they own, as created objects.
std::vector<NeededObject> created_relations(Connection &conn, const std::vector<std::string> &oids) {
    std::string sql = R"(
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::pg_catalog.text, s.nspname, c.relname,
       CASE c.relkind WHEN 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),
       pg_catalog.quote_ident(s.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),
       pg_catalog.pg_get_userbyid(c.relowner),
       pg_catalog.concat_ws(E'\n', %RELACL%, (SELECT pg_catalog.string_agg(%ATTACL%, E'\n')
                                             FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attacl IS NOT NULL)),
       (SELECT d.refobjid::pg_catalog.text FROM pg_catalog.pg_depend d
         WHERE c.relkind = 'S' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.refobjid = ANY ($1::pg_catalog.oid[]) AND d.deptype IN ('a', 'i') LIMIT 1)
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
 WHERE c.oid = ANY ($1::pg_catalog.oid[])
    OR (c.relkind = 'S' AND EXISTS (SELECT FROM pg_catalog.pg_depend d
                                     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                                       AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                       AND d.refobjid = ANY ($1::pg_catalog.oid[]) AND d.deptype IN ('a', 'i')))
 ORDER BY 3, 4)";
    sql.replace(sql.find("%RELACL%"), 8, roles_sql("c.relacl"));
    sql.replace(sql.find("%ATTACL%"), 8, roles_sql("a.attacl"));
    Result result = conn.exec(sql, {text_array_literal(oids)});
    std::vector<NeededObject> found;
    const PGresult *r = result.get();
    for (int i = 0; i < PQntuples(r); i++) {
        NeededObject o;
        o.kind = cell(r, i, 0);
        o.catalog = "pg_class";
        o.oid = cell(r, i, 1);
        o.schema = cell(r, i, 2);
        o.name = cell(r, i, 3);
        o.tag = cell(r, i, 4);
        o.qualified = cell(r, i, 5);
        o.owner = cell(r, i, 6);
        for (std::string &role : lines_of(cell(r, i, 7)))
            if (!role.empty() && std::find(o.roles.begin(), o.roles.end(), role) == o.roles.end())
                o.roles.push_back(std::move(role));
        o.table = cell(r, i, 8);
        found.push_back(std::move(o));
    }
    return found;
}

// For each object: whether the target has one of that kind and name (functions: and arguments); and for a
// function it has, its owner when that is neither the session's role nor a superuser.
std::vector<std::pair<bool, std::string>> present_on(Connection &conn,
                                                     const std::vector<NeededObject> &objects) {
    std::vector<std::string> kinds, schemas, names, args;
    for (const NeededObject &o : objects) {
        kinds.push_back(o.kind);
        schemas.push_back(o.schema);
        names.push_back(o.name);
        args.push_back(o.args);
    }
    Result result = conn.exec(R"(
SELECT CASE k.kind
         WHEN 'SCHEMA' THEN EXISTS (SELECT FROM pg_catalog.pg_namespace s WHERE s.nspname = k.name)
         WHEN 'COLLATION' THEN EXISTS (SELECT FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace s ON s.oid = c.collnamespace
                                        WHERE s.nspname = k.schema AND c.collname = k.name)
         WHEN 'SEQUENCE' THEN EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
                                       WHERE s.nspname = k.schema AND c.relname = k.name)
         WHEN 'FUNCTION' THEN p.oid IS NOT NULL
         WHEN 'PROCEDURE' THEN p.oid IS NOT NULL
         ELSE EXISTS (SELECT FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace s ON s.oid = t.typnamespace
                       WHERE s.nspname = k.schema AND t.typname = k.name)
       END,
       CASE WHEN p.oid IS NOT NULL AND p.proowner <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER)
                 AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = p.proowner)
            THEN pg_catalog.pg_get_userbyid(p.proowner) ELSE '' END
  FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[]),
                  pg_catalog.unnest($3::pg_catalog.text[]), pg_catalog.unnest($4::pg_catalog.text[]))
       WITH ORDINALITY AS k(kind, schema, name, args, ord)
  LEFT JOIN LATERAL (SELECT f.oid, f.proowner FROM pg_catalog.pg_proc f JOIN pg_catalog.pg_namespace s ON s.oid = f.pronamespace
                      WHERE k.kind IN ('FUNCTION', 'PROCEDURE') AND s.nspname = k.schema AND f.proname = k.name
                        AND pg_catalog.pg_get_function_identity_arguments(f.oid) = k.args) p ON true
 ORDER BY k.ord)",
                              {text_array_literal(kinds), text_array_literal(schemas),
                               text_array_literal(names), text_array_literal(args)});
    std::vector<std::pair<bool, std::string>> out;
    for (int i = 0; i < PQntuples(result.get()); i++)
        out.emplace_back(cell(result.get(), i, 0)[0] == 't', cell(result.get(), i, 1));
    return out;
}

std::set<std::string> roles_present(Connection &conn, const std::set<std::string> &roles) {
    Result result = conn.exec(
        "SELECT r FROM pg_catalog.unnest($1::pg_catalog.text[]) r WHERE EXISTS "
        "(SELECT FROM pg_catalog.pg_roles o WHERE o.rolname = r)",
        {text_array_literal(std::vector<std::string>(roles.begin(), roles.end()))});
    std::set<std::string> out;
    for (int i = 0; i < PQntuples(result.get()); i++)
        out.insert(cell(result.get(), i, 0));
    return out;
}

struct ForeignKeyPlan {
    std::string oid, name, table, referenced;
    bool among_cloned = false;
    std::string quoted;  // as pg_dump names it: quoted where needed
};

}  // namespace

// The name a table has on a database: the source's, or target_names' on a target (never on a source).
// A table being created keeps the source's name until the end (finish_created).
TableName CloneRun::name_on(size_t db, size_t t) const {
    const RemoteTable &source = tables_[t];
    bool target_only = std::find(plan_.sources.begin(), plan_.sources.end(), db) == plan_.sources.end();
    bool creating = dbs_[db].create.size() > t && dbs_[db].create[t];
    if (target_only && !creating && renamed_.size() > t && renamed_[t])
        return *renamed_[t];
    return {source.schema, source.name};
}

// target_names: each key names one of the clone's tables, by the list's name for it or its
// schema-qualified name; an unqualified target name is in the source table's schema.
void CloneRun::resolve_target_names() {
    renamed_.assign(tables_.size(), std::nullopt);
    if (job_.target_names.empty())
        return;
    if (plan_.sources.size() > 1)
        throw Error(sqlstate::invalid_parameter_value, "target_names needs a clone with one source", "",
                    "With several sources every database is read and written under the same names.");
    for (const auto &[key, target] : job_.target_names) {
        std::vector<TableName> keys = parse_table_list(key), targets = parse_table_list(target);
        if (keys.size() != 1 || targets.size() != 1 || keys[0].is_pattern() || targets[0].is_pattern())
            throw Error(sqlstate::invalid_parameter_value,
                        "invalid target_names entry \"" + key + "\": \"" + target + "\"");
        const TableName &k = keys[0];
        std::vector<size_t> matched;
        for (size_t t = 0; t < tables_.size(); t++) {
            bool by_list = listed_as_[t] && *listed_as_[t] == k;
            bool by_name = k.schema && *k.schema == tables_[t].schema && k.name == tables_[t].name;
            if (by_list || by_name)
                matched.push_back(t);
        }
        if (matched.empty() && !k.schema)
            for (size_t t = 0; t < tables_.size(); t++)
                if (tables_[t].name == k.name)
                    matched.push_back(t);
        if (matched.size() != 1)
            throw Error(sqlstate::undefined_table,
                        matched.empty()
                            ? "target_names names table \"" + key + "\", which the clone does not copy"
                            : "target_names entry \"" + key + "\" matches several of the clone's tables",
                        "", "Name it schema-qualified, as on the first source.")
                .in_database(job_.dbs[plan_.sources.front()].name);
        size_t t = matched.front();
        TableName to = targets[0];
        if (!to.schema)
            to.schema = tables_[t].schema;
        if (renamed_[t])
            throw Error(sqlstate::invalid_parameter_value,
                        "target_names renames table " + tables_[t].label + " twice");
        renamed_[t] = to;
        notes_.push_back(tables_[t].label + " → " + display_name(*to.schema, to.name));
    }
}

// Where tables are created, one stream: objects created in a session's open transaction exist for it
// alone.
void CloneRun::one_session_for_schema() {
    if (creating_on_.empty() || stream_tables_.size() < 2)
        return;
    notes_.push_back(join(creating_on_, ", ") + ": tables created: one session per target database");
    join_streams("tables are created on " + join(creating_on_, ", ") + ", through one session per target database");
}

// Before anything is written: which tables each target lacks, the dumps, and each target's scripts.
void CloneRun::plan_schema() {
    resolve_target_names();
    for (size_t w : plan_.writers)
        dbs_[w].create.assign(tables_.size(), false);
    if (!job_.schema_create)
        return;
    std::vector<size_t> creating_on;
    std::vector<bool> any_table(tables_.size());
    for (size_t w : plan_.writers) {
        if (std::find(plan_.sources.begin(), plan_.sources.end(), w) != plan_.sources.end())
            continue;
        Connection &conn = writer(w);
        std::vector<TableName> names, sources;
        for (size_t t = 0; t < tables_.size(); t++) {
            names.push_back(name_on(w, t));
            sources.push_back({tables_[t].schema, tables_[t].name});
        }
        auto found = describe_tables(conn, names);
        auto found_source = describe_tables(conn, sources);
        for (size_t t = 0; t < tables_.size(); t++) {
            if (found[t])
                continue;
            // Created under the source's name, renamed at the end: the name must be free.
            if (renamed_[t] && found_source[t])
                throw Error(duplicate_table,
                            "cannot create table " + tables_[t].label + " as " +
                                display_name(*renamed_[t]->schema, renamed_[t]->name) +
                                ": a relation named " + tables_[t].label + " exists there",
                            "A table to create under another name is created under the source's name first, "
                            "and renamed before the commit.",
                            "Rename or drop relation " + tables_[t].label +
                                " there, or create the table yourself.")
                    .in_database(job_.dbs[w].name);
            dbs_[w].create[t] = true;
            any_table[t] = true;
        }
        if (std::find(dbs_[w].create.begin(), dbs_[w].create.end(), true) != dbs_[w].create.end())
            creating_on.push_back(w);
    }
    if (creating_on.empty())
        return;

    // Objects created in a session's open transaction exist for it alone: once the streams are
    // planned, run() joins them into one (one_session_for_schema).
    creating_on_.clear();
    for (size_t w : creating_on)
        creating_on_.push_back(job_.dbs[w].name);

    size_t first = plan_.sources.front();
    Connection &source = reader(first);
    const std::string &source_name = job_.dbs[first].name;
    if (!options_.run_tool)
        throw Error(feature_not_supported, "schema => 'create' is not available here")
            .in_database(source_name);
    if (options_.tool_version / 10000 < source.server_version() / 10000)
        throw Error(
            feature_not_supported,
            "pg_dump " + std::to_string(options_.tool_version / 10000) +
                " cannot dump the source's PostgreSQL " + std::to_string(source.server_version() / 10000),
            "schema => 'create' runs the pg_dump of the server pg_clone runs in, which dumps servers of "
            "its own version or older only.",
            "Run the clone from a server of version " + std::to_string(source.server_version() / 10000) +
                " or later, or create the tables on the targets first (schema => 'existing').")
            .in_database(source_name);
    reached("before_dump");  // the source's tables are locked (pg_clone.test_pause_at may hold the clone here)
    phase("dumping the tables' definitions from " + source_name);

    // Every cloned table with its partitions (the foreign keys among them are created), and per table to
    // create, what pg_dump -t must name: itself and its partitions.
    std::vector<std::string> roots;
    for (const RemoteTable &t : tables_)
        roots.push_back(t.oid);
    Result tree = source.exec(R"(
WITH RECURSIVE tree(root, oid) AS (
    SELECT r, r FROM pg_catalog.unnest($1::pg_catalog.oid[]) r
  UNION ALL
    SELECT tree.root, i.inhrelid FROM tree
      JOIN pg_catalog.pg_inherits i ON i.inhparent = tree.oid
      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid AND c.relispartition)
SELECT tree.root::pg_catalog.text, c.oid::pg_catalog.text, s.nspname, c.relname
  FROM tree JOIN pg_catalog.pg_class c ON c.oid = tree.oid JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace)",
                              {text_array_literal(roots)});
    std::map<std::string, std::vector<std::pair<std::string, TableName>>> members;  // root oid -> (oid, name)
    std::vector<std::string> cloned_oids;
    for (int i = 0; i < PQntuples(tree.get()); i++) {
        members[cell(tree.get(), i, 0)].push_back(
            {cell(tree.get(), i, 1), {cell(tree.get(), i, 2), cell(tree.get(), i, 3)}});
        cloned_oids.push_back(cell(tree.get(), i, 1));
    }
    auto created_oids = [&](const std::vector<bool> &which) {
        std::vector<std::string> oids;
        for (size_t t = 0; t < tables_.size(); t++)
            if (which[t])
                for (const auto &m : members[tables_[t].oid])
                    oids.push_back(m.first);
        return oids;
    };
    std::vector<std::string> all_created = created_oids(any_table);
    std::vector<NeededObject> needed = needed_objects(source, all_created);
    std::vector<NeededObject> relations = created_relations(source, all_created);
    // Foreign keys are created among the cloned tables only.
    Result keys = source.exec(R"(
SELECT k.oid::pg_catalog.text, k.conname,
       pg_catalog.quote_ident(s.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),
       pg_catalog.quote_ident(fs.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(f.relname),
       k.confrelid = ANY ($2::pg_catalog.oid[]), pg_catalog.quote_ident(k.conname)
  FROM pg_catalog.pg_constraint k
  JOIN pg_catalog.pg_class c ON c.oid = k.conrelid JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
  JOIN pg_catalog.pg_class f ON f.oid = k.confrelid JOIN pg_catalog.pg_namespace fs ON fs.oid = f.relnamespace
 WHERE k.contype = 'f' AND k.conrelid = ANY ($1::pg_catalog.oid[]))",
                              {text_array_literal(all_created), text_array_literal(cloned_oids)});
    std::map<std::string, ForeignKeyPlan> foreign_keys;
    for (int i = 0; i < PQntuples(keys.get()); i++)
        foreign_keys[cell(keys.get(), i, 0)] = {cell(keys.get(), i, 0),           cell(keys.get(), i, 1),
                                                cell(keys.get(), i, 2),           cell(keys.get(), i, 3),
                                                cell(keys.get(), i, 4)[0] == 't', cell(keys.get(), i, 5)};

    // pg_dump reads in the clone's snapshot, with the source's connection string and credentials (the
    // password in its environment, not on its command line).
    std::string snapshot = PQgetvalue(source.exec("SELECT pg_catalog.pg_export_snapshot()").get(), 0, 0);
    std::string conninfo, password = job_.dbs[first].login_password;
    {
        char *parse_error = nullptr;
        std::unique_ptr<PQconninfoOption, ConninfoFree> parsed(
            PQconninfoParse(job_.dbs[first].conninfo.c_str(), &parse_error));
        if (!parsed) {
            PQfreemem(parse_error);
            throw Error(sqlstate::invalid_parameter_value, "invalid connection string")
                .in_database(source_name);
        }
        bool has_host = false;
        for (const PQconninfoOption *o = parsed.get(); o->keyword; o++) {
            if (!o->val || !o->val[0])
                continue;
            std::string key = o->keyword;
            if (key == "host" || key == "hostaddr")
                has_host = true;
            if (key == "password") {
                if (password.empty())
                    password = o->val;
                continue;
            }
            if (key == "application_name" || key == "fallback_application_name" ||
                (key == "user" && !job_.dbs[first].login_user.empty()))
                continue;
            conninfo += key + "=" + conninfo_value(o->val) + " ";
        }
        if (!has_host && !options_.connect.host.empty()) {
            conninfo += "host=" + conninfo_value(options_.connect.host) + " ";
            if (!options_.connect.port.empty() && conninfo.find("port=") == std::string::npos)
                conninfo += "port=" + conninfo_value(options_.connect.port) + " ";
        }
        if (!job_.dbs[first].login_user.empty())
            conninfo += "user=" + conninfo_value(job_.dbs[first].login_user) + " ";
        conninfo += "application_name=" + conninfo_value(options_.connect.application_name + " pg_dump");
    }
    std::vector<std::pair<std::string, std::string>> env;
    if (!password.empty())
        env.emplace_back("PGPASSWORD", password);
    ScratchDir dir(options_.scratch_dir);
    auto run = [&](const std::string &program, std::vector<std::string> args) {
        ToolResult result = options_.run_tool({program, std::move(args), env});
        if (result.status != 0) {
            std::string err = result.err;
            while (!err.empty() && (err.back() == '\n' || err.back() == ' '))
                err.pop_back();
            throw Error(
                system_error, program + " failed (exit status " + std::to_string(result.status) + ")", err,
                "schema => 'create' dumps the tables' definitions from the first source with PostgreSQL's "
                "own pg_dump.")
                .in_database(source_name);
        }
        return result.out;
    };
    auto dump = [&](const std::string &file, const std::vector<std::string> &selection) {
        // --no-password: never a prompt (on whatever terminal the server was started from).
        std::vector<std::string> args = {"--schema-only",
                                         "--format=custom",
                                         "--no-sync",
                                         "--no-password",
                                         "--file=" + file,
                                         "--snapshot=" + snapshot,
                                         "--lock-wait-timeout=" +
                                             std::to_string(std::max<long>(1, options_.lock_timeout_ms)),
                                         "--dbname=" + conninfo};
        args.insert(args.end(), selection.begin(), selection.end());
        run("pg_dump", args);
        return parse_toc(run("pg_restore", {"--list", file}));
    };
    auto restore = [&](const std::string &file, const std::string &archive,
                       const std::vector<std::string> &lines, const char *section) -> std::string {
        if (lines.empty())
            return "";
        std::string text;
        for (const std::string &l : lines)
            text += l + "\n";
        dir.write(file, text);
        std::vector<std::string> args = {"--no-owner", "--no-tablespaces", "--no-security-labels",
                                         "--use-list=" + file, "--file=-"};
        if (section) {
            args.push_back("--no-privileges");
            args.push_back(std::string("--section=") + section);
        }
        args.push_back(archive);
        return fit_script(run("pg_restore", args));
    };

    // What they need: one dump of the schemas holding it, when some target lacks some of it.
    std::vector<std::vector<std::pair<bool, std::string>>> present(job_.dbs.size());
    std::set<std::string> needed_schemas;
    for (size_t w : creating_on) {
        present[w] = present_on(writer(w), needed);
        for (size_t i = 0; i < needed.size(); i++) {
            const NeededObject &o = needed[i];
            if (!present[w][i].second.empty())
                throw Error(sqlstate::insufficient_privilege,
                            "the created tables would use " +
                                std::string(o.kind == "FUNCTION" ? "function " : "procedure ") + o.qualified +
                                ", owned by role \"" + present[w][i].second +
                                "\", with the privileges of role \"" + PQuser(writer(w).raw()) + "\"",
                            "pg_clone runs no code on a target that belongs to a role other than the one it "
                            "connects as, "
                            "unless a superuser owns it.",
                            "Have a superuser or role \"" + std::string(PQuser(writer(w).raw())) +
                                "\" own the function, or create the tables yourself.")
                    .in_database(job_.dbs[w].name);
            if (!present[w][i].first)
                needed_schemas.insert(o.kind == "SCHEMA" ? o.name : o.schema);
        }
        // A SECURITY DEFINER function runs with its owner's rights: created, it would keep the session's
        // (a superuser's, maybe) unless its owner exists there to take it.
        std::vector<std::string> wanted;
        for (size_t i = 0; i < needed.size(); i++)
            if (!present[w][i].first && needed[i].security_definer)
                wanted.push_back(needed[i].owner);
        std::set<std::string> have =
            roles_present(writer(w), std::set<std::string>(wanted.begin(), wanted.end()));
        for (size_t i = 0; i < needed.size(); i++)
            if (!present[w][i].first && needed[i].security_definer && !have.count(needed[i].owner) &&
                needed[i].owner != PQuser(writer(w).raw()))
                throw Error(sqlstate::insufficient_privilege,
                            "cannot create SECURITY DEFINER function " + needed[i].qualified +
                                ": its owner, role \"" + needed[i].owner + "\", does not exist there",
                            "Created, it would run with the rights of role \"" +
                                std::string(PQuser(writer(w).raw())) + "\", which pg_clone connects as.",
                            "Create role \"" + needed[i].owner +
                                "\" there first, or create the function yourself.")
                    .in_database(job_.dbs[w].name);
    }
    std::string needs_archive = dir.file("needs.dump");
    std::vector<TocLine> needs_toc;
    if (!needed_schemas.empty()) {
        std::vector<std::string> selection;
        for (const std::string &s : needed_schemas)
            selection.push_back("--schema=" + exact_pattern(s));
        needs_toc = dump(needs_archive, selection);
    }

    // The tables: one dump per set of tables to create.
    std::map<std::vector<bool>, std::pair<std::string, std::vector<TocLine>>> table_dumps;
    for (size_t w : creating_on) {
        DbState &db = dbs_[w];
        auto &[archive, toc] = table_dumps[db.create];
        if (archive.empty()) {
            archive = dir.file("tables" + std::to_string(table_dumps.size()) + ".dump");
            std::vector<std::string> selection;
            for (size_t t = 0; t < tables_.size(); t++)
                if (db.create[t])
                    for (const auto &m : members[tables_[t].oid])
                        selection.push_back("--table=" + exact_pattern(*m.second.schema) + "." +
                                            exact_pattern(m.second.name));
            toc = dump(archive, selection);
        }
        std::vector<std::string> mine = created_oids(db.create);
        std::set<std::string> mine_set(mine.begin(), mine.end());

        std::set<std::string> roles;
        std::vector<const NeededObject *> made;        // what this target gets, for owners and grants
        std::vector<const NeededObject *> made_needs;  // of which what the tables need
        for (const NeededObject &o : relations)
            if (mine_set.count(o.kind == "TABLE" ? o.oid : o.table))
                made.push_back(&o);
        for (size_t i = 0; i < needed.size(); i++)
            if (!present[w][i].first) {
                made.push_back(&needed[i]);
                made_needs.push_back(&needed[i]);
            }
        for (const NeededObject *o : made) {
            roles.insert(o->owner);
            roles.insert(o->roles.begin(), o->roles.end());
        }
        std::set<std::string> has_roles = roles_present(writer(w), roles);
        std::vector<std::string> missing_roles;
        auto grants_ok = [&](const NeededObject &o) {
            for (const std::string &r : o.roles)
                if (!has_roles.count(r)) {
                    missing_roles.push_back(r);
                    return false;
                }
            return true;
        };
        std::vector<std::string> grants_skipped;
        // The tables' own dump: everything but foreign keys to tables outside the clone; their grants last.
        std::vector<std::string> table_lines, grant_lines, skipped_keys;
        for (const TocLine &line : toc)
            if (starts_with(line.rest, "FK CONSTRAINT ")) {
                auto key = foreign_keys.find(line.oid);
                if (key != foreign_keys.end() && !key->second.among_cloned) {
                    notes_.push_back(job_.dbs[w].name + ": foreign key " + key->second.name + " of " +
                                     key->second.table + " not created: it references " +
                                     key->second.referenced + ", which is not cloned");
                    skipped_keys.push_back(line.text);
                    // Its comment goes with it: "COMMENT public CONSTRAINT fk ON items owner".
                    skipped_keys.push_back("CONSTRAINT " + key->second.quoted + " ON ");
                }
            }
        for (const TocLine &line : toc) {
            bool skipped = false;
            for (const std::string &k : skipped_keys)
                skipped =
                    skipped || line.text == k ||
                    (starts_with(line.rest, "COMMENT ") && line.rest.find(" " + k) != std::string::npos);
            if (skipped)
                continue;
            if (starts_with(line.rest, "ACL ")) {
                bool ok = true;
                for (const NeededObject *o : made)
                    if ((o->kind == "TABLE" || o->kind == "SEQUENCE") &&
                        (starts_with(line.rest, "ACL " + o->schema + " " + o->tag + " ") ||
                         starts_with(line.rest, "ACL " + o->schema + " COLUMN " + o->tag.substr(6) + ".")) &&
                        !grants_ok(*o)) {
                        ok = false;
                        grants_skipped.push_back(o->qualified);
                    }
                if (ok)
                    grant_lines.push_back(line.text);
                continue;
            }
            table_lines.push_back(line.text);
        }
        // What they need, entry by entry: the objects this target lacks, with their comments and grants.
        std::vector<std::string> need_lines, need_grants;
        for (const TocLine &line : needs_toc) {
            for (const NeededObject *o : made_needs) {
                std::string ns = o->kind == "SCHEMA" ? "-" : o->schema;
                bool entry = line.oid == o->oid && line.catalog != "0";
                bool comment =
                    line.catalog == "0" && starts_with(line.rest, "COMMENT " + ns + " " + o->tag + " ");
                bool grant = line.catalog == "0" && starts_with(line.rest, "ACL " + ns + " " + o->tag + " ");
                if (entry || comment)
                    need_lines.push_back(line.text);
                if (grant) {
                    if (grants_ok(*o))
                        need_grants.push_back(line.text);
                    else
                        grants_skipped.push_back(o->qualified);
                }
                if (entry || comment || grant)
                    break;
            }
        }
        std::string tag = std::to_string(w);
        db.before_rows = restore(dir.file("needs" + tag + ".list"), needs_archive, need_lines, "pre-data") +
                         restore(dir.file("before" + tag + ".list"), archive, table_lines, "pre-data");
        db.after_rows = restore(dir.file("after" + tag + ".list"), archive, table_lines, "post-data");
        db.grants = restore(dir.file("needgrants" + tag + ".list"), needs_archive, need_grants, nullptr) +
                    restore(dir.file("grants" + tag + ".list"), archive, grant_lines, nullptr);
        if (!has_statements(db.grants))
            db.grants.clear();

        // Owners: the source's, where the target has the role (owned sequences follow their tables).
        std::string user = PQuser(writer(w).raw());
        std::vector<std::string> owners_skipped;
        for (const NeededObject *o : made) {
            if (!o->table.empty())
                continue;  // an owned sequence follows its table
            if (o->owner == user)
                continue;
            if (!has_roles.count(o->owner)) {
                owners_skipped.push_back(o->qualified + " (" + o->owner + ")");
                continue;
            }
            db.owners.emplace_back("ALTER " + o->kind + " " + o->qualified + " OWNER TO " +
                                       writer(w).quote_ident(o->owner),
                                   o->qualified);
        }
        std::vector<std::string> created;
        for (size_t t = 0; t < tables_.size(); t++)
            if (db.create[t])
                created.push_back(renamed_[t] ? tables_[t].label + " as " +
                                                    display_name(*renamed_[t]->schema, renamed_[t]->name)
                                              : tables_[t].label);
        notes_.push_back(job_.dbs[w].name + ": created " + join(created, ", "));
        if (!made_needs.empty()) {
            std::vector<std::string> what;
            for (const NeededObject *o : made_needs) {
                std::string kind = o->kind;
                std::transform(kind.begin(), kind.end(), kind.begin(), [](char c) { return c - 'A' + 'a'; });
                what.push_back(kind + " " + o->qualified);
            }
            notes_.push_back(job_.dbs[w].name + ": created what they need: " + join(what, ", "));
        }
        if (!owners_skipped.empty())
            notes_.push_back(job_.dbs[w].name + ": owner not set (no such role there), owned by " + user +
                             ": " + join(owners_skipped, ", "));
        if (!grants_skipped.empty()) {
            std::sort(grants_skipped.begin(), grants_skipped.end());
            grants_skipped.erase(std::unique(grants_skipped.begin(), grants_skipped.end()),
                                 grants_skipped.end());
            std::sort(missing_roles.begin(), missing_roles.end());
            missing_roles.erase(std::unique(missing_roles.begin(), missing_roles.end()), missing_roles.end());
            notes_.push_back(job_.dbs[w].name + ": grants not copied (no role " + join(missing_roles, ", ") +
                             " there): " + join(grants_skipped, ", "));
        }
        // Target names: the table is created under the source's name, then moved and renamed.
        for (size_t t = 0; t < tables_.size(); t++) {
            if (!db.create[t] || !renamed_[t])
                continue;
            Connection &conn = writer(w);
            const TableName &to = *renamed_[t];
            std::string at = conn.quote_ident(tables_[t].schema) + "." + conn.quote_ident(tables_[t].name);
            if (to.name != tables_[t].name) {
                db.renames.push_back("ALTER TABLE " + at + " RENAME TO " + conn.quote_ident(to.name));
                at = conn.quote_ident(tables_[t].schema) + "." + conn.quote_ident(to.name);
            }
            if (*to.schema != tables_[t].schema) {
                bool have = false;
                for (size_t i = 0; i < needed.size(); i++)
                    have = have || (needed[i].kind == "SCHEMA" && needed[i].name == *to.schema);
                Result exists =
                    conn.exec("SELECT FROM pg_catalog.pg_namespace WHERE nspname = $1", {*to.schema});
                if (PQntuples(exists.get()) == 0 && !have) {
                    std::string create = "CREATE SCHEMA " + conn.quote_ident(*to.schema);
                    if (std::find(db.renames.begin(), db.renames.end(), create) == db.renames.end()) {
                        db.renames.insert(db.renames.begin(), create);
                        std::string shown = display_name(*to.schema, "x");
                        notes_.push_back(job_.dbs[w].name + ": created schema " +
                                         shown.substr(0, shown.size() - 2) + " for the target names");
                    }
                }
                db.renames.push_back("ALTER TABLE " + at + " SET SCHEMA " + conn.quote_ident(*to.schema));
            }
        }
    }
}

// The session's own settings again, after a pg_restore script set its own.
void CloneRun::restore_session(Connection &conn) {
    conn.exec_script(set_statements(pinned_settings(conn.server_version())) + "; " + client_encoding_ +
                     "; SET lock_timeout = " + std::to_string(options_.lock_timeout_ms) +
                     "; RESET check_function_bodies; RESET client_min_messages; RESET default_tablespace;"
                     " RESET default_table_access_method");
}

void CloneRun::run_schema_script(size_t w, const std::string &sql, const char *what) {
    if (sql.empty())
        return;
    Connection &conn = writer(w);
    try {
        conn.exec_script(sql);
    } catch (Error &e) {
        ErrorInfo info = e.info();
        info.message = std::string("could not create ") + what + ": " + info.message;
        throw Error(std::move(info)).in_database(job_.dbs[w].name);
    }
    restore_session(conn);
}

// In the writing session's transaction, before the table checks.
void CloneRun::create_before_rows(size_t w) {
    if (dbs_[w].before_rows.empty())
        return;
    phase("creating tables on " + job_.dbs[w].name);
    run_schema_script(w, dbs_[w].before_rows, "the tables");
}

// Keys, indexes, foreign keys, triggers and policies, once the rows are in (before the checks and the
// ANALYZE that follow the copy).
void CloneRun::create_after_rows(size_t w) {
    if (dbs_[w].after_rows.empty())
        return;
    phase("creating keys, indexes and triggers on " + job_.dbs[w].name);
    run_schema_script(w, dbs_[w].after_rows, "the tables' keys, indexes, triggers and policies");
}

// Last, before the commit: owners (each in a savepoint: a role the session may not give objects to is
// reported, not fatal), grants (the same), then the target names.
void CloneRun::finish_created(size_t w) {
    DbState &db = dbs_[w];
    if (db.owners.empty() && db.grants.empty() && db.renames.empty())
        return;
    Connection &conn = writer(w);
    std::vector<std::string> failed;
    for (const auto &[statement, what] : db.owners) {
        try {
            conn.exec_script("SAVEPOINT pg_clone_owner; " + statement + "; RELEASE SAVEPOINT pg_clone_owner");
        } catch (const Error &e) {
            conn.exec("ROLLBACK TO SAVEPOINT pg_clone_owner");
            conn.exec("RELEASE SAVEPOINT pg_clone_owner");
            failed.push_back(what + " (" + e.info().message + ")");
        }
    }
    if (!failed.empty())
        notes_.push_back(job_.dbs[w].name + ": owner not changed: " + join(failed, ", "));
    if (!db.grants.empty()) {
        try {
            conn.exec("SAVEPOINT pg_clone_grants");
            conn.exec_script(db.grants);
            conn.exec("RELEASE SAVEPOINT pg_clone_grants");
        } catch (const Error &e) {
            conn.exec("ROLLBACK TO SAVEPOINT pg_clone_grants");
            conn.exec("RELEASE SAVEPOINT pg_clone_grants");
            notes_.push_back(job_.dbs[w].name + ": grants not copied: " + e.info().message);
        }
        // Grants by another grantor run under SET SESSION AUTHORIZATION.
        conn.exec("RESET SESSION AUTHORIZATION");
        restore_session(conn);
    }
    for (const std::string &statement : db.renames) {
        try {
            conn.exec(statement);
        } catch (Error &e) {
            ErrorInfo info = e.info();
            info.message = "could not give a created table its target name: " + info.message;
            throw Error(std::move(info)).in_database(job_.dbs[w].name);
        }
    }
}

}  // namespace pgclone
