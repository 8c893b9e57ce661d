#!/usr/bin/env bash
# Build the local images Gantry's integration tests run on. No image registry is reachable on
# the development and CI machines, so every image is built here from Debian packages; see
# docs/test-images.md.
#
#   gantry-test/busybox:latest   host's static busybox + applet symlinks, /tmp, /etc/passwd
#   gantry-test/debian:bookworm  mmdebstrap --variant=minbase bookworm, imported
#   gantry-test/node:bookworm    debian + Debian's nodejs and npm
#   gantry-test/python:bookworm  debian + python3
#   gantry-test/go:bookworm      debian + Debian's golang-go (Go 1.19), git, ca-certificates: the Go
#                                preset's examples (on real machines the preset uses golang:1.22)
#   gantry-test/postgres:15      debian + PostgreSQL 15, an entrypoint like the official image's
#                                (POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, PGDATA,
#                                /docker-entrypoint-initdb.d), pg_isready for health checks
#   gantry-test/nginx:bookworm   debian + Debian's nginx: the deploy target's proxy (on real
#                                machines Gantry uses nginx:stable; see docs/deploy.md)
#   gantry-test/bun:bookworm     node + Bun and just from npm (`bun`, `rust-just`): the Bun preset's
#                                example (on real machines the preset uses oven/bun:1-debian)
#   gantry-test/django:bookworm  python + Debian's Django, psycopg2, Black, isort, Flake8, coverage,
#                                pip, gcc, libpq-dev: examples/python-django-api (PyPI is not
#                                reachable here; its systemPackages are already in, so no apt)
#   gantry-test/elixir:bookworm  debian + Debian's elixir (Erlang/OTP 25) and psql:
#                                examples/elixir-phoenix-style (no Hex here)
#   gantry-test/node-ts:bookworm node + Debian's TypeScript (tsc) and pg driver:
#                                examples/node-api-postgres, offline (no npm registry needed)
#
# Idempotent: every image carries the label gantry.test-image.version=<N>-<hash of its recipe>
# (derived images also gantry.test-image.base=<base image id>); an image whose label matches is
# skipped, so editing a recipe below (or bumping its N) rebuilds exactly what changed.
#
# Usage: scripts/test-images.sh [busybox|debian|node|python|go|postgres|nginx|bun|django|elixir|node-ts ...]   (default: all)
# Env:
#   GANTRY_TEST_CACHE       cache dir for the Debian rootfs tarball and logs (/var/cache/gantry-test)
#   GANTRY_BUILD_NETWORK    network mode for `docker build` (default: host; apt inside the build
#                           needs to reach Debian's archive, and host mode does not depend on the
#                           bridge's NAT being usable)
#   GANTRY_DEBIAN_MIRROR    Debian mirror (default http://deb.debian.org/debian)
#   GANTRY_DEBIAN_SECURITY  security mirror (default http://deb.debian.org/debian-security)
#   GANTRY_NPM_CA           CA bundle npm trusts inside the bun image's build (default
#                           $NODE_EXTRA_CA_CERTS, else /etc/ssl/certs/ca-certificates.crt): bind-mounted
#                           for the install only, never copied into the image
set -euo pipefail

