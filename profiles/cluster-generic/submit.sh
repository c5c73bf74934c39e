#!/usr/bin/env bash
# Job submission wrapper for Snakemake's cluster-generic executor
# (snakemake-executor-plugin-cluster-generic 1.x). Called by Snakemake as
#     submit.sh <jobscript>
# in the workflow's working directory. It must print ONLY the scheduler's job id.
#
# The job's rule, threads and resources are read from the "# properties = {json}"
# line Snakemake writes into every jobscript. They are translated like this:
#   threads                         -> CPUs on one node
#   resources.mem_mb                -> memory of the whole job (MB)
#   resources.runtime               -> wall time (minutes)
#   resources.gpu                   -> number of GPUs
#   resources.queue                 -> queue/partition; falls back to resources.slurm_partition,
#                                      then to $DEEPCLUST_QUEUE, then to the scheduler default
#   resources.account               -> account/project; falls back to resources.slurm_account,
#                                      then to $DEEPCLUST_ACCOUNT
#   resources.cluster_extra         -> extra submit flags, passed on verbatim (word-split)
#
# ===== EDIT HERE =====================================================================
# 1) Which scheduler: slurm | pbs | sge | lsf. Set DEEPCLUST_SCHEDULER or change the
#    default below. Use the SAME value in status.sh and the matching
#    cluster-generic-cancel-cmd in config.yaml.
SCHEDULER="${DEEPCLUST_SCHEDULER:-slurm}"
# 2) Where the scheduler writes each job's stdout/stderr (relative to the workdir).
LOGDIR="${DEEPCLUST_CLUSTER_LOGDIR:-logs/cluster}"
# 3) Site specifics (only the ones for your scheduler matter):
SGE_PE="${DEEPCLUST_SGE_PE:-smp}"            # SGE parallel environment for threads > 1
SGE_MEM="${DEEPCLUST_SGE_MEM:-h_vmem}"       # SGE per-slot memory complex (h_vmem, mem_free, ...)
SGE_GPU="${DEEPCLUST_SGE_GPU:-gpu}"          # SGE GPU complex name
LSF_MEM_UNIT_KB="${DEEPCLUST_LSF_MEM_KB:-0}" # 1 if LSF_UNIT_FOR_LIMITS is KB (LSF default!), 0 if MB
PBS_FLAVOUR="${DEEPCLUST_PBS_FLAVOUR:-pro}"  # pro (PBS Pro/OpenPBS: -l select=...) | torque (-l nodes=1:ppn=...)
# =====================================================================================
set -euo pipefail

jobscript="${!#}"
[ -f "$jobscript" ] || { echo "submit.sh: jobscript '$jobscript' not found" >&2; exit 1; }
mkdir -p "$LOGDIR"
LOGDIR_ABS="$(cd "$LOGDIR" && pwd)"

# --- read job properties (python3 is there anyway: Snakemake needs it) ---------------
eval "$(python3 - "$jobscript" <<'PYEOF'
import json, os, shlex, sys
props = {}
with open(sys.argv[1]) as f:
    for line in f:
        if line.startswith("# properties = "):
            props = json.loads(line[len("# properties = "):])
            break
res = props.get("resources", {}) or {}
def num(v, default=0):
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return default
name = props.get("rule") if props.get("type") != "group" else "group-" + str(props.get("groupid", "job"))
name = "smk-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in str(name))
vals = {
    "NAME": name,
    "JOBID": props.get("jobid", 0),
    "THREADS": max(1, num(props.get("threads", 1), 1)),
    "MEM_MB": num(res.get("mem_mb")),
    "RUNTIME": num(res.get("runtime")),
    "GPUS": num(res.get("gpu")),
    "QUEUE": res.get("queue") or res.get("slurm_partition") or os.environ.get("DEEPCLUST_QUEUE", ""),
    "ACCOUNT": res.get("account") or res.get("slurm_account") or os.environ.get("DEEPCLUST_ACCOUNT", ""),
    "EXTRA": res.get("cluster_extra") or "",
}
for k, v in vals.items():
    print(f"{k}={shlex.quote(str(v))}")
PYEOF
)"
# shellcheck disable=SC2206
extra=($EXTRA)

