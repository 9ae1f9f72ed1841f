#!/usr/bin/env bash
# End-to-end check of a sharded sweep on a real SLURM cluster (one node, localhost):
# installs slurm-wlm and munge, starts the cluster in a scratch folder, submits the
# sweep as an array job (each task runs `kampung run --out shard-$TASK`, which reads
# its shard from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT), merges the shards in a
# dependent job, and checks the merged tables equal a single-process run byte for
# byte. Settings follow ../shared/notes/slurm-on-one-machine.md.
#
# Usage: .ci/slurm-check.sh KAMPUNG_BINARY SCENARIO [TASKS]
set -euo pipefail
BIN=$(readlink -f "$1")
SCENARIO=$(readlink -f "$2")
TASKS=${3:-4}

if ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

D=$(mktemp -d /tmp/kampung-slurm.XXXXXX)
mkdir -p "$D/munge" "$D/state" "$D/spool" "$D/log" "$D/work"
dd if=/dev/urandom of="$D/munge/key" bs=1024 count=1 status=none
chmod 700 "$D/munge"
chmod 600 "$D/munge/key"

cleanup() {
  set +e
  if [ -n "${SLURM_CONF:-}" ]; then
    scontrol shutdown >/dev/null 2>&1
    for _ in $(seq 50); do
      pgrep -f "slurmctld|slurmd -N localhost" >/dev/null || break
      sleep 0.2
    done
    pkill -f "slurmd -N localhost" >/dev/null 2>&1
    pkill -x slurmctld >/dev/null 2>&1
  fi
  munged --socket="$D/munge/sock" --stop >/dev/null 2>&1
  rm -rf "$D"
}
trap cleanup EXIT

munged --force --key-file="$D/munge/key" --socket="$D/munge/sock" \
  --pid-file="$D/munge/pid" --log-file="$D/munge/log" --seed-file="$D/munge/seed"

CPUS=$(nproc)
cat > "$D/slurm.conf" <<CONF
ClusterName=kampung-ci
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge/sock
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$D/slurm.conf"
slurmctld
slurmd -N localhost

deadline=$((SECONDS + 60))
until [ "$(sinfo -h -o %t 2>/dev/null | head -n1)" = "idle" ]; do
  if [ $SECONDS -gt $deadline ]; then
    echo "slurm-check: the node did not become idle" >&2
    tail -n 20 "$D/log/slurmctld.log" "$D/log/slurmd.log" >&2 || true
    exit 1
  fi
  sleep 0.2
done

cd "$D/work"
# The array job: every task runs one contiguous shard of the plan (many runs each).
cat > array.sh <<JOB
#!/usr/bin/env bash
set -euo pipefail
# 3: some runs failed, the shard is complete (as in docs/cluster.md).
"$BIN" run "$SCENARIO" --out "$D/work/shard-\$SLURM_ARRAY_TASK_ID" --quiet --threads 1 || [ \$? -eq 3 ]
JOB
cat > merge.sh <<JOB
#!/usr/bin/env bash
set -euo pipefail
"$BIN" merge --out "$D/work/merged" --quiet $(for i in $(seq 0 $((TASKS - 1))); do printf '%s ' "$D/work/shard-$i"; done)
JOB
jid=$(sbatch --parsable --array=0-$((TASKS - 1)) --cpus-per-task=1 -o "$D/log/task-%a.out" array.sh)
mid=$(sbatch --parsable --dependency=afterok:"$jid" --kill-on-invalid-dep=yes -o "$D/log/merge.out" merge.sh)
echo "slurm-check: array job $jid ($TASKS tasks), merge job $mid"

deadline=$((SECONDS + 900))
while [ -n "$(squeue -h -j "$jid,$mid" 2>/dev/null)" ]; do
  if [ $SECONDS -gt $deadline ]; then
    echo "slurm-check: jobs did not finish in time" >&2
    scancel "$jid" "$mid" || true
    exit 1
  fi
  sleep 0.2
done

if [ ! -f "$D/work/merged/manifest.json" ]; then
  echo "slurm-check: the merge did not produce results" >&2
  cat "$D"/log/*.out >&2 || true
  exit 1
fi

"$BIN" run "$SCENARIO" --out "$D/work/single" --quiet
status=0
for f in "$D"/work/single/*.csv; do
  name=$(basename "$f")
  if cmp -s "$f" "$D/work/merged/$name"; then
    echo "slurm-check: $name identical"
  else
    echo "slurm-check: $name DIFFERS between the SLURM merge and the single run" >&2
    status=1
  fi
done
exit $status