export DOCKER_BUILDKIT=0 # no buildx plugin on these machines; the classic builder is enough
CACHE=${GANTRY_TEST_CACHE:-/var/cache/gantry-test}
NET=${GANTRY_BUILD_NETWORK:-host}
MIRROR=${GANTRY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${GANTRY_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
LABEL=gantry.test-image.version
BASE_LABEL=gantry.test-image.base
PATH_ENV=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

IMG_BUSYBOX=gantry-test/busybox:latest
IMG_DEBIAN=gantry-test/debian:bookworm
IMG_NODE=gantry-test/node:bookworm
IMG_PYTHON=gantry-test/python:bookworm
IMG_GO=gantry-test/go:bookworm
IMG_POSTGRES=gantry-test/postgres:15
IMG_NGINX=gantry-test/nginx:bookworm
IMG_BUN=gantry-test/bun:bookworm
BUN_VERSION=1.2.23
JUST_VERSION=1.42.4
IMG_DJANGO=gantry-test/django:bookworm
IMG_ELIXIR=gantry-test/elixir:bookworm
IMG_NODE_TS=gantry-test/node-ts:bookworm

# Manual bump numbers: raise one to force a rebuild that the recipe hash would not notice (a
# Dockerfile-built image still reuses docker's layer cache for unchanged steps; remove the image
# first, or change its Dockerfile, to rerun apt).
V_BUSYBOX=1
V_DEBIAN=1
V_NODE=1
V_PYTHON=1
V_GO=1
V_POSTGRES=1
V_NGINX=1
V_BUN=1
V_DJANGO=1
V_ELIXIR=1
V_NODE_TS=1

mkdir -p "$CACHE/logs"
exec 9>"$CACHE/lock"
flock 9

TMP=$(mktemp -d /tmp/gantry-test-images.XXXXXX)
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
die() { echo "[test-images] ERROR: $*" >&2; exit 1; }

# version <N> <function names...>: "<N>-<first 12 hex of sha256 over the functions' source>"
version() {
  local n=$1
  shift
  echo "$n-$( (for f in "$@"; do declare -f "$f"; done) | sha256sum | cut -c1-12)"
}
label_of() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }
id_of() { docker image inspect -f '{{.Id}}' "$1"; }

# run_logged <logname> <cmd...>: output to $CACHE/logs/<logname>.log, shown on failure
run_logged() {
  local log="$CACHE/logs/$1.log"
  shift
  if ! "$@" >"$log" 2>&1 </dev/null; then
    echo "[test-images] command failed: $*" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
}

# ensure <image> <version> <base image or ""> <build function>
ensure() {
  local image=$1 want=$2 base=$3 fn=$4 t0 base_id="" old_id
  t0=$(now)
  [ -n "$base" ] && base_id=$(id_of "$base")
  if [ "$(label_of "$image" "$LABEL")" = "$want" ] &&
    { [ -z "$base" ] || [ "$(label_of "$image" "$BASE_LABEL")" = "$base_id" ]; }; then
    echo "skipped $image (version $want) $(elapsed "$t0")"
    return 0
  fi
  old_id=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  "$fn" "$image" "$want" "$base_id"
  # The previous version is now untagged: remove it unless something still uses it (containers
  # or images built on it). Only that exact image: never a broad prune, which would also hit
  # untagged images the engine made on top of ours (they inherit the label).
  if [ -n "$old_id" ] && [ "$old_id" != "$(id_of "$image")" ]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
  echo "built   $image (version $want) $(elapsed "$t0")"
}

# dockerfile_build <image> <version> <base_id> <context dir>
dockerfile_build() {
  local image=$1 want=$2 base_id=$3 dir=$4
  run_logged "build-${image//[\/:]/_}" \
    docker build --network "$NET" --label "$LABEL=$want" --label "$BASE_LABEL=$base_id" \
    -t "$image" "$dir"
}

smoke() { # smoke <image> <cmd...>: the image must run the command
  local image=$1
  shift
  run_logged "smoke-${image//[\/:]/_}" docker run --rm --network none "$image" "$@" ||
    die "smoke test of $image failed"
}

# --- busybox ---------------------------------------------------------------------------------
build_busybox() {
  local image=$1 want=$2 bb root=$TMP/busybox-root applet
  bb=$(command -v busybox || true)
  [ -x /bin/busybox ] && bb=/bin/busybox
  [ -n "$bb" ] || die "busybox not found (apt-get install busybox-static)"
  if ldd "$bb" >/dev/null 2>&1; then die "$bb is dynamically linked; install busybox-static"; fi
  mkdir -p "$root"/{bin,etc,root,tmp,var/tmp,home,dev,proc,sys}
  cp "$bb" "$root/bin/busybox"
  for applet in $("$bb" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/false' \
    >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$root/etc/group"
  tar --numeric-owner --owner=0 --group=0 -C "$root" -c . |
    docker import --change 'CMD ["sh"]' --change "ENV PATH=$PATH_ENV" \
      --change "LABEL $LABEL=$want" - "$image" >/dev/null
  smoke "$image" sh -c 'echo ok && ls / >/dev/null && sleep 0 && cat /etc/passwd >/dev/null'
}

# --- debian ----------------------------------------------------------------------------------
debian_rootfs() { # the tarball, cached under $CACHE by a hash of this function
  local tar tmp
  tar="$CACHE/debian-bookworm-minbase-$(version 1 debian_rootfs).tar"
  if [ ! -s "$tar" ]; then
    rm -rf "$CACHE"/debian-bookworm-minbase-*
    tmp="${tar%.tar}.partial.tar"
    # The archive here may serve a dated snapshot whose Release files look expired, so the
    # image's apt does not check Valid-Until (the host's apt is configured the same way).
    run_logged mmdebstrap mmdebstrap --variant=minbase --format=tar --skip=output/dev \
      --aptopt='Acquire::Check-Valid-Until "false"' \
      --aptopt='Acquire::Languages "none"' \
      --aptopt='APT::Install-Recommends "false"' \
      --dpkgopt='force-unsafe-io' \
      --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' \
      bookworm "$tmp" \
      "deb $MIRROR bookworm main" \
      "deb $MIRROR bookworm-updates main" \
      "deb $SECURITY bookworm-security main"
    mv "$tmp" "$tar"
  fi
  echo "$tar"
}

build_debian() {
  local image=$1 want=$2 tar
  tar=$(debian_rootfs)
  docker import --change 'CMD ["bash"]' --change "ENV PATH=$PATH_ENV" \
    --change "LABEL $LABEL=$want" "$tar" "$image" >/dev/null
  smoke "$image" bash -c 'apt-get --version >/dev/null && echo ok'
}

# --- node ------------------------------------------------------------------------------------
build_node() {
  local image=$1 want=$2 base_id=$3 dir=$TMP/node
  mkdir -p "$dir"
  cat >"$dir/Dockerfile" <<EOF
FROM $IMG_DEBIAN
RUN apt-get update \\
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
CMD ["node"]
EOF
  dockerfile_build "$image" "$want" "$base_id" "$dir"
  smoke "$image" sh -c 'node -e "process.stdout.write(String(1+1))" && npm --version'
}

# --- python ----------------------------------------------------------------------------------
build_python() {
  local image=$1 want=$2 base_id=$3 dir=$TMP/python
  mkdir -p "$dir"
  cat >"$dir/Dockerfile" <<EOF
FROM $IMG_DEBIAN
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 \\
 && ln -s /usr/bin/python3 /usr/local/bin/python \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
CMD ["python3"]
EOF
  dockerfile_build "$image" "$want" "$base_id" "$dir"
  smoke "$image" python3 -c 'print(1+1)'
}

# --- go ------------------------------------------------------------------------------------
# GOPATH /root/go like the official golang image, so the preset's module cache path holds; no
# gcc (the official image has it), so cgo is off: net/http then uses the pure-Go resolver.
build_go() {
  local image=$1 want=$2 base_id=$3 dir=$TMP/go
  mkdir -p "$dir"
  cat >"$dir/Dockerfile" <<EOF
FROM $IMG_DEBIAN
RUN apt-get update \\
 && apt-get install -y --no-install-recommends golang-go git ca-certificates \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/root/go \\
    CGO_ENABLED=0 \\
    PATH=/root/go/bin:/usr/lib/go/bin:$PATH_ENV
CMD ["go", "version"]
EOF
  dockerfile_build "$image" "$want" "$base_id" "$dir"
  smoke "$image" sh -c 'go version && gofmt -l /usr/share/go/src/errors >/dev/null'
}

# --- postgres --------------------------------------------------------------------------------
build_postgres() {
  local image=$1 want=$2 base_id=$3 dir=$TMP/postgres
  mkdir -p "$dir"
  cat >"$dir/Dockerfile" <<EOF
FROM $IMG_DEBIAN
# Debian's packaging would create and start a cluster of its own; like the official image,
# turn that off and let the entrypoint run initdb into \$PGDATA on first start.
RUN apt-get update \\
 && apt-get install -y --no-install-recommends postgresql-common \\
 && sed -ri 's/#?(create_main_cluster) .*/\1 = false/' /etc/postgresql-common/createcluster.conf \\
 && apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 \\
 && apt-get clean && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /var/run/postgresql /var/lib/postgresql/data /docker-entrypoint-initdb.d \\
 && chown postgres:postgres /var/run/postgresql /var/lib/postgresql/data \\
 && chmod 3777 /var/run/postgresql && chmod 1777 /var/lib/postgresql/data
ENV PATH=/usr/lib/postgresql/15/bin:$PATH_ENV \\
    PGDATA=/var/lib/postgresql/data \\
    LANG=C.UTF-8 \\
    PG_MAJOR=15
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
EOF
  cat >"$dir/docker-entrypoint.sh" <<'EOF'
#!/bin/bash
# gantry-test/postgres entrypoint: a small subset of the official postgres image's.
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless
#   POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_DB (default $POSTGRES_USER),
#   POSTGRES_HOST_AUTH_METHOD (default scram-sha-256), POSTGRES_INITDB_ARGS,
#   PGDATA (default /var/lib/postgresql/data), /docker-entrypoint-initdb.d/*.sh|*.sql.
# Until initialisation is done the server listens only on its Unix socket, so
# `pg_isready -h 127.0.0.1` (or from another container) answers only when it is really ready.
set -Eeo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
export POSTGRES_USER="${POSTGRES_USER:-postgres}"
export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

if [ "$1" != 'postgres' ]; then exec "$@"; fi

if [ "$(id -u)" = '0' ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != 'trust' ]; then
    echo >&2 'error: database is uninitialized and POSTGRES_PASSWORD is not set.'
    echo >&2 '       Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust).'
    exit 1
  fi
  chmod 700 "$PGDATA" 2>/dev/null || :
  # shellcheck disable=SC2086
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
      --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-}
  else
    initdb --username="$POSTGRES_USER" --auth-local=trust --auth-host="$auth" \
      ${POSTGRES_INITDB_ARGS:-}
  fi
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  export PGUSER="$POSTGRES_USER" PGHOST=/var/run/postgresql
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    psql -v ON_ERROR_STOP=1 --dbname postgres --set db="$POSTGRES_DB" -q <<<'CREATE DATABASE :"db";'
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "running $f"; . "$f" ;;
      *.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 --dbname "$POSTGRES_DB" -f "$f" ;;
      *) [ -e "$f" ] && echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGUSER PGHOST
  echo 'PostgreSQL init process complete; ready for start up.'
fi

exec "$@"
EOF
  dockerfile_build "$image" "$want" "$base_id" "$dir"
  verify_postgres "$image" || {
    docker rmi -f "$image" >/dev/null 2>&1 || true
    die "postgres image failed verification (see $CACHE/logs/verify-postgres.log)"
  }
}

