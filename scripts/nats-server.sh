#!/usr/bin/env bash
# Start or stop a local nats-server configured for galdecon.
#
#   scripts/nats-server.sh start DIR [PORT]   # PORT default 4222; prints the URL
#   scripts/nats-server.sh stop DIR           # stops it by the pid in DIR/nats.pid
#   scripts/nats-server.sh auth               # prints the roles' authorization block
#
# DIR holds nats.conf (written on first start, then kept: edit it freely), the JetStream
# store (persistent across restarts: run state and checkpoints survive), nats.pid and
# nats.log. JetStream is on; max_payload stays at the 1 MiB default (galdecon sends
# bulk data through the object store). Environment:
#   NATS_HOST                 address to listen on (default 127.0.0.1; 0.0.0.0 for a cluster)
#   GALDECON_DRIVER_PASS,     if both are set when nats.conf is first written, the server
#   GALDECON_AGENT_PASS       knows two roles, users galdecon-driver and galdecon-agent,
#                             each allowed only its own subjects (see `auth` and the
#                             README's threat model); the passwords are read from the
#                             environment at each start, never written to disk
#   NATS_TLS_CERT, NATS_TLS_KEY   server certificate and key (PEM): clients must use TLS
#   NATS_TLS_CA               with the above: also require client certificates signed by it
set -euo pipefail

# The roles. A driver publishes requests, lease beats and (stream schedule) tasks, and
# reads heartbeats and its replies; an agent reads requests and lease beats, answers only
# what it was asked (allow_responses), publishes heartbeats, and pulls and acks tasks
# through JetStream. Both use JetStream (object store, KV, the work queue).
# Neither can act as the other, and any other user of the server can do neither.
V=galdecon.v5
auth_block() {
  cat <<CONF
authorization {
  users = [
    { user: "galdecon-driver", password: \$GALDECON_DRIVER_PASS, permissions: {
        publish: ["$V.agent.>", "$V.discover", "$V.lease.>", "$V.task.>", "\$JS.API.>", "\$JS.FC.>", "\$JS.ACK.>", "\$KV.>"]
        subscribe: ["$V.hb", "_INBOX.>"] } }
    { user: "galdecon-agent", password: \$GALDECON_AGENT_PASS, permissions: {
        publish: ["$V.hb", "\$JS.API.>", "\$JS.FC.>", "\$JS.ACK.>", "\$KV.>"]
        subscribe: ["$V.agent.>", "$V.discover", "$V.lease.>", "_INBOX.>"]
        allow_responses: true } }
  ]
}
CONF
}

tls_block() {
  [[ -n ${NATS_TLS_CERT:-} && -n ${NATS_TLS_KEY:-} ]] || return 0
  echo "tls {"
  echo "  cert_file: \"$NATS_TLS_CERT\""
  echo "  key_file: \"$NATS_TLS_KEY\""
  if [[ -n ${NATS_TLS_CA:-} ]]; then
    echo "  ca_file: \"$NATS_TLS_CA\""
    echo "  verify: true"
  fi
  echo "}"
}

cmd=${1:-}
dir=${2:-}
if [[ $cmd == auth ]]; then
  auth_block
  exit 0
fi
if [[ -z $cmd || -z $dir ]]; then
  echo "usage: $0 start|stop DIR [PORT] | auth" >&2
  exit 2
fi

case $cmd in
start)
  port=${3:-4222}
  command -v nats-server >/dev/null || { echo "nats-server is not installed (apt-get install -y nats-server)" >&2; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ -f $dir/nats.pid ]] && kill -0 "$(cat "$dir/nats.pid")" 2>/dev/null; then
    echo "nats-server already running (pid $(cat "$dir/nats.pid"))" >&2
    exit 1
  fi
  if [[ ! -f $dir/nats.conf ]]; then
    {
      echo "listen: \"${NATS_HOST:-127.0.0.1}:$port\""
      echo "server_name: galdecon"
      echo "max_payload: 1MB"
      echo "max_connections: 4096"
      echo "write_deadline: \"10s\""
      echo "jetstream {"
      echo "  store_dir: \"$dir/jetstream\""
      echo "  max_memory_store: 256MB"
      echo "  max_file_store: 16GB"
      echo "}"
      echo "pid_file: \"$dir/nats.pid\""
      echo "log_file: \"$dir/nats.log\""
      if [[ -n ${GALDECON_DRIVER_PASS:-} && -n ${GALDECON_AGENT_PASS:-} ]]; then
        auth_block
      fi
      tls_block
    } >"$dir/nats.conf"
  fi
  nats-server -c "$dir/nats.conf" >>"$dir/nats.log" 2>&1 &
  for _ in $(seq 100); do
    if grep -q "Server is ready" "$dir/nats.log" 2>/dev/null && [[ -f $dir/nats.pid ]]; then
      url=$(grep -o 'Listening for client connections on [^ ]*' "$dir/nats.log" | tail -1 | awk '{print $NF}')
      if [[ -n ${NATS_TLS_CERT:-} ]]; then echo "tls://$url"; else echo "nats://$url"; fi
      exit 0
    fi
    sleep 0.1
  done
  echo "nats-server did not start; see $dir/nats.log" >&2
  exit 1
  ;;
stop)
  pidfile=$dir/nats.pid
  [[ -f $pidfile ]] || { echo "no $pidfile: not running?" >&2; exit 1; }
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; exit 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  ;;
*)
  echo "usage: $0 start|stop DIR [PORT] | auth" >&2
  exit 2
  ;;
esac
