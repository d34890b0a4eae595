#!/usr/bin/env bash
# `npm run cluster`: three instances of tandem serve behind HAProxy on http://127.0.0.1:8090,
# over the local PostgreSQL (database tandem_cluster, created when missing) and Redis.
# Installs Debian's haproxy when it is missing. Override with TANDEM_CLUSTER_DB,
# TANDEM_CLUSTER_REDIS, TANDEM_CLUSTER_INSTANCES and TANDEM_CLUSTER_HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."

DB="${TANDEM_CLUSTER_DB:-postgres://postgres@127.0.0.1:5432/tandem_cluster}"
REDIS="${TANDEM_CLUSTER_REDIS:-redis://127.0.0.1:6379}"

if ! command -v haproxy >/dev/null 2>&1; then
  echo "Installing haproxy…"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq haproxy >/dev/null
fi

# The database must exist; the instances create their tables.
node --input-type=module -e "
import pg from 'pg';
const url = new URL(process.argv[1]);
const name = url.pathname.slice(1);
url.pathname = '/postgres';
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
const found = await client.query('SELECT 1 FROM pg_database WHERE datname = \$1', [name]);
if (found.rowCount === 0) await client.query('CREATE DATABASE \"' + name.replaceAll('\"', '\"\"') + '\"');
await client.end();
" "$DB"

exec node packages/cli/bin/tandem.js cluster --db "$DB" --redis "$REDIS" \
  --instances "${TANDEM_CLUSTER_INSTANCES:-3}" --http "${TANDEM_CLUSTER_HTTP:-127.0.0.1:8090}" \
  --dir "${TANDEM_CLUSTER_DIR:-./tandem_cluster_data}"
