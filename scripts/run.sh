#!/usr/bin/env bash
# Start the action server (5055), Rasa (5005, REST + API) and the web gateway (8000); stop all on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONS_PORT=${ACTIONS_PORT:-5055} RASA_PORT=${RASA_PORT:-5005} GATEWAY_PORT=${GATEWAY_PORT:-8000}
model="models/model-$(scripts/model_hash.sh).tar.gz"
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_URL=${RASA_URL:-http://127.0.0.1:$RASA_PORT}
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
.venv/bin/python -m rasa_sdk --actions actions --port "$ACTIONS_PORT" & pids+=($!)
sed "s#http://localhost:5055#http://127.0.0.1:$ACTIONS_PORT#" endpoints.yml > "${TMPDIR:-/tmp}/endpoints-$$.yml"
.venv/bin/python -m bot.rasa_server run --enable-api --model "$model" --port "$RASA_PORT" --endpoints "${TMPDIR:-/tmp}/endpoints-$$.yml" --cors "*" & pids+=($!)
.venv/bin/uvicorn bot.app:app --host 0.0.0.0 --port "$GATEWAY_PORT" & pids+=($!)
echo "starting: actions :$ACTIONS_PORT, rasa :$RASA_PORT, gateway http://127.0.0.1:$GATEWAY_PORT/"
wait -n
