#!/usr/bin/env bash
# Start a throw-away, single-node Slurm cluster (with accounting) for CI.
#
#   bash .ci/slurm/start.sh [STATE_DIR]        # default STATE_DIR=/tmp/deepclust-slurm
#   ... use sbatch / snakemake --profile profiles/slurm ...
#   bash .ci/slurm/stop.sh  [STATE_DIR]
#
# Needs root on Debian 12 (bookworm) without systemd. Installs (if missing):
#   munge slurmctld slurmd slurm-client slurmdbd mariadb-server  (Slurm 22.05)
#
# What it does:
#   * writes slurm.conf / slurmdbd.conf into $STATE/etc,
#   * initialises a private MariaDB data dir in $STATE/mysql (TCP 127.0.0.1:$DB_PORT,
#     socket $STATE/run/mysqld.sock; it never touches /var/lib/mysql),
#   * starts its own munged (as user munge, socket $STATE/munge/munge.socket, named in the
#     configs' AuthInfo), mariadbd, slurmdbd, slurmctld, slurmd -- each in
#     the foreground (-D / -F) and backgrounded by this script, so $! is the daemon
#     itself; "<name> <pid>" lines are written to $STATE/pids (stop.sh kills exactly those),
#   * registers cluster + account + user(s) with sacctmgr -i,
#   * waits (bounded) until `sinfo` reports the node idle.
#
# Config path: the daemons get SLURM_CONF=$STATE/etc/slurm.conf (Slurm then also reads
# slurmdbd.conf / cgroup.conf from that directory). So that plain client commands
# (sbatch, squeue, sacct, sacctmgr -- and therefore the snakemake slurm executor) work
# without any environment variable, /etc/slurm/slurm.conf is made a symlink to it
# (only if that path is absent or already one of our symlinks; an existing foreign
# file is left alone and you must `export SLURM_CONF=...`, see $STATE/env).
# stop.sh removes the symlink again. DEEPCLUST_SLURM_LINK_CONF=0 leaves /etc/slurm alone:
# clients then need SLURM_CONF, and the srun inside a Snakemake job (whose SLURM_* variables
# the slurm executor deletes) an srun wrapper first on PATH, as tests/workflow/test_slurm.py
# sets up.
#
# Tunables (environment): DEEPCLUST_SLURM_CLUSTER (deepclust), DEEPCLUST_SLURM_PARTITION
# (main), DEEPCLUST_SLURM_ACCOUNT (ci), DEEPCLUST_SLURM_USERS (extra users added to the
# account; root and $SUDO_USER are always added), DEEPCLUST_SLURM_DB_PORT (3316),
# DEEPCLUST_SLURM_PORTS_BASE (6817 -> slurmctld 6817, slurmd 6818, slurmdbd 6819; each also
# on its own: DEEPCLUST_SLURM_CTLD_PORT, DEEPCLUST_SLURMD_PORT, DEEPCLUST_SLURMDBD_PORT),
# DEEPCLUST_SLURM_WAIT (seconds to wait for each daemon, default 60).
set -euo pipefail

