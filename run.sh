#!/usr/bin/env bash
# Builds Aerie, starts a personal pool in a temporary directory, runs a
# sample workload of 100 jobs through the condor_* commands, shows condor_q
# and the results, and stops the pool.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  if command -v curl >/dev/null; then
    echo "run.sh: cargo not found; installing the Rust toolchain with rustup (https://rustup.rs)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  else
    echo "run.sh: cargo not found; install Rust (https://rustup.rs) and run again"
    exit 1
  fi
fi
cargo build --release --locked -p aerie-cli
target_dir="${CARGO_TARGET_DIR:-target}"
bin="$(cd "$target_dir" && pwd)/bin"
mkdir -p "$bin"
ln -sf "$(cd "$target_dir/release" && pwd)/aerie" "$bin/aerie"
for tool in master collector negotiator schedd startd starter version config_val submit q rm hold release \
            qedit history wait status reschedule watch_q transfer_data tail userprio ping; do
  ln -sf aerie "$bin/condor_$tool"
done
export PATH="$bin:$PATH"

pool=$(mktemp -d /tmp/aerie-run-XXXXXX)
cleanup() {
  aerie pool stop "$pool" >/dev/null 2>&1 || true
  rm -rf "$pool"
}
trap cleanup EXIT

echo "== aerie pool start $pool"
eval "$(aerie pool start "$pool")"
echo "CONDOR_CONFIG=$CONDOR_CONFIG"
aerie pool status "$pool"
echo
echo "== condor_version"
condor_version
echo
echo "== condor_status"
condor_status
echo

work="$pool/work"
mkdir -p "$work/out"
cd "$work"
cat > sample.sub <<'SUB'
executable = /bin/echo
arguments  = "hello from job $(Process)"
output     = out/job.$(Process).out
error      = out/job.$(Process).err
log        = sample.log
request_memory = 64MB
queue 100
SUB
echo "== condor_submit sample.sub"
start=$(date +%s.%N)
condor_submit sample.sub
echo
echo "== condor_q"
condor_q
echo
echo "== condor_wait sample.log"
condor_wait -wait 300 sample.log
end=$(date +%s.%N)
echo
echo "== results"
done_count=$(ls out/*.out | wc -l)
echo "$done_count output files; the first three:"
for i in 0 1 2; do printf '  out/job.%s.out: ' "$i"; cat "out/job.$i.out"; done
awk -v a="$start" -v b="$end" 'BEGIN { printf "100 jobs submitted and completed in %.2f s\n", b - a }'
echo
echo "== condor_q (after)"
condor_q
