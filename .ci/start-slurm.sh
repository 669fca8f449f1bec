#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine, on loopback, for the Slurm executor's test (SlurmExecutorTest):
# installs Debian's slurm-wlm and munge when missing, writes /etc/slurm/slurm.conf (2 CPUs, root as SlurmUser, no
# cgroups), creates a munge key, starts munged, slurmctld and slurmd, and waits until sinfo shows the node idle.
# Running it again with the daemons up changes nothing. Any failure exits non-zero; .ci/run then goes on without Slurm.
set -euo pipefail
state=/var/spool/ablate-slurm
conf=/etc/slurm/slurm.conf
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
say() { echo "start-slurm: $*"; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null; }
fi

if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
  say "Slurm is up already: $(sinfo -h -o '%N %t %c CPUs' | head -n 1)"
  exit 0
fi

# munge: a key readable by munged only, and the daemon (it runs as the munge user).
as_root mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  as_root dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
as_root chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
as_root chmod 0700 /etc/munge && as_root chmod 0400 /etc/munge/munge.key && as_root chmod 0755 /run/munge
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  as_root runuser -u munge -- /usr/sbin/munged </dev/null >/dev/null 2>&1
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n </dev/null | unmunge >/dev/null
fi

# One node named localhost on 127.0.0.1 with 2 CPUs, scheduled by CPU (two 1-CPU tasks at once); no cgroups, no
# accounting database. config_overrides keeps the node usable when the machine has fewer CPUs than configured.
as_root mkdir -p "$state/ctld" "$state/d" /etc/slurm
as_root tee "$conf" >/dev/null <<CONF
# Written by .ci/start-slurm.sh: a one-node cluster on loopback for Ablate's tests.
ClusterName=ablate
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
ReturnToService=2
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
KillWait=30
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF

# The daemons detach and write only to their log files, so nothing keeps this script's (or CI's) output open.
pgrep -x slurmctld >/dev/null || as_root /usr/sbin/slurmctld </dev/null >/dev/null 2>&1
pgrep -x slurmd >/dev/null || as_root /usr/sbin/slurmd -N localhost </dev/null >/dev/null 2>&1
for _ in $(seq 100); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
    say "Slurm is up: $(sinfo -h -o '%N %t %c CPUs' | head -n 1)"
    exit 0
  fi
  sleep 0.2
done
say "the node did not become idle within 20 s: $(sinfo -h -o '%N %t %E' 2>&1 | head -n 1)"
tail -n 5 "$state/slurmctld.log" "$state/slurmd.log" 2>/dev/null || true
exit 1