STATE="${1:-/tmp/deepclust-slurm}"
CLUSTER="${DEEPCLUST_SLURM_CLUSTER:-deepclust}"
PARTITION="${DEEPCLUST_SLURM_PARTITION:-main}"
ACCOUNT="${DEEPCLUST_SLURM_ACCOUNT:-ci}"
DB_PORT="${DEEPCLUST_SLURM_DB_PORT:-3316}"
PORT_BASE="${DEEPCLUST_SLURM_PORTS_BASE:-6817}"
CTLD_PORT="${DEEPCLUST_SLURM_CTLD_PORT:-$PORT_BASE}"
SLURMD_PORT="${DEEPCLUST_SLURMD_PORT:-$(( PORT_BASE + 1 ))}"
DBD_PORT="${DEEPCLUST_SLURMDBD_PORT:-$(( PORT_BASE + 2 ))}"
LINK_CONF="${DEEPCLUST_SLURM_LINK_CONF:-1}"
WAIT="${DEEPCLUST_SLURM_WAIT:-60}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { printf '[slurm-ci] %s\n' "$*"; }
die() { printf '[slurm-ci] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
case "$STATE" in /*) ;; *) STATE="$(pwd)/$STATE" ;; esac
T0=$(date +%s)

# ---------------------------------------------------------------- idempotency
# alive PID: process exists and is not a zombie (PID 1 in containers may reap late)
alive() { local st; st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" && [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]; }
if [ -s "$STATE/pids" ]; then
    all_alive=1
    while read -r _name pid; do
        alive "$pid" || all_alive=0
    done < "$STATE/pids"
    if [ "$all_alive" = 1 ] && SLURM_CONF="$STATE/etc/slurm.conf" sinfo -h -o %t 2>/dev/null | grep -qx 'idle\|mix\|alloc'; then
        say "cluster already running (state $STATE); nothing to do"
        exit 0
    fi
    say "stale state in $STATE -- stopping leftovers first"
    bash "$HERE/stop.sh" "$STATE" || true
fi

# ---------------------------------------------------------------- packages
PKGS="munge slurmctld slurmd slurm-client slurmdbd mariadb-server"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # Keep the packages' maintainer scripts from starting daemons (munge, mariadb) that
    # would grab the default sockets; we start our own below.
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    say "packages installed ($(( $(date +%s) - T0 ))s)"
fi

# ---------------------------------------------------------------- users, dirs
getent passwd slurm >/dev/null || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin slurm
getent passwd munge >/dev/null || die "user munge missing (munge package broken?)"
getent passwd mysql >/dev/null || die "user mysql missing (mariadb-server package broken?)"

mkdir -p "$STATE"/{etc,log,run,spool/ctld,spool/d}
chmod 755 "$STATE" "$STATE"/{etc,log,run,spool}
chown slurm:slurm "$STATE/spool/ctld" "$STATE/log"
mkdir -p "$STATE/munge"; chown munge:munge "$STATE/munge"; chmod 755 "$STATE/munge"
MUNGE_SOCKET="$STATE/munge/munge.socket"
: > "$STATE/pids"
export SLURM_CONF="$STATE/etc/slurm.conf"

record() { echo "$1 $2" >> "$STATE/pids"; }

# wait_for SECONDS DESCRIPTION PID COMMAND...: poll COMMAND until it succeeds; fail early
# if PID died.
wait_for() {
    local secs=$1 what=$2 pid=$3; shift 3
    local end=$(( $(date +%s) + secs ))
    until "$@" >/dev/null 2>&1; do
        if [ -n "$pid" ] && ! alive "$pid"; then
            die "$what died during start-up (see logs in $STATE/log)"
        fi
        [ "$(date +%s)" -lt "$end" ] || die "timeout after ${secs}s waiting for $what (see logs in $STATE/log)"
        sleep 0.5
    done
}

# ---------------------------------------------------------------- machine facts
HOST="$(hostname -s)"
# slurmd -C prints the node's real topology: NodeName=.. CPUs=.. Boards=.. ... RealMemory=..
NODELINE="$(slurmd -C 2>/dev/null | head -n1 || true)"
if ! echo "$NODELINE" | grep -q '^NodeName='; then
    NODELINE="NodeName=$HOST CPUs=$(nproc) RealMemory=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 ))"
fi
CPUS="$(echo "$NODELINE" | sed -n 's/.* CPUs=\([0-9]*\).*/\1/p')"
MEM="$(echo "$NODELINE" | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')"
# Headroom for the OS, MariaDB, the Slurm daemons and the snakemake controller itself:
# advertise total - max(1 GiB, 10 %).
HEADROOM=$(( MEM / 10 )); [ "$HEADROOM" -lt 1024 ] && HEADROOM=1024
REALMEM=$(( MEM - HEADROOM )); [ "$REALMEM" -lt 256 ] && REALMEM=256
DEFMEM=$(( REALMEM / CPUS )); [ "$DEFMEM" -gt 1024 ] && DEFMEM=1024
NODELINE="$(echo "$NODELINE" | sed -e "s/^NodeName=[^ ]*/NodeName=$HOST NodeAddr=127.0.0.1/" -e "s/RealMemory=[0-9]*/RealMemory=$REALMEM/")"
say "node $HOST: $CPUS CPUs, RealMemory=${REALMEM}M (of ${MEM}M), DefMemPerCPU=${DEFMEM}M"

# ---------------------------------------------------------------- configs
cat > "$STATE/etc/slurm.conf" <<EOF
# generated by .ci/slurm/start.sh -- single-node CI cluster, no cgroups
ClusterName=$CLUSTER
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$STATE/spool/ctld
SlurmdSpoolDir=$STATE/spool/d
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups needed:
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$DEFMEM
ReturnToService=2
MinJobAge=300
KillWait=5
InactiveLimit=0
Waittime=0
# accounting (the snakemake slurm executor polls job states with sacct):
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
AccountingStoragePass=$MUNGE_SOCKET
JobCompType=jobcomp/none
MailProg=/bin/true
$NODELINE State=UNKNOWN
PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

DBPASS="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
umask 077
cat > "$STATE/etc/slurmdbd.conf" <<EOF
# generated by .ci/slurm/start.sh
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
DbdHost=$HOST
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=slurm
PidFile=$STATE/run/slurmdbd.pid
LogFile=$STATE/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=$DBPASS
StorageLoc=slurm_acct_db
EOF
umask 022
chown slurm:slurm "$STATE/etc/slurmdbd.conf"
chmod 600 "$STATE/etc/slurmdbd.conf"
# (no cgroup.conf: proctrack/linuxproc + task/none never load the cgroup plugin)

# /etc/slurm/slurm.conf -> $STATE/etc/slurm.conf for client commands (see header)
mkdir -p /etc/slurm
if [ "$LINK_CONF" = 0 ]; then
    rm -f "$STATE/symlink"
elif [ -L /etc/slurm/slurm.conf ] || [ ! -e /etc/slurm/slurm.conf ]; then
    ln -sfn "$STATE/etc/slurm.conf" /etc/slurm/slurm.conf
    echo /etc/slurm/slurm.conf > "$STATE/symlink"
else
    say "NOTE: /etc/slurm/slurm.conf exists and is not ours; export SLURM_CONF=$SLURM_CONF for clients"
    rm -f "$STATE/symlink"
fi
printf 'export SLURM_CONF=%q\n' "$SLURM_CONF" > "$STATE/env"

# ---------------------------------------------------------------- munge
# Our own munged on its own socket (the configs' AuthInfo), so that stopping this cluster
# never stops the munged of another one; the key is the machine's.
if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile=/etc/munge/munge.key
    else
        dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    fi
fi
chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
# setpriv execs (no fork), so $! is munged itself.
setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground \
    --socket="$MUNGE_SOCKET" --pid-file="$STATE/munge/munged.pid" \
    --seed-file="$STATE/munge/munged.seed" --log-file="$STATE/munge/munged.log" \
    > "$STATE/log/munged.out" 2>&1 &
record munged $!
wait_for "$WAIT" munged $! sh -c "munge -S '$MUNGE_SOCKET' -n | unmunge -S '$MUNGE_SOCKET'"
say "munged up ($MUNGE_SOCKET)"

# ---------------------------------------------------------------- mariadb
MYSQL_DIR="$STATE/mysql"
DB_SOCK="$STATE/run/mysqld.sock"
mkdir -p "$MYSQL_DIR"; chown mysql:mysql "$MYSQL_DIR" "$STATE/run"
if [ ! -d "$MYSQL_DIR/mysql" ]; then
    say "initialising MariaDB data dir $MYSQL_DIR"
    mariadb-install-db --no-defaults --user=mysql --datadir="$MYSQL_DIR" \
        --auth-root-authentication-method=socket --skip-test-db \
        > "$STATE/log/mariadb-install-db.log" 2>&1 || die "mariadb-install-db failed (see $STATE/log/mariadb-install-db.log)"
fi
/usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$MYSQL_DIR" \
    --socket="$DB_SOCK" --pid-file="$STATE/run/mysqld.pid" \
    --bind-address=127.0.0.1 --port="$DB_PORT" --skip-name-resolve \
    --log-error="$STATE/log/mariadb.log" \
    --innodb-buffer-pool-size=256M --innodb-log-file-size=64M --innodb-lock-wait-timeout=900 --max-connections=50 \
    > "$STATE/log/mariadb.out" 2>&1 &
record mariadbd $!
wait_for "$WAIT" mariadbd $! mariadb-admin --no-defaults --socket="$DB_SOCK" -uroot ping
mariadb --no-defaults --socket="$DB_SOCK" -uroot <<EOF
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$DBPASS';
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DBPASS';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$DBPASS';
ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$DBPASS';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
FLUSH PRIVILEGES;
EOF
say "mariadb up (127.0.0.1:$DB_PORT)"

# ---------------------------------------------------------------- slurmdbd
/usr/sbin/slurmdbd -D > "$STATE/log/slurmdbd.out" 2>&1 &
record slurmdbd $!
wait_for "$WAIT" slurmdbd $! sacctmgr -n list cluster
say "slurmdbd up"

sacctmgr_i() {  # sacctmgr -i, tolerating "already exists" / "nothing new added"
    local out
    out="$(sacctmgr -i "$@" 2>&1)" && return 0
    echo "$out" | grep -qi 'already exist\|nothing new' && return 0
    echo "$out" >&2; return 1
}
sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER" \
    || sacctmgr_i add cluster "$CLUSTER" >/dev/null
sacctmgr -n -P list account format=account | grep -qx "$ACCOUNT" \
    || sacctmgr_i add account "$ACCOUNT" Cluster="$CLUSTER" Description="CI account" Organization=ci >/dev/null
for u in root ${SUDO_USER:-} ${DEEPCLUST_SLURM_USERS:-}; do
    sacctmgr -n -P list assoc user="$u" account="$ACCOUNT" cluster="$CLUSTER" format=user | grep -qx "$u" \
        || sacctmgr_i add user "$u" Account="$ACCOUNT" Cluster="$CLUSTER" >/dev/null
done
say "accounting: cluster=$CLUSTER account=$ACCOUNT"

# ---------------------------------------------------------------- slurmctld, slurmd
/usr/sbin/slurmctld -D > "$STATE/log/slurmctld.out" 2>&1 &
record slurmctld $!
wait_for "$WAIT" slurmctld $! scontrol ping
say "slurmctld up"

/usr/sbin/slurmd -D -N "$HOST" > "$STATE/log/slurmd.out" 2>&1 &
SLURMD_PID=$!
record slurmd $SLURMD_PID
node_idle() { sinfo -h -n "$HOST" -o %t | grep -qx 'idle'; }
wait_for "$WAIT" "node $HOST to become idle" "$SLURMD_PID" node_idle
say "node $HOST idle -- cluster ready in $(( $(date +%s) - T0 ))s"
say "partition=$PARTITION account=$ACCOUNT state=$STATE (stop: bash $HERE/stop.sh $STATE)"
