#!/usr/bin/env bash
# PBX test rig: a Debian sid chroot with Asterisk, driven from the host.
#
#   scripts/pbx-rig.sh build    build the chroot once (cached, ~50 s, ~500 MB)
#   scripts/pbx-rig.sh start    copy config/asterisk/*.conf in, start Asterisk, wait for AMI
#   scripts/pbx-rig.sh stop     stop Asterisk (by its pid)
#   scripts/pbx-rig.sh crash    kill -9 Asterisk (a PBX crash: no queue_log line for calls in progress)
#   scripts/pbx-rig.sh status   print "running PID" or "stopped" (exit 0 / 3)
#   scripts/pbx-rig.sh cli CMD  run an Asterisk CLI command (asterisk -rx)
#
# Every command is idempotent. The chroot lives outside the clone
# (PBX_CACHE, default /var/cache/hotline-pbx) and is rebuilt when missing.
# Needs root (debootstrap, chroot) and the host packages debootstrap + sip-tester.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${PBX_CACHE:-/var/cache/hotline-pbx}
root=$cache/chroot
conf_src=${PBX_CONF:-$here/config/asterisk}
ami_host=${PBX_AMI_HOST:-127.0.0.1}
ami_port=${PBX_AMI_PORT:-5038}
pidfile=$cache/asterisk.pid
logfile=$cache/asterisk.console.log

log() { echo "pbx-rig: $*" >&2; }

need_host_packages() {
    local missing=()
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v sipp >/dev/null || missing+=(sip-tester)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing host packages: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
    fi
}

# The machine's own Debian mirror (first URI of a deb822 .sources file naming
# a plain "debian" archive), so the rig works behind the site's mirror/proxy.
mirror_uri() {
    local uri=""
    if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
        uri=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' /etc/apt/sources.list.d/*.sources \
            | grep -v -- '-security' | grep -E '/debian/?$' | head -n1 || true)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' \
            /etc/apt/sources.list | grep -v -- '-security' | head -n1 || true)
    fi
    [ -n "$uri" ] || { log "no Debian mirror URI found in /etc/apt/sources.list.d/*.sources"; exit 1; }
    echo "${uri%/}"
}

built() { [ -x "$root/usr/sbin/asterisk" ] && [ -f "$cache/.built" ]; }

cmd_build() {
    need_host_packages
    if built; then
        log "chroot already built at $root"
        return 0
    fi
    local uri
    uri=$(mirror_uri)
    log "building chroot at $root from $uri (sid, minbase + asterisk)"
    rm -rf "$root" "$cache/.built"
    mkdir -p "$cache"
    # Snapshot mirrors serve expired Release files: don't let apt reject them.
    debootstrap --variant=minbase --include=asterisk sid "$root" "$uri" >"$cache/debootstrap.log" 2>&1 || {
        tail -n 30 "$cache/debootstrap.log" >&2
        log "debootstrap failed (full log: $cache/debootstrap.log)"
        exit 1
    }
    echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99no-check-valid-until"
    date -u +%FT%TZ >"$cache/.built"
    log "built: $(chroot "$root" /usr/sbin/asterisk -V)"
}

running_pid() {
    [ -f "$pidfile" ] || return 1
    local pid
    pid=$(cat "$pidfile")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # Guard against pid reuse: the process must be this chroot's asterisk.
    grep -q asterisk "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

ami_up() {
    # The AMI greeting line proves the manager is listening.
    timeout 2 bash -c "exec 3<>/dev/tcp/$ami_host/$ami_port; head -c 22 <&3" 2>/dev/null | grep -q 'Asterisk Call Manager'
}

cmd_start() {
    built || cmd_build
    if pid=$(running_pid); then
        log "already running (pid $pid)"
        ami_up && return 0
    else
        install -d "$root/etc/asterisk"
        cp "$conf_src"/*.conf "$root/etc/asterisk/"
        # The rig is a local test PBX: listen on loopback only (the files say 0.0.0.0
        # for docker-compose and real sites).
        sed -i 's/^bindaddr = 0\.0\.0\.0/bindaddr = 127.0.0.1/' "$root/etc/asterisk/manager.conf"
        sed -i 's/^bind = 0\.0\.0\.0:5060/bind = 127.0.0.1:5060/' "$root/etc/asterisk/pjsip.conf"
        # Inside the chroot /var/run -> /run is an absolute link: create it there.
        chroot "$root" mkdir -p /var/run/asterisk
        chroot "$root" chown -R asterisk:asterisk /var/run/asterisk /var/lib/asterisk /var/log/asterisk \
            /var/spool/asterisk /etc/asterisk
        # A stale control socket keeps a new asterisk from starting cleanly.
        rm -f "$root/var/run/asterisk/asterisk.ctl" "$root/var/run/asterisk/asterisk.pid"
        setsid chroot "$root" /usr/sbin/asterisk -f -U asterisk -G asterisk </dev/null >"$logfile" 2>&1 &
        echo $! >"$pidfile"
        log "started (pid $(cat "$pidfile"))"
    fi
    for _ in $(seq 1 100); do
        if ami_up; then
            # AMI listens before every module is loaded: wait for "fully booted".
            timeout 60 chroot "$root" /usr/sbin/asterisk -rx 'core waitfullybooted' >/dev/null 2>&1 || true
            log "AMI up on $ami_host:$ami_port"
            return 0
        fi
        # kill -0, not running_pid: until setsid has exec'd asterisk, the child's cmdline is still this
        # script's (a clean CI run once read it in that instant and gave up on a healthy Asterisk).
        kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -n 30 "$logfile" >&2; log "asterisk exited"; exit 1; }
        sleep 0.2
    done
    tail -n 30 "$logfile" >&2
    log "AMI did not come up on $ami_host:$ami_port"
    exit 1
}

cmd_stop() {
    local pid
    if ! pid=$(running_pid); then
        log "not running"
        rm -f "$pidfile"
        return 0
    fi
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    log "stopped"
}

cmd_crash() {
    local pid
    if pid=$(running_pid); then
        kill -9 "$pid"
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        rm -f "$pidfile"
        log "killed (pid $pid, SIGKILL)"
    else
        log "not running"
    fi
}

cmd_status() {
    local pid
    if pid=$(running_pid); then
        echo "running $pid"
    else
        echo "stopped"
        return 3
    fi
}

case ${1:-} in
    build) cmd_build ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    crash) cmd_crash ;;
    restart) cmd_stop; cmd_start ;;
    status) cmd_status ;;
    cli) shift; chroot "$root" /usr/sbin/asterisk -rx "$*" ;;
    root) echo "$root" ;;
    *) echo "usage: $0 build|start|stop|crash|restart|status|cli CMD|root" >&2; exit 2 ;;
esac