case "$SCHEDULER" in
slurm)
    args=(--parsable --job-name "$NAME" --output "$LOGDIR_ABS/%x-%j.log"
          --ntasks 1 --cpus-per-task "$THREADS")
    [ "$MEM_MB" -gt 0 ] && args+=(--mem "${MEM_MB}M")
    [ "$RUNTIME" -gt 0 ] && args+=(--time "$RUNTIME")
    [ -n "$QUEUE" ] && args+=(--partition "$QUEUE")
    [ -n "$ACCOUNT" ] && args+=(--account "$ACCOUNT")
    [ "$GPUS" -gt 0 ] && args+=(--gpus "$GPUS")
    out="$(sbatch "${args[@]}" ${extra[@]+"${extra[@]}"} "$jobscript")"
    echo "${out%%;*}"                          # "123" or "123;clustername"
    ;;
pbs)
    args=(-N "${NAME:0:15}" -V -j oe -o "$LOGDIR_ABS/")
    if [ "$PBS_FLAVOUR" = torque ]; then
        res="nodes=1:ppn=$THREADS"
        [ "$GPUS" -gt 0 ] && res+=":gpus=$GPUS"
        [ "$MEM_MB" -gt 0 ] && res+=",mem=${MEM_MB}mb"
    else
        res="select=1:ncpus=$THREADS"
        [ "$MEM_MB" -gt 0 ] && res+=":mem=${MEM_MB}mb"
        [ "$GPUS" -gt 0 ] && res+=":ngpus=$GPUS"
    fi
    args+=(-l "$res")
    [ "$RUNTIME" -gt 0 ] && args+=(-l "walltime=$(( RUNTIME * 60 ))")
    [ -n "$QUEUE" ] && args+=(-q "$QUEUE")
    [ -n "$ACCOUNT" ] && args+=(-A "$ACCOUNT")
    qsub "${args[@]}" ${extra[@]+"${extra[@]}"} "$jobscript"    # prints e.g. "1234.pbs-server"
    ;;
sge)
    args=(-terse -V -cwd -S /bin/bash -N "$NAME" -j y -o "$LOGDIR_ABS/")
    [ "$THREADS" -gt 1 ] && args+=(-pe "$SGE_PE" "$THREADS")
    # SGE memory complexes are per slot -> divide the job's memory by the slots
    [ "$MEM_MB" -gt 0 ] && args+=(-l "$SGE_MEM=$(( (MEM_MB + THREADS - 1) / THREADS ))M")
    [ "$RUNTIME" -gt 0 ] && args+=(-l "h_rt=$(( RUNTIME * 60 ))")
    [ "$GPUS" -gt 0 ] && args+=(-l "$SGE_GPU=$GPUS")
    [ -n "$QUEUE" ] && args+=(-q "$QUEUE")
    [ -n "$ACCOUNT" ] && args+=(-P "$ACCOUNT")
    out="$(qsub "${args[@]}" ${extra[@]+"${extra[@]}"} "$jobscript")"
    echo "${out%%.*}"                          # -terse prints "1234" (arrays "1234.1-10:1")
    ;;
lsf)
    args=(-J "$NAME" -o "$LOGDIR_ABS/$NAME-%J.log" -n "$THREADS")
    rreq="span[hosts=1]"
    if [ "$MEM_MB" -gt 0 ]; then
        mem="$MEM_MB"; [ "$LSF_MEM_UNIT_KB" = 1 ] && mem=$(( MEM_MB * 1024 ))
        # rusage is per slot (task) on most LSF setups, -M is per job
        rreq+=" rusage[mem=$(( (mem + THREADS - 1) / THREADS ))]"
        args+=(-M "$mem")
    fi
    args+=(-R "$rreq")
    [ "$RUNTIME" -gt 0 ] && args+=(-W "$RUNTIME")
    [ "$GPUS" -gt 0 ] && args+=(-gpu "num=$GPUS")
    [ -n "$QUEUE" ] && args+=(-q "$QUEUE")
    [ -n "$ACCOUNT" ] && args+=(-P "$ACCOUNT")
    out="$(bsub "${args[@]}" ${extra[@]+"${extra[@]}"} "$jobscript")"
    # "Job <1234> is submitted to queue <normal>."
    echo "$out" | sed -n 's/^Job <\([0-9]*\)>.*/\1/p' | head -n1
    ;;
*)
    echo "submit.sh: unknown SCHEDULER '$SCHEDULER' (slurm|pbs|sge|lsf)" >&2
    exit 1
    ;;
esac
