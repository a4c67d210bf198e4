#!/usr/bin/env bash
# `make run`'s last step: the API, and (SIM=1, the default) the site simulator, an MQTT broker if
# none is listening and `mosquitto` is installed, and an edge node for the demo plant — all stopped
# together on Ctrl-C. Usage: tools/live.sh BIN HOST PORT SIM
set -uo pipefail
BIN=$1 HOST=$2 PORT=$3 SIM=${4:-1}
MODBUS_PORT=${MODBUS_PORT:-5020} MQTT=${MQTT:-127.0.0.1:1883}
pids=()

stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop INT TERM EXIT

listening() { (echo >"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

if [ "$SIM" = 1 ]; then
  "$BIN/tezuo" edge demo-config --out var/edge-demo.toml --api "http://127.0.0.1:$PORT" \
    --modbus-port "$MODBUS_PORT" --mqtt "$MQTT" --data-dir var/edge-demo || exit 1
  if ! listening "$MQTT"; then
    # like `make install` does for libgl1 and the CJK fonts: Debian's broker, when we are root
    command -v mosquitto >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq mosquitto >/dev/null 2>&1; }
    if command -v mosquitto >/dev/null; then
      mosquitto -p "${MQTT##*:}" >var/mosquitto.log 2>&1 & pids+=($!)
      echo "MQTT: started mosquitto on port ${MQTT##*:} (log var/mosquitto.log)"
    else
      echo "note: no MQTT broker on $MQTT and no mosquitto installed (apt-get install mosquitto): no wristbands"
    fi
  fi
  "$BIN/tezuo" sim site --port "$MODBUS_PORT" --mqtt "$MQTT" & pids+=($!)
  "$BIN/tezuo" edge run --config var/edge-demo.toml --log-level WARNING & pids+=($!)
fi
"$BIN/tezuo" serve --host "$HOST" --port "$PORT" & api=$!
pids+=("$api")
wait "$api"  # the simulator or the node failing leaves the API up (their errors are on the console)
