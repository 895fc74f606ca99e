#!/usr/bin/env bash
# The demo: installs what is needed, builds and installs pg_clone, makes a PostgreSQL cluster on the
# spot (three databases: shop, staging, reporting), clones two tables from shop into the other two
# with bucardo.clone(), prints what the clone did, seeds a new empty database (fresh) from shop with
# tables => '*' and schema => 'create' (schema and data in one call), does the first clone again from
# the shell with the pg_clone program (pg_clone clone ... --wait, with its progress line), and removes
# the cluster.
set -euo pipefail
source "$(dirname "$0")/common.sh"

bash "$REPO_DIR/test/install_deps.sh"
build_and_install

work=$(scratch_dir)
port=54329
cleanup() {
    as_pg_user pg_ctl -D "$work/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

as_pg_user initdb -D "$work/data" -A trust -U postgres >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
shared_preload_libraries = 'pg_clone'
port = $port
listen_addresses = ''
unix_socket_directories = '$work'
# Two-phase commit across the targets' sessions (pg_clone.two_phase = auto).
max_prepared_transactions = 10
CONF
as_pg_user pg_ctl -D "$work/data" -l "$work/server.log" -w start >/dev/null

sql() {
    local db=$1
    shift
    as_pg_user psql -X -q -P pager=off -v ON_ERROR_STOP=1 -h "$work" -p "$port" -U postgres -d "$db" "$@"
}

echo "== a fresh cluster with three databases"
for db in shop staging reporting; do sql postgres -c "CREATE DATABASE $db"; done
sql shop -c "
    CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, since date);
    CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint, total numeric(10,2), placed timestamptz);
    INSERT INTO customers SELECT g, 'customer ' || g, date '2020-01-01' + g % 1500 FROM generate_series(1, 20000) g;
    INSERT INTO orders SELECT g, 1 + g % 20000, (g % 997) / 10.0, now() - g * interval '1 min'
      FROM generate_series(1, 200000) g;"
for db in staging reporting; do
    sql "$db" -c "
        CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, since date);
        CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint, total numeric(10,2), placed timestamptz);
        INSERT INTO customers VALUES (-1, 'stale row that the clone replaces', NULL);"
done

echo "== pg_clone in the control database (postgres)"
sql postgres -c "CREATE EXTENSION pg_clone"
sql postgres -c "SELECT bucardo.add_db('shop', 'dbname=shop'),
                        bucardo.add_db('staging', 'dbname=staging'),
                        bucardo.add_db('reporting', 'dbname=reporting')" >/dev/null
echo "SELECT bucardo.clone(tables => 'customers,orders', dbs => 'shop:source,staging:target,reporting:target');"
id=$(sql postgres -At -c "SELECT bucardo.clone(tables => 'customers,orders', dbs => 'shop:source,staging:target,reporting:target')")
echo "clone $id queued; waiting for it"
status=$(sql postgres -At -c "SELECT bucardo.clone_wait($id, '120 s')")

echo "== what the clone did"
sql postgres -c "SELECT id, status, ended - started AS took, two_phase, summary, error FROM bucardo.clone WHERE id = $id" -x
for db in shop staging reporting; do
    sql "$db" -At -F ' ' -c "SELECT '$db:', (SELECT count(*) FROM customers) AS customers, 'customers,',
                                    (SELECT count(*) FROM orders) AS orders, 'orders'"
done
if [ "$status" != "done" ]; then
    echo "demo clone ended '$status'; server log:" >&2
    tail -20 "$work/server.log" >&2
    exit 1
fi
echo "== demo clone done"

# Seeding an empty database: schema and data in one call. Every table of shop (two more here, with an
# enum type, checks and foreign keys) is created on the target from the source's pg_dump, in the
# clone's transaction, then filled.
echo "== seeding an empty database: tables => '*', schema => 'create'"
sql shop -c "
    CREATE TYPE tier AS ENUM ('basic', 'premium');
    CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL UNIQUE, tier tier NOT NULL DEFAULT 'basic',
                           price numeric(10,2) CHECK (price >= 0));
    CREATE TABLE order_items (order_id bigint REFERENCES orders, product integer REFERENCES products,
                              qty integer NOT NULL DEFAULT 1, PRIMARY KEY (order_id, product));
    INSERT INTO products (name, tier, price)
      SELECT 'product ' || g, (ARRAY['basic', 'premium'])[1 + g % 2]::tier, g * 1.5 FROM generate_series(1, 100) g;
    INSERT INTO order_items SELECT o, p + 2 * (o % 50), p FROM generate_series(1, 50000) o, generate_series(1, 2) p;"
sql postgres -c "CREATE DATABASE fresh"
sql postgres -c "SELECT bucardo.add_db('fresh', 'dbname=fresh')" >/dev/null
echo "SELECT bucardo.clone(tables => '*', dbs => 'shop:source,fresh:target', schema => 'create');"
id=$(sql postgres -At -c "SELECT bucardo.clone(tables => '*', dbs => 'shop:source,fresh:target', schema => 'create')")
status=$(sql postgres -At -c "SELECT bucardo.clone_wait($id, '120 s')")
sql postgres -c "SELECT id, status, ended - started AS took, summary, error FROM bucardo.clone WHERE id = $id" -x
echo "fresh, before the clone: an empty database; after it:"
sql fresh -c "\\d order_items"
sql fresh -At -F ' ' -c "SELECT 'fresh:', (SELECT count(*) FROM customers), 'customers,', (SELECT count(*) FROM orders),
                                'orders,', (SELECT count(*) FROM products), 'products,', (SELECT count(*) FROM order_items), 'order items'"
if [ "$status" != "done" ]; then
    echo "seeding clone ended '$status'; server log:" >&2
    tail -20 "$work/server.log" >&2
    exit 1
fi
echo "== seeding clone done"

# The same clone from the shell, in Bucardo's words, with the pg_clone program: on a terminal --wait
# draws the progress line, and the exit status says how it ended (0 done).
pg_clone_cli() { as_pg_user pg_clone -h "$work" -p "$port" -d postgres "$@"; }
echo "== the command line: pg_clone"
echo "\$ pg_clone list dbs"
pg_clone_cli list dbs
echo "\$ pg_clone clone tables=customers,orders dbs=shop:source,staging:target,reporting:target --wait"
pg_clone_cli clone tables=customers,orders dbs=shop:source,staging:target,reporting:target --wait