# Start the server with a password, then connect over a user-defined network from a second
# container with psql and the password; always clean up the container and network.
verify_postgres() {
  local image=$1 name="gantry-test-verify-pg-$$" net="gantry-test-verify-net-$$" ok=1 i
  local log="$CACHE/logs/verify-postgres.log"
  : >"$log"
  docker network create "$net" >>"$log" 2>&1 || return 1
  if docker run -d --name "$name" --network "$net" -e POSTGRES_PASSWORD=secret "$image" >>"$log" 2>&1; then
    for ((i = 0; i < 120; i++)); do
      if docker exec "$name" pg_isready -q -h 127.0.0.1 -U postgres >/dev/null 2>&1; then ok=0; break; fi
      sleep 0.5
    done
    if [ "$ok" -eq 0 ]; then
      ok=1
      if docker run --rm --network "$net" -e PGPASSWORD=secret "$image" \
        psql -h "$name" -U postgres -d postgres -tAc 'select 1' >"$TMP/psql.out" 2>>"$log" &&
        [ "$(tr -d '[:space:]' <"$TMP/psql.out")" = 1 ]; then
        # and a wrong password must be refused
        if ! docker run --rm --network "$net" -e PGPASSWORD=wrong "$image" \
          psql -h "$name" -U postgres -tAc 'select 1' >>"$log" 2>&1; then ok=0; fi
      fi
    fi
    docker logs "$name" >>"$log" 2>&1 || true
  fi
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
  [ "$ok" -eq 0 ] || { tail -n 30 "$log" >&2; return 1; }
}

