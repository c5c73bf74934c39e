#!/usr/bin/env bash
# Stop the CI Slurm cluster started by .ci/slurm/start.sh.
#
#   bash .ci/slurm/stop.sh [STATE_DIR]      # default /tmp/deepclust-slurm
#
# Kills exactly the PIDs recorded in $STATE/pids (in reverse start order: slurmd,
# slurmctld, slurmdbd, mariadbd, munged), first with SIGTERM, after a grace period with
# SIGKILL, and waits until each is gone. A PID is only signalled while its process
# name still matches the recorded daemon (guards against PID reuse). Already-dead
# processes are fine. Before that, still queued/running jobs are cancelled with scancel
# so that no slurmstepd/job processes outlive slurmd. The state directory is kept
# (logs, MariaDB data); delete it yourself if you want.
set -uo pipefail

STATE="${1:-/tmp/deepclust-slurm}"
GRACE="${DEEPCLUST_SLURM_STOP_GRACE:-20}"
say() { printf '[slurm-ci] %s\n' "$*"; }

if [ ! -f "$STATE/pids" ]; then
    say "no $STATE/pids -- nothing to stop"
    exit 0
fi
[ -f "$STATE/etc/slurm.conf" ] && export SLURM_CONF="$STATE/etc/slurm.conf"

# Cancel leftover jobs (best effort, bounded) while slurmctld/slurmd still run.
if command -v squeue >/dev/null && grep -q '^slurmctld ' "$STATE/pids"; then
    jobs="$(timeout 10 squeue -h -o %i 2>/dev/null | tr '\n' ' ')"
    if [ -n "${jobs// /}" ]; then
        say "cancelling leftover jobs: $jobs"
        timeout 10 scancel $jobs 2>/dev/null || true
        for _ in $(seq 1 20); do
            [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.5
        done
    fi
fi

# comm name as shown in /proc/PID/comm (truncated to 15 chars) for each daemon
expected_comm() {
    case "$1" in
        mariadbd) echo "mariadbd mysqld" ;;
        *) echo "$1" ;;
    esac
}
matches() {  # matches NAME PID -> true if PID is alive (not a zombie) and still that daemon
    local comm st
    st="$(awk '{print $3}' "/proc/$2/stat" 2>/dev/null)" || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] || return 1
    comm="$(cat "/proc/$2/comm" 2>/dev/null)" || return 1
    for c in $(expected_comm "$1"); do [ "$comm" = "$c" ] && return 0; done
    return 1
}

# reverse order of the pids file
mapfile -t entries < <(tac "$STATE/pids")
rc=0
for e in "${entries[@]}"; do
    name="${e%% *}"; pid="${e##* }"
    [ -n "$pid" ] || continue
    if ! matches "$name" "$pid"; then
        say "$name ($pid) already gone"
        continue
    fi
    kill -TERM "$pid" 2>/dev/null || true
    end=$(( $(date +%s) + GRACE ))
    while matches "$name" "$pid" && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
    if matches "$name" "$pid"; then
        say "$name ($pid) ignored SIGTERM for ${GRACE}s -- SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do matches "$name" "$pid" || break; sleep 0.1; done
    fi
    if matches "$name" "$pid"; then
        say "ERROR: $name ($pid) still alive"; rc=1
    else
        say "stopped $name ($pid)"
    fi
done

if [ $rc = 0 ]; then
    mv -f "$STATE/pids" "$STATE/pids.stopped"
    # remove the /etc/slurm/slurm.conf symlink start.sh created (only if still ours)
    if [ -f "$STATE/symlink" ]; then
        link="$(cat "$STATE/symlink")"
        [ -L "$link" ] && [ "$(readlink "$link")" = "$STATE/etc/slurm.conf" ] && rm -f "$link"
        rm -f "$STATE/symlink"
    fi
fi
exit $rc
