#!/usr/bin/env bash
# Runs a local ZITADEL with its own PostgreSQL for `make testacc-real`,
# listening on 127.0.0.1 only:
#   scripts/real-zitadel.sh start|stop|clean|status
# It does not build ZITADEL; it runs the binary ZITADEL_BIN names, else
# `zitadel` on PATH, else .tools/bin/zitadel (CONTRIBUTING.md says how to
# get one; v4.13.1 is the version it was made with). PostgreSQL's initdb,
# pg_ctl and postgres come from PG_BIN if set, else PATH, else the last of
# /usr/lib/postgresql/*/bin.
#
# start: the first time, initdb a PostgreSQL cluster and `zitadel
#   start-from-init` (which creates the first instance with an IAM_OWNER
#   service account, zitadel-admin-sa, its personal access token and a JSON
#   key); later `zitadel start`. Both run in the background with logs in the
#   state folder; start waits for /debug/ready, checks the token and writes
#   the env file the real-mode acceptance tests read (KEY=value lines:
#   `set -a; . .tools/real-zitadel.env; set +a`).
# stop: stops ZITADEL and PostgreSQL; clean: stop, then remove the state
#   folder and the env file (never the binary).
#
# Settings (environment): REAL_ZITADEL_DIR, the state folder
# (.tools/real-zitadel); REAL_ZITADEL_ENV, the env file
# (.tools/real-zitadel.env); REAL_ZITADEL_PORT (8080); REAL_ZITADEL_PG_PORT
# (5433); REAL_ZITADEL_TIMEOUT, seconds to wait for readiness (600: the
# first start migrates the database). Run as root, PostgreSQL runs as the
# user postgres (created if missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: $0 start|stop|clean|status}
dir=${REAL_ZITADEL_DIR:-$root/.tools/real-zitadel}
env_file=${REAL_ZITADEL_ENV:-$root/.tools/real-zitadel.env}
port=${REAL_ZITADEL_PORT:-8080}
pg_port=${REAL_ZITADEL_PG_PORT:-5433}
timeout=${REAL_ZITADEL_TIMEOUT:-600}
masterkey=MasterkeyNeedsToHave32Characters
pg=$dir/pg
config=$dir/zitadel.yaml
log=$dir/zitadel.log
pid_file=$dir/zitadel.pid
pat_file=$dir/admin-sa.pat
key_file=$dir/admin-sa.json
initialized=$dir/initialized

say() { echo "real-zitadel: $*" >&2; }
die() { say "$*"; exit 1; }

zitadel_bin() {
  if [ -n "${ZITADEL_BIN:-}" ]; then
    [ -x "$ZITADEL_BIN" ] || die "ZITADEL_BIN=$ZITADEL_BIN is not an executable"
    echo "$ZITADEL_BIN"
  elif command -v zitadel >/dev/null 2>&1; then
    command -v zitadel
  elif [ -x "$root/.tools/bin/zitadel" ]; then
    echo "$root/.tools/bin/zitadel"
  else
    die "no ZITADEL binary: set ZITADEL_BIN, put zitadel on PATH or at .tools/bin/zitadel (CONTRIBUTING.md)"
  fi
}

pg_tool() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN/$1"; return; fi
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  local d found=
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/$1" ]; then found=$d/$1; fi
  done
  [ -n "$found" ] || die "no PostgreSQL $1: set PG_BIN or install PostgreSQL 15 or later"
  echo "$found"
}

# PostgreSQL refuses to run as root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_running() { [ -f "$pg/data/postmaster.pid" ] && as_pg "$pg_ctl" -D "$pg/data" status >/dev/null 2>&1; }

