#!/usr/bin/env bash
# Start everything under supervisor (bot/serving.py): the action server (127.0.0.1:5055), Rasa
# (127.0.0.1:5005, API with RASA_TOKEN, SQLite tracker store in ./run/data), the web gateway
# (8000) and the retention job; a crashed process is restarted; Ctrl-C stops all.
# REPLICAS=N (make run-scaled) runs N Rasa replicas with PostgreSQL (TRACKER_STORE_URL) and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
exec .venv/bin/python -m bot.serving run --replicas "${REPLICAS:-1}"
