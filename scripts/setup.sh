#!/usr/bin/env bash
# What the tests need on a Debian or Ubuntu machine, in one list: `npm run setup` installs what is
# missing and starts a Docker engine; `npm test` runs this with --check first and stops at once,
# with one message, when anything is missing. .ci/run calls the same script.
#
#   bash scripts/setup.sh           install what is missing (apt-get, as root or through sudo),
#                                   start dockerd if no engine answers, `npm ci` if npm ls finds a package missing
#   bash scripts/setup.sh --check   only say what is missing; exit 1 if anything is
#
# When it starts dockerd itself it writes the pid to $DOCKERD_PIDFILE, so a caller (.ci/run) can
# stop what was started.
set -euo pipefail
cd "$(dirname "$0")/.."

DOCKERD_PIDFILE=${DOCKERD_PIDFILE:-/tmp/hardened-redis-dockerd.pid}
DOCKERD_LOG=${DOCKERD_LOG:-/tmp/hardened-redis-dockerd.log}

# One row a prerequisite: Debian package | the check that proves it is there | why the tests need it.
PREREQUISITES=(
    "redis-server|command -v redis-server|a real Redis 7 started from the rendered config (harness/local/localRedis.ts)"
    "redis-tools|command -v redis-cli && command -v redis-benchmark|redis-cli as another client, redis-benchmark in bench/"
    "docker.io|command -v dockerd|the Docker engine the components are realised on (harness/engine/)"
    "openssl|command -v openssl|certificates as the mocked @pulumi/tls issues them; TLS probes"
    "busybox-static|file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'|sh, grep and nc inside the stand-in Redis image"
    "file|command -v file|tells a static busybox from a dynamic one (this check)"
    "util-linux|command -v nsenter|enters a pod's network namespace to cut it off (partition tests)"
    "iptables|command -v iptables|drops a pod's traffic inside its namespace (partition tests)"
    "python3|command -v python3|reads the Python example with its own parser"
    "python3-redis|/usr/bin/python3 -c 'import redis'|redis-py, another client, against the connection string"
    "prometheus-redis-exporter|command -v prometheus-redis-exporter|redis_exporter scraping a real server as the metrics user"
    "prometheus|command -v promtool|promtool checks the alert rules and unit-tests each alert"
    "debootstrap|command -v debootstrap|builds the Debian trixie root filesystem below"
)

# Redis 8 and Valkey 8, which bookworm does not have: Debian trixie's, in a root filesystem of their
# own (never mixed into the host's packages). The tests run its binaries through its own loader and
# build stand-in images from it (harness/local/serverPrograms.ts reads the same path).
TRIXIE_ROOT=${HARDENED_REDIS_TRIXIE:-/var/cache/hardened-redis/trixie}
TRIXIE_PACKAGES=redis-server,redis-tools,valkey-server,valkey-tools
TRIXIE_MIRROR=${HARDENED_REDIS_TRIXIE_MIRROR:-http://deb.debian.org/debian}
# Written last, so a build cut short is never taken for a whole one.
trixie_complete() { [ -f "$TRIXIE_ROOT/.hardened-redis-packages" ] && [ "$(cat "$TRIXIE_ROOT/.hardened-redis-packages")" = "$TRIXIE_PACKAGES" ]; }

missing_packages() {
    local row package check
    for row in "${PREREQUISITES[@]}"; do
        IFS='|' read -r package check _ <<<"$row"
        bash -c "$check" >/dev/null 2>&1 || printf '%s\n' "$package"
    done
}

docker_answers() { docker info >/dev/null 2>&1; }

# node_modules is usable when npm finds every dependency package.json asks for, in range.
node_modules_current() { npm ls --depth=0 >/dev/null 2>&1; }

check() {
    local problems=()
    mapfile -t packages < <(missing_packages)
    [ ${#packages[@]} -eq 0 ] || problems+=("Debian packages: ${packages[*]}")
    # dockerd may be installed and not running; a missing docker.io is already listed above.
    if command -v dockerd >/dev/null && ! docker_answers; then problems+=("a running Docker engine (docker info fails)"); fi
    trixie_complete || problems+=("Debian trixie's Redis 8 and Valkey 8 in $TRIXIE_ROOT")
    node_modules_current || problems+=("npm packages (npm ls finds some missing or out of range)")
    if [ ${#problems[@]} -gt 0 ]; then
        local list
        list=$(printf '%s; ' "${problems[@]}")
        echo "npm test cannot run here: missing ${list%; }. Run 'npm run setup' (installs them with apt-get and npm ci, and starts dockerd), then 'npm test' again." >&2
        exit 1
    fi
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
    mapfile -t packages < <(missing_packages)
    [ ${#packages[@]} -gt 0 ] || return 0
    echo "setup: installing ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    # policy-rc.d exit 101: install without starting Debian's redis-server on port 6379 (the tests
    # start their own on free loopback ports) or its docker service (started below, or by systemd).
    local made_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        as_root sh -c "printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d"
        made_policy=1
    fi
    as_root apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    if [ -n "$made_policy" ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
}

build_trixie() {
    trixie_complete && return 0
    echo "setup: building Debian trixie's $TRIXIE_PACKAGES into $TRIXIE_ROOT (about a minute)"
    as_root rm -rf "$TRIXIE_ROOT.next"
    as_root mkdir -p "$(dirname "$TRIXIE_ROOT")"
    as_root debootstrap --variant=minbase --include="$TRIXIE_PACKAGES" trixie "$TRIXIE_ROOT.next" "$TRIXIE_MIRROR" >/dev/null
    as_root sh -c "echo '$TRIXIE_PACKAGES' > '$TRIXIE_ROOT.next/.hardened-redis-packages'"
    as_root rm -rf "$TRIXIE_ROOT"
    as_root mv "$TRIXIE_ROOT.next" "$TRIXIE_ROOT"
}

start_docker() {
    docker_answers && return 0
    if [ -d /run/systemd/system ]; then
        echo "setup: starting the docker service"
        as_root systemctl start docker
    else
        echo "setup: starting dockerd in the background (log: $DOCKERD_LOG)"
        as_root sh -c "dockerd >'$DOCKERD_LOG' 2>&1 & echo \$! >'$DOCKERD_PIDFILE'"
    fi
    for _ in $(seq 1 60); do docker_answers && return 0; sleep 1; done
    echo "setup: the Docker engine did not start:" >&2
    tail -20 "$DOCKERD_LOG" >&2 || true
    exit 1
}

case "${1:-}" in
    --check) check ;;
    "")
        install_packages
        build_trixie
        start_docker
        if ! node_modules_current; then npm ci --no-audit --no-fund; fi
        check
        echo "setup: $(redis-server --version | cut -d' ' -f1-3), Docker engine $(docker version --format '{{.Server.Version}}'), Node $(node --version)"
        node_major=$(node -p 'process.versions.node.split(".")[0]')
        if [ "$node_major" -lt 22 ]; then
            echo "setup: Node $(node --version) is older than the Node 22 and 24 users run and CI tests on; the tests run on it with the lockfile's SDK, but only CI's run says what users get"
        fi
        ;;
    *)
        echo "usage: bash scripts/setup.sh [--check]" >&2
        exit 2
        ;;
esac
