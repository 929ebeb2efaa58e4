#!/usr/bin/env bash
# Slurm as a benchmark peer: Debian's slurm-wlm packages, one node on
# localhost (slurmctld + slurmd), run as the user who runs this script.
#
#   benches/peers/slurm.sh install   apt-get install slurm-wlm munge (needs root or sudo)
#   benches/peers/slurm.sh start     write a config under $STATE, start munged, slurmctld, slurmd
#   benches/peers/slurm.sh env       print the `export SLURM_CONF=...` line for the running peer
#   benches/peers/slurm.sh stop      stop the three daemons
#
# State (config, spool, logs, the munge key) lives in
# ${AERIE_PEERS_DIR:-$HOME/.cache/aerie-peers}/slurm. The daemons run as the
# invoking user (SlurmUser = SlurmdUser = that user), so jobs run as that
# user too; no system service or /etc file is touched. With the peer
# started, `aerie bench burst --peer slurm` finds it through SLURM_CONF
# (this script's `env` line) or the state directory.
set -euo pipefail

STATE="${AERIE_PEERS_DIR:-$HOME/.cache/aerie-peers}/slurm"
CONF="$STATE/slurm.conf"
ME="$(id -un)"
# Ports of our own, so a system Slurm on the machine (if any) is not disturbed.
CTLD_PORT="${AERIE_SLURMCTLD_PORT:-16817}"
SLURMD_PORT="${AERIE_SLURMD_PORT:-16818}"

die() { echo "slurm.sh: $*" >&2; exit 1; }

install() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null; then
    echo "slurm-wlm and munge are installed ($(slurmctld -V))"
    return
  fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q slurm-wlm munge
}

stop_pidfile() {
  local f="$1"
  [ -f "$f" ] || return 0
  local pid; pid="$(cat "$f")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$f"
}

stop() {
  stop_pidfile "$STATE/slurmd.pid"
  stop_pidfile "$STATE/slurmctld.pid"
  stop_pidfile "$STATE/munged.pid"
  echo "slurm peer stopped"
}

write_config() {
  local cpus mem host
  cpus="$(nproc)"
  # What slurmd itself detects (slurmd -C), so the node registers without
  # a mismatch; memory a little under that.
  mem="$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) * 9 / 10 ))"
  host="$(hostname -s)"
  mkdir -p "$STATE/spool/ctld" "$STATE/spool/d" "$STATE/log"
  cat > "$CONF" <<EOF
# Written by benches/peers/slurm.sh: one node, this host, run as $ME.
ClusterName=aeriebench
SlurmctldHost=$host(localhost)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$ME
SlurmdUser=$ME
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$STATE/munge.socket
StateSaveLocation=$STATE/spool/ctld
SlurmdSpoolDir=$STATE/spool/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=error
SlurmdDebug=error
# No cgroups (not every container has them, and an ordinary user cannot set them up).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
LaunchParameters=enable_nss_slurm
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Start jobs as soon as they arrive or a core frees (the default batch_sched_delay is 3 s).
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
# Room for the benchmark's bursts (defaults are 1001 and 10000).
MaxArraySize=100001
MaxJobCount=200000
MinJobAge=2
NodeName=$host NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=bench Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

start() {
  for t in slurmctld slurmd munged sbatch; do
    command -v "$t" >/dev/null || die "$t not found; run \`$0 install\` first"
  done
  if [ -f "$STATE/slurmctld.pid" ] && kill -0 "$(cat "$STATE/slurmctld.pid")" 2>/dev/null; then
    echo "slurm peer already runs"; env_line; return
  fi
  write_config
  # munge: our own key, socket and files. munged wants the socket's
  # directory reachable by all and the key's directory private.
  chmod 755 "$STATE"
  mkdir -p "$STATE/munge"
  chmod 700 "$STATE/munge"
  if [ ! -f "$STATE/munge/munge.key" ]; then
    dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$STATE/munge/munge.key"
  fi
  local force=""
  [ "$(id -u)" = 0 ] && force="--force"
  munged $force --key-file="$STATE/munge/munge.key" --socket="$STATE/munge.socket" \
    --pid-file="$STATE/munged.pid" --log-file="$STATE/log/munged.log" --seed-file="$STATE/munge/munged.seed"
  export SLURM_CONF="$CONF"
  # -i: ignore state left by an earlier run (a fresh controller every start).
  slurmctld -i -f "$CONF"
  slurmd -f "$CONF"
  for _ in $(seq 100); do
    if sinfo -h -o '%T' 2>/dev/null | grep -q -E '^idle'; then
      echo "slurm peer runs: $(sinfo -h -o '%D node(s) %c cpus %T')"
      env_line
      return
    fi
    sleep 0.2
  done
  echo "slurm.sh: the node did not come up idle within 20 s; logs:" >&2
  tail -n 20 "$STATE/log/slurmctld.log" "$STATE/log/slurmd.log" >&2 || true
  exit 1
}

env_line() { echo "export SLURM_CONF=$CONF"; }

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) env_line ;;
  *) echo "usage: $0 install|start|env|stop" >&2; exit 2 ;;
esac