# --- nginx -----------------------------------------------------------------------------------
# The deploy target's proxy, shaped like the official nginx image: master in the foreground as
# PID 1, logs to the container's stdout/stderr, SIGQUIT for a graceful stop. Debian's default site
# is removed (the deploy target writes its whole nginx.conf itself).
build_nginx() {
  local image=$1 want=$2 base_id=$3 dir=$TMP/nginx
  mkdir -p "$dir"
  cat >"$dir/Dockerfile" <<EOF
FROM $IMG_DEBIAN
RUN apt-get update \\
 && apt-get install -y --no-install-recommends nginx \\
 && apt-get clean && rm -rf /var/lib/apt/lists/* \\
 && rm -f /etc/nginx/sites-enabled/default \\
 && ln -sf /dev/stdout /var/log/nginx/access.log \\
 && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
EOF
  dockerfile_build "$image" "$want" "$base_id" "$dir"
  smoke "$image" sh -c 'nginx -t 2>&1 && nginx -v 2>&1'
}

# --- bun -------------------------------------------------------------------------------------
# npm installs Bun and just (their npm packages carry the native binaries) in a container of the
# node image that sees the host's CA bundle through a read-only bind mount (a TLS-intercepting
# proxy may sit between it and the registry); the container is then committed, so the CA never
# enters a layer (only its empty mount point does). No Dockerfile: the classic builder has no build-time secret mounts. rust-just's
# launcher is a Node >= 20 script and Debian's Node is 18: `just` is linked to its native binary.
build_bun() {
  local image=$1 want=$2 base_id=$3 name="gantry-test-build-bun-$$"
  local ca=${GANTRY_NPM_CA:-${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}}
  [ -r "$ca" ] || die "CA bundle $ca not readable (set GANTRY_NPM_CA)"
  docker rm -f "$name" >/dev/null 2>&1 || true
  if ! run_logged "build-bun" docker run --name "$name" --network "$NET" \
    -v "$ca:/run/gantry-npm-ca.crt:ro" -e NODE_EXTRA_CA_CERTS=/run/gantry-npm-ca.crt \
    "$IMG_NODE" sh -c "npm install -g --no-audit --no-fund bun@$BUN_VERSION rust-just@$JUST_VERSION \
      && ln -sf \"\$(find /usr/local/lib/node_modules/rust-just -path '*/rust-just-linux-*' -name just -type f | head -n1)\" /usr/local/bin/just \
      && npm cache clean --force && bun --version && just --version"; then
    docker rm -f "$name" >/dev/null 2>&1 || true
    die "installing bun and just failed"
  fi
  docker commit --change 'CMD ["bun"]' --change "LABEL $LABEL=$want" \
    --change "LABEL $BASE_LABEL=$base_id" "$name" "$image" >/dev/null
  docker rm -f "$name" >/dev/null 2>&1 || true
  smoke "$image" sh -c 'bun --version && just --version && ! test -s /run/gantry-npm-ca.crt'
}

