#!/usr/bin/env bash
# Train the Rasa model once per change of config/domain/data; reuse it otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p models
# one training at a time: a second caller waits and then finds the model made
exec 9>models/.train.lock
flock 9
hash=$(scripts/model_hash.sh)
model="models/model-$hash.tar.gz"
if [ -f "$model" ]; then echo "model up to date: $model"; exit 0; fi
echo "training model $model (about 3 minutes)…"
start=$(date +%s)
.venv/bin/rasa train --fixed-model-name "model-$hash" --out models --quiet
echo "$(( $(date +%s) - start ))" > "models/model-$hash.train-seconds"
echo "trained $model in $(cat models/model-$hash.train-seconds) s"
