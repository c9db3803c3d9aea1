#!/usr/bin/env bash
# Per-iteration time of `galdecon run` in local mode (--agents 2) and over NATS (one
# `galdecon agent --threads 2`), same data and options. Data resident on agents, so the
# difference is the messaging overhead per iteration.
#
#   scripts/bench-nats.sh OBSERVED PSFS [PARTITIONS] [N_ITER]
#   e.g. galdecon simulate --n 10000 --out /tmp/sim && scripts/bench-nats.sh /tmp/sim/observed.fits /tmp/sim/psfs.fits 64 20
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
y=$1 psf=$2 parts=${3:-64} iters=${4:-20}
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
url=$("$here/nats-server.sh" start "$work/nats" "$port")
node "$here/../bin/galdecon.js" agent --nats "$url" --threads 2 2>"$work/agent.log" &
agent=$!
trap 'kill $agent 2>/dev/null; wait $agent 2>/dev/null; "$here/nats-server.sh" stop "$work/nats"; rm -rf "$work"' EXIT
opts=(--input "$y" --psf "$psf" --partitions "$parts" --n-iter "$iters" --n-reweights 0 --tolerance 0 --quiet --overwrite)
per_iter() { node -e "const r=require('$1'); console.log((r.timing.per_iteration_s*1000).toFixed(2)+' ms/iteration, setup '+r.timing.setup_s.toFixed(2)+' s')"; }
for round in 1 2 3; do
  node "$here/../bin/galdecon.js" run "${opts[@]}" --agents 2 --output "$work/local.npy" --report "$work/local.json"
  echo "round $round local --agents 2:        $(per_iter "$work/local.json")"
  node "$here/../bin/galdecon.js" run "${opts[@]}" --nats "$url" --min-agents 2 --output "$work/nats.npy" --report "$work/nats.json"
  echo "round $round --nats, 2 agents:        $(per_iter "$work/nats.json")"
  cmp -s "$work/local.npy" "$work/nats.npy" || { echo "outputs differ" >&2; exit 1; }
done
