#include "core/type_fit.hpp"

namespace pgclone {

namespace {

constexpr long first_user_oid = 16384;

}  // namespace

bool builtin_pair(long source_oid, long target_oid) {
    return source_oid != target_oid && source_oid > 0 && target_oid > 0 && source_oid < first_user_oid &&
           target_oid < first_user_oid;
}

TypeFit type_fit(const ColumnType &source, const ColumnType &target,
                 const std::function<bool(long, long)> &cast_exists) {
    bool both_builtin = source.oid < first_user_oid && target.oid < first_user_oid;
    if ((both_builtin && source.oid == target.oid) || (!both_builtin && source.name == target.name))
        return TypeFit::Same;
    if (source.base_name == target.base_name)
        return TypeFit::Convert;
    if (target.category == 'S')
        return TypeFit::Convert;
    if (source.category == 'A' && target.category == 'A') {
        if (source.element_name == target.element_name)
            return TypeFit::Convert;
        if (builtin_pair(source.element_oid, target.element_oid) &&
            cast_exists(source.element_oid, target.element_oid))
            return TypeFit::Convert;
        return TypeFit::Refuse;
    }
    if (builtin_pair(source.base_oid, target.base_oid) && cast_exists(source.base_oid, target.base_oid))
        return TypeFit::Convert;
    return TypeFit::Refuse;
}

}  // namespace pgclone
