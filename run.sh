#!/usr/bin/env bash
# Builds Aerie, puts the condor_* command links in target/bin, and runs a
# sample workload through them.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || { echo "run.sh: cargo not found; install Rust (https://rustup.rs) and run again"; exit 1; }
cargo build --release --locked -p aerie-cli
target_dir="${CARGO_TARGET_DIR:-target}"
bin="$target_dir/bin"
mkdir -p "$bin"
ln -sf "$(cd "$target_dir/release" && pwd)/aerie" "$bin/aerie"
for tool in condor_version condor_config_val condor_submit; do
  ln -sf aerie "$bin/$tool"
done
export PATH="$(cd "$bin" && pwd):$PATH"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "== condor_version"
condor_version
echo "== condor_config_val with the built-in defaults"
CONDOR_CONFIG=/dev/null condor_config_val -v SCHEDD_LOG || true
cat > job.sub <<'SUB'
executable = /bin/echo
arguments  = "hello from $(Process)"
output     = out.$(Process)
log        = job.log
request_memory = 1 GB
queue 3
SUB
echo "== condor_submit -dry-run - job.sub"
printf 'FILESYSTEM_DOMAIN = localdomain\nUID_DOMAIN = localdomain\n' > condor_config
CONDOR_CONFIG=$work/condor_config condor_submit -dry-run - job.sub | head -40
echo
echo "Links to the tools are in $bin; add it to PATH to use them."
