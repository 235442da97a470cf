#!/usr/bin/env bash
# A short hash of everything the model is trained from: a model is retrained only when these change.
cd "$(dirname "$0")/.." && cat config.yml domain.yml $(find data -type f \( -name '*.yml' -o -name '*.txt' \) | sort) | sha256sum | cut -c1-12
