# Shared by the test and demo scripts: build and install pg_clone, and run commands as a user that
# PostgreSQL accepts (it refuses to run as root).
# PG_BIN may name another PostgreSQL 15 installation (a relocated copy of Debian's, say).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Runs a command as the unprivileged server user when we are root, as ourselves otherwise.
as_pg_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- env PATH="$PG_BIN:$PATH" "$@"
    else
        env PATH="$PG_BIN:$PATH" "$@"
    fi
}

build_and_install() {
    make -C "$REPO_DIR" -s -j2 PG_CONFIG="$PG_BIN/pg_config"
    as_root make -C "$REPO_DIR" -s install PG_CONFIG="$PG_BIN/pg_config"
}

# A scratch directory the server user owns; removed by the caller's trap.
scratch_dir() {
    local dir
    dir=$(mktemp -d /tmp/pg_clone.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    echo "$dir"
}