zitadel_pid() {
  local pid
  [ -f "$pid_file" ] || return 1
  pid=$(cat "$pid_file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Not a recycled pid: still a ZITADEL this script started (its --masterkey).
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--masterkey" || return 1
  echo "$pid"
}

ready() { curl -fsS -o /dev/null --max-time 5 -H "Host: localhost:$port" "http://127.0.0.1:$port/debug/ready" 2>/dev/null; }

# The HTTP status of GET /management/v1/orgs/me with the admin token.
token_status() {
  curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -H "Host: localhost:$port" \
    -H "Authorization: Bearer $(tr -d '[:space:]' <"$pat_file")" \
    "http://127.0.0.1:$port/management/v1/orgs/me" 2>/dev/null || true
}

start_pg() {
  local initdb
  initdb=$(pg_tool initdb)
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  mkdir -p "$pg/run"
  if [ ! -f "$pg/data/PG_VERSION" ]; then
    say "initdb $pg/data"
    rm -rf "$pg/data"
    printf 'postgres\n' >"$pg/pwfile"
    [ "$(id -u)" != 0 ] || chown -R postgres: "$pg"
    as_pg "$initdb" -D "$pg/data" -U postgres --pwfile="$pg/pwfile" \
      --auth=scram-sha-256 -E UTF8 --locale=C >"$pg/initdb.log" 2>&1 ||
      { cat "$pg/initdb.log" >&2; die "initdb failed"; }
    rm -f "$pg/pwfile"
  fi
  [ "$(id -u)" != 0 ] || chown -R postgres: "$pg"
  if pg_running; then return; fi
  say "PostgreSQL on 127.0.0.1:$pg_port"
  as_pg "$pg_ctl" -D "$pg/data" -l "$pg/postgres.log" -w -t 60 \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg/run" start >/dev/null ||
    { tail -n 20 "$pg/postgres.log" >&2; die "PostgreSQL did not start ($pg/postgres.log)"; }
}

write_config() {
  cat >"$config" <<EOF
# Written by scripts/real-zitadel.sh: the configuration and the steps.
Port: $port
ExternalDomain: localhost
ExternalPort: $port
ExternalSecure: false
TLS:
  Enabled: false
Telemetry:
  Enabled: false
ServicePing:
  Enabled: false
Machine:
  Identification:
    PrivateIp:
      Enabled: false
    Hostname:
      Enabled: true
    Webhook:
      Enabled: false
Database:
  postgres:
    Host: 127.0.0.1
    Port: $pg_port
    Database: zitadel
    User:
      Username: zitadel
      Password: zitadel
      SSL:
        Mode: disable
    Admin:
      Username: postgres
      Password: postgres
      SSL:
        Mode: disable
FirstInstance:
  PatPath: $pat_file
  MachineKeyPath: $key_file
  Org:
    Machine:
      Machine:
        Username: zitadel-admin-sa
        Name: Admin
      Pat:
        ExpirationDate: "2099-01-01T00:00:00Z"
      MachineKey:
        ExpirationDate: "2099-01-01T00:00:00Z"
        Type: 1
EOF
}

write_env() {
  mkdir -p "$(dirname "$env_file")"
  (
    umask 077
    cat >"$env_file" <<EOF
ZITADEL_DOMAIN=localhost
ZITADEL_PORT=$port
ZITADEL_INSECURE=true
ZITADEL_ADMIN_ACCESS_TOKEN=$(tr -d '[:space:]' <"$pat_file")
EOF
    if [ -s "$key_file" ]; then echo "TF_ACC_ZITADEL_JWT_PROFILE_FILE=$key_file" >>"$env_file"; fi
  )
  say "env file: $env_file"
}

start() {
  local bin sub pid deadline code
  local -a flags
  bin=$(zitadel_bin)
  mkdir -p "$dir"
  start_pg
  if pid=$(zitadel_pid); then
    say "ZITADEL already runs (pid $pid)"
  else
    write_config
    # `start` takes no --steps.
    sub=start flags=(--config "$config")
    [ -f "$initialized" ] || sub=start-from-init flags=(--config "$config" --steps "$config")
    say "zitadel $sub ($("$bin" --version 2>/dev/null || echo "$bin")) on 127.0.0.1:$port, log $log"
    echo "=== $(date -u +%FT%TZ) $sub" >>"$log"
    # A session of its own, so that the caller's Ctrl-C or exit leaves it be;
    # the process writes its own pid before it becomes ZITADEL.
    # shellcheck disable=SC2016 # $$ is the inner shell's pid
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pid_file" \
      "$bin" "$sub" "${flags[@]}" --masterkey "$masterkey" --tlsMode disabled \
      </dev/null >>"$log" 2>&1 &
    sleep 1
  fi
  deadline=$((SECONDS + timeout))
  until ready; do
    if ! zitadel_pid >/dev/null; then
      # This start's lines of the log, the last ones.
      awk '/^=== /{n=0} {l[n++]=$0} END{for(i=(n>30?n-30:0);i<n;i++)print l[i]}' "$log" >&2
      die "ZITADEL exited ($log)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "ZITADEL not ready after ${timeout}s ($log)"
    sleep 2
  done
  [ -s "$pat_file" ] || die "no personal access token at $pat_file (was the first start interrupted? try clean)"
  chmod 600 "$pat_file" "$key_file" 2>/dev/null || true
  # Ready comes a moment before the REST gateway answers (503 until then).
  until code=$(token_status) && [ "$code" = 200 ]; do
    case "$code" in 4??) die "the admin token is refused: GET /management/v1/orgs/me answers $code" ;; esac
    [ "$SECONDS" -lt "$deadline" ] || die "GET /management/v1/orgs/me answers $code after ${timeout}s ($log)"
    sleep 1
  done
  touch "$initialized"
  write_env
  say "ready: http://localhost:$port"
}

stop() {
  local pid _
  if pid=$(zitadel_pid); then
    say "stopping ZITADEL (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$pid_file"
  if pg_running; then
    say "stopping PostgreSQL"
    as_pg "$pg_ctl" -D "$pg/data" -m fast -w -t 60 stop >/dev/null
  fi
}

status() {
  local pid
  if pid=$(zitadel_pid); then
    if ready; then say "ZITADEL runs (pid $pid) and is ready: http://localhost:$port"; else say "ZITADEL runs (pid $pid), not ready"; fi
  else
    say "ZITADEL does not run"
  fi
  if pg_running; then say "PostgreSQL runs on 127.0.0.1:$pg_port"; else say "PostgreSQL does not run"; fi
  if [ -f "$env_file" ]; then say "env file: $env_file"; fi
}

# pg_ctl is needed only when a cluster exists or is to be made.
pg_ctl=
if [ "$cmd" = start ] || [ -f "$pg/data/postmaster.pid" ]; then pg_ctl=$(pg_tool pg_ctl); fi

case "$cmd" in
  start) start ;;
  stop) stop ;;
  clean)
    stop
    rm -rf "$dir" "$env_file"
    say "removed $dir and $env_file"
    ;;
  status) status ;;
  *) die "usage: $0 start|stop|clean|status" ;;
esac
