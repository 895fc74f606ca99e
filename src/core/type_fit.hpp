// Whether a target column can take a source column's values (a text COPY when their types differ).
// Pure C++: the catalogs' answers come in ColumnType and through cast_exists.
#pragma once

#ifdef POSTGRES_H
#error "pure C++ headers must be included before postgres.h"
#endif

#include <functional>
#include <string>

namespace pgclone {

// A column's type as its database describes it. A domain is seen through its base type (one level).
struct ColumnType {
    long oid = 0;
    std::string name;   // format_type, without type modifier: integer, character varying, public.mood
    long base_oid = 0;  // the domain's base type, or the type itself
    std::string base_name;
    char category = 'U';   // pg_type.typcategory of the base type: S string, A array, N numeric...
    long element_oid = 0;  // arrays: the element type
    std::string element_name;
};

enum class TypeFit {
    Same,     // the same type: any COPY format
    Convert,  // text COPY converts the values (int4 to int8, varchar to text, a domain to its base)
    Refuse,   // no conversion PostgreSQL would make on assignment: the clone fails before any change
};

// Built-in types (OIDs below 16384) are the same everywhere, so PostgreSQL's own assignment casts on the
// target decide between them: cast_exists(source_oid, target_oid) says whether pg_cast has an implicit
// or assignment cast. User-defined types are matched by name. Anything can go into a string column.
TypeFit type_fit(const ColumnType &source, const ColumnType &target,
                 const std::function<bool(long, long)> &cast_exists);

// Whether type_fit may ask cast_exists about this pair (both built-in and different).
bool builtin_pair(long source_oid, long target_oid);

}  // namespace pgclone
