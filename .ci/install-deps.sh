#!/usr/bin/env bash
# Installs everything connect-worker needs to build, test and run its demo on a fresh
# Debian 12 machine. Run as root. Safe to run again: apt and npm skip what is present.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config git
  librdkafka-dev libjansson-dev libltdl-dev libyajl-dev libpcre2-dev
  libsimdjson-dev  # the clean transform's JSON reader (its streaming path)
  libs3-dev libcurl4-openssl-dev libssl-dev libmariadb-dev zlib1g-dev libzstd-dev
  libxml2-dev  # the S3 sink parses bucket listings (already a dependency of libs3-dev)
  libpq-dev  # jdbc-sink's PostgreSQL client library
  libmicrohttpd-dev  # the REST API's and http-source's HTTP server
  libgnutls28-dev  # the REST API checks TLS client certificates with GnuTLS (libmicrohttpd's TLS)
  wrk  # the http-source benchmark's load client
  kcat mariadb-server mariadb-client s3cmd jq python3 python3-botocore openssl zstd
  postgresql  # the PostgreSQL server and psql the jdbc tests start (tests/lib/postgres.sh)
  clang libclang-rt-14-dev procps
  prometheus  # promtool checks the metrics format; tests/rest scrapes a worker with the server
)
missing=()
# Node.js may come from elsewhere with its own npm (Debian's npm package conflicts with such builds).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The pinned S3 protocol server the tests and the demo use (tests/servers/package-lock.json).
if [ ! -x "$here/tests/servers/node_modules/.bin/s3rver" ]; then
  (cd "$here/tests/servers" && npm ci --no-audit --no-fund --loglevel=error)
fi