# --- django --------------------------------------------------------------------------------
# The Python preset's tools from Debian. pip sees them installed, so `pip install -r
# requirements.txt` is satisfied offline; PIP_BREAK_SYSTEM_PACKAGES lets it look (PEP 668).
build_django() {
  local image=$1 want=$2 base_id=$3 dir=$TMP/django
  mkdir -p "$dir"
  cat >"$dir/Dockerfile" <<EOF
FROM $IMG_PYTHON
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3-django python3-psycopg2 black isort \\
      flake8 python3-coverage python3-pip gcc libpq-dev \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
ENV PIP_BREAK_SYSTEM_PACKAGES=1 LANG=C.UTF-8
CMD ["python3"]
EOF
  dockerfile_build "$image" "$want" "$base_id" "$dir"
  smoke "$image" sh -c 'python3 -m django --version && black --version && isort --version \
    && flake8 --version && python3 -m coverage --version && python3 -c "import psycopg2"'
}

# --- elixir --------------------------------------------------------------------------------
# Debian's Elixir 1.14 on OTP 25, with erlang-tools (ExUnit's --cover) and psql (the example's
# db scripts).
build_elixir() {
  local image=$1 want=$2 base_id=$3 dir=$TMP/elixir
  mkdir -p "$dir"
  cat >"$dir/Dockerfile" <<EOF
FROM $IMG_DEBIAN
RUN apt-get update \\
 && apt-get install -y --no-install-recommends elixir erlang-dev erlang-tools erlang-xmerl \\
      erlang-eunit postgresql-client ca-certificates \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8 LC_ALL=C.UTF-8
CMD ["iex"]
EOF
  dockerfile_build "$image" "$want" "$base_id" "$dir"
  smoke "$image" sh -c 'elixir -e "IO.puts 1+1" && mix --version && psql --version'
}

