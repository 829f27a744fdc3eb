#!/usr/bin/env bash
# Stop the single-node Slurm of scripts/slurm/start.sh: slurmd, slurmctld (by their pid
# files) and munged (by its pid file). Jobs still running are killed by slurmd's exit.
set -uo pipefail
RUN=/run/slurm
for daemon in slurmd slurmctld; do
    pidfile="$RUN/$daemon.pid"
    if [ -s "$pidfile" ]; then
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null && echo "slurm: stopped $daemon ($pid)"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
done
if [ "${1:-}" = "--munge" ] && [ -s /run/munge/munged.pid ]; then
    pid="$(cat /run/munge/munged.pid)"
    kill "$pid" 2>/dev/null && echo "slurm: stopped munged ($pid)"
fi
exit 0
