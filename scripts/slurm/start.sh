#!/usr/bin/env bash
# Start a real single-node Slurm on this machine (Debian's slurm-wlm 22.05 and munge),
# for the launcher's test (tests/test_slurm.py) and for trying `spikedv regress
# --launcher slurm` without a cluster. Idempotent: when the node already answers idle or
# busy, it prints the state and exits 0.
#
#   bash scripts/slurm/start.sh          install (apt) if needed, configure, start
#   bash scripts/slurm/stop.sh           stop the daemons this script started
#
# Runs as root (the daemons too: SlurmUser=root), as on the CI and development machines.
# One node (this host, CPUs = nproc) in one partition (SPIKEDV_SLURM_PARTITION, default
# `debug`); process tracking by /proc (proctrack/linuxproc), no task binding
# (task/none), no cgroup.conf, no accounting database (sacct is not available; finished
# jobs stay visible to `scontrol show job` for MinJobAge seconds and are logged by
# jobcomp/filetxt). A config written earlier by someone else is not overwritten.
set -euo pipefail

PARTITION="${SPIKEDV_SLURM_PARTITION:-debug}"
CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
MARK="# written by spikedv scripts/slurm/start.sh"
STATE=/var/spool/slurmctld
SPOOL=/var/spool/slurmd
LOGS=/var/log/slurm
RUN=/run/slurm
NODE="$(hostname -s)"
CPUS="$(nproc)"

log() { echo "slurm: $*"; }

if [ "$(id -u)" != 0 ]; then
    echo "slurm: this script runs as root (it configures and starts system daemons)" >&2
    exit 2
fi

node_state() { timeout 10 sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n1 | tr -d '*~#!%$@^-' || true; }

if command -v sinfo >/dev/null && pgrep -x slurmctld >/dev/null && pgrep -x slurmd >/dev/null; then
    state="$(node_state)"
    case "$state" in
        idle|mixed|allocated|completing)
            log "already running: node $NODE $state, partition $(sinfo -h -o %P | head -n1)"
            exit 0 ;;
    esac
fi

# --- packages -------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurm-wlm and munge (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# --- munge ----------------------------------------------------------------------------
# munged runs as user munge and opens /dev/null; some container sandboxes ship it 0755.
if [ "$(stat -c %a /dev/null)" != 666 ]; then
    log "making /dev/null writable by all (mode $(stat -c %a /dev/null) -> 666, as on any Linux)"
    chmod 0666 /dev/null
fi
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
    log "creating the munge key"
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile=/etc/munge/munge.key --force
    else
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "starting munged"
    runuser -u munge -- /usr/sbin/munged --force
    for _ in $(seq 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.2
    done
    munge -n | unmunge >/dev/null || { echo "slurm: munged does not answer" >&2; exit 1; }
fi

# --- configuration --------------------------------------------------------------------
mkdir -p "$CONF_DIR" "$STATE" "$SPOOL" "$LOGS" "$RUN"
if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    log "$CONF exists and was not written by this script: using it as it is"
else
    cat > "$CONF.new" <<EOF
$MARK
ClusterName=spikedv
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$STATE
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOGS/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
MinJobAge=3600
MaxArraySize=100001
MaxJobCount=100000
SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
Waittime=0
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$CONF.new" "$CONF"
fi

# --- daemons --------------------------------------------------------------------------
if ! pgrep -x slurmctld >/dev/null; then
    log "starting slurmctld"
    /usr/sbin/slurmctld
fi
for _ in $(seq 100); do
    timeout 5 scontrol ping 2>/dev/null | grep -q "UP" && break
    sleep 0.2
done
if ! pgrep -x slurmd >/dev/null; then
    log "starting slurmd"
    /usr/sbin/slurmd
fi
state=""
for _ in $(seq 150); do
    state="$(node_state)"
    case "$state" in
        idle|mixed|allocated) break ;;
        down|drained|drain|fail)
            scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
done
case "$state" in
    idle|mixed|allocated)
        log "up: node $NODE ($CPUS CPUs) $state, partition $PARTITION" ;;
    *)
        echo "slurm: the node did not come up (state '$state'); logs in $LOGS" >&2
        tail -n 20 "$LOGS/slurmctld.log" "$LOGS/slurmd.log" >&2 || true
        exit 1 ;;
esac