# --- node-ts -------------------------------------------------------------------------------
# tsc, the pg driver and their types from Debian. /usr/share/nodejs is on Debian node's require
# path but not tsc's: /node_modules points there, so a project in /app finds both, as it would
# find its own node_modules.
build_node_ts() {
  local image=$1 want=$2 base_id=$3 dir=$TMP/node-ts
  mkdir -p "$dir"
  cat >"$dir/Dockerfile" <<EOF
FROM $IMG_NODE
RUN apt-get update \\
 && apt-get install -y --no-install-recommends node-typescript node-pg \\
 && apt-get clean && rm -rf /var/lib/apt/lists/* \\
 && ln -s /usr/share/nodejs /node_modules
CMD ["node"]
EOF
  dockerfile_build "$image" "$want" "$base_id" "$dir"
  smoke "$image" sh -c 'tsc --version && node -e "require(\"pg\")" && test -f /node_modules/@types/pg/index.d.ts'
}

# --- main ------------------------------------------------------------------------------------
want=("$@")
[ "${#want[@]}" -gt 0 ] || want=(busybox debian node python go postgres nginx bun django elixir node-ts)
T0=$(now)
for w in "${want[@]}"; do
  case "$w" in
    busybox) ensure "$IMG_BUSYBOX" "$(version "$V_BUSYBOX" build_busybox smoke)" "" build_busybox ;;
    debian) ;;
    node | python | go | postgres | nginx | bun | django | elixir | node-ts) ;;
    *) die "unknown image '$w' (busybox|debian|node|python|go|postgres|nginx|bun|django|elixir|node-ts)" ;;
  esac
done
need_debian=0
for w in "${want[@]}"; do case "$w" in debian | node | python | go | postgres | nginx | bun | django | elixir | node-ts) need_debian=1 ;; esac; done
# django and node-ts are built on python and node: those come first
for w in "${want[@]}"; do
  case "$w" in
    django) [[ " ${want[*]} " == *" python "* ]] || want+=(python) ;;
    node-ts) [[ " ${want[*]} " == *" node "* ]] || want+=(node) ;;
  esac
done
if [ "$need_debian" = 1 ]; then
  ensure "$IMG_DEBIAN" "$(version "$V_DEBIAN" debian_rootfs build_debian)" "" build_debian
fi
# The images built on debian are independent: build them concurrently (dpkg is single-threaded
# and mostly waits on I/O), each job printing its own line; fail if any failed.
pids=()
for w in "${want[@]}"; do
  case "$w" in
    node) ensure "$IMG_NODE" "$(version "$V_NODE" build_node dockerfile_build)" "$IMG_DEBIAN" build_node & ;;
    python) ensure "$IMG_PYTHON" "$(version "$V_PYTHON" build_python dockerfile_build)" "$IMG_DEBIAN" build_python & ;;
    go) ensure "$IMG_GO" "$(version "$V_GO" build_go dockerfile_build smoke)" "$IMG_DEBIAN" build_go & ;;
    nginx) ensure "$IMG_NGINX" "$(version "$V_NGINX" build_nginx dockerfile_build smoke)" "$IMG_DEBIAN" build_nginx & ;;
    postgres)
      ensure "$IMG_POSTGRES" "$(version "$V_POSTGRES" build_postgres verify_postgres dockerfile_build)" \
        "$IMG_DEBIAN" build_postgres &
      ;;
    *) continue ;;
  esac
  pids+=("$!")
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ "$failed" = 0 ] || die "some images failed to build (logs in $CACHE/logs)"
# bun is built on node: after the concurrent batch, so a node rebuild lands first
for w in "${want[@]}"; do
  if [ "$w" = bun ]; then
    [ -n "$(label_of "$IMG_NODE" "$LABEL")" ] ||
      ensure "$IMG_NODE" "$(version "$V_NODE" build_node dockerfile_build)" "$IMG_DEBIAN" build_node
    ensure "$IMG_BUN" "$(version "$V_BUN" build_bun smoke)" "$IMG_NODE" build_bun
  fi
done
# The images built on node and python, once those are ready.
pids=()
for w in "${want[@]}"; do
  case "$w" in
    django) ensure "$IMG_DJANGO" "$(version "$V_DJANGO" build_django dockerfile_build smoke)" "$IMG_PYTHON" build_django & ;;
    elixir) ensure "$IMG_ELIXIR" "$(version "$V_ELIXIR" build_elixir dockerfile_build smoke)" "$IMG_DEBIAN" build_elixir & ;;
    node-ts) ensure "$IMG_NODE_TS" "$(version "$V_NODE_TS" build_node_ts dockerfile_build smoke)" "$IMG_NODE" build_node_ts & ;;
    *) continue ;;
  esac
  pids+=("$!")
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ "$failed" = 0 ] || die "some images failed to build (logs in $CACHE/logs)"
echo "test images ready in $(elapsed "$T0")"
