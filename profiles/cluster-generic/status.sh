#!/usr/bin/env bash
# Job status for Snakemake's cluster-generic executor. Called as
#     status.sh <jobid>
# and must print exactly one of: running | success | failed  (and exit 0 -- a non-zero
# exit aborts the whole Snakemake run). When the scheduler does not (yet) know the job,
# "running" is printed and Snakemake asks again later.
#
# Without a status command Snakemake only watches marker files written at the end of
# the jobscript, so a job killed by the scheduler (wall time, memory, node failure)
# would be waited for forever. Hence this script.
#
# ===== EDIT HERE: same value as in submit.sh (or set DEEPCLUST_SCHEDULER) ============
SCHEDULER="${DEEPCLUST_SCHEDULER:-slurm}"     # slurm | pbs | sge | lsf
# ======================================================================================
set -uo pipefail
jobid="${1:?usage: status.sh JOBID}"

emit() { echo "$1"; exit 0; }

case "$SCHEDULER" in
slurm)
    # sacct needs slurmdbd; fall back to squeue (only knows jobs for MinJobAge seconds)
    st="$(sacct -X -n -P -j "$jobid" -o State 2>/dev/null | head -n1 | awk '{print $1}')"
    [ -n "$st" ] || st="$(squeue -h -j "$jobid" -o %T 2>/dev/null | head -n1)"
    case "$st" in
        COMPLETED) emit success ;;
        ""|PENDING|CONFIGURING|RUNNING|COMPLETING|SUSPENDED|REQUEUED|REQUEUE_FED|REQUEUE_HOLD|RESIZING|STAGE_OUT|SIGNALING|STOPPED|RESV_DEL_HOLD|SPECIAL_EXIT)
            emit running ;;
        *) emit failed ;;    # FAILED TIMEOUT CANCELLED OUT_OF_MEMORY NODE_FAIL PREEMPTED BOOT_FAIL DEADLINE
    esac
    ;;
pbs)
    # PBS Pro/OpenPBS: -x also shows finished jobs (job_state F + Exit_status);
    # Torque: finished jobs have job_state C + exit_status.
    info="$(qstat -x -f "$jobid" 2>/dev/null || qstat -f "$jobid" 2>/dev/null)"
    [ -n "$info" ] || emit running
    state="$(echo "$info" | sed -n 's/^ *job_state = //p' | head -n1)"
    code="$(echo "$info" | sed -n 's/^ *[Ee]xit_status = //p' | head -n1)"
    case "$state" in
        F|C) [ "$code" = 0 ] && emit success || emit failed ;;
        *) emit running ;;
    esac
    ;;
sge)
    # still queued/running -> qstat knows it; afterwards ask the accounting (qacct)
    if qstat -j "$jobid" >/dev/null 2>&1; then
        qstat -j "$jobid" 2>/dev/null | grep -qi '^error reason' && emit failed
        emit running
    fi
    acct="$(qacct -j "$jobid" 2>/dev/null)"
    [ -n "$acct" ] || emit running            # accounting file not written yet
    failed="$(echo "$acct" | awk '$1=="failed"{print $2}' | tail -n1)"
    code="$(echo "$acct" | awk '$1=="exit_status"{print $2}' | tail -n1)"
    [ "$failed" = 0 ] && [ "$code" = 0 ] && emit success
    emit failed
    ;;
lsf)
    st="$(bjobs -noheader -o stat "$jobid" 2>/dev/null | head -n1 | tr -d ' ')"
    case "$st" in
        DONE) emit success ;;
        EXIT) emit failed ;;
        *) emit running ;;   # PEND RUN PSUSP USUSP SSUSP WAIT UNKWN, or not found yet
    esac
    ;;
*)
    echo "status.sh: unknown SCHEDULER '$SCHEDULER' (slurm|pbs|sge|lsf)" >&2
    exit 1
    ;;
esac
