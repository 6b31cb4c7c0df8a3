#!/usr/bin/env bash
# One command for a newcomer: install what is missing, build, and start a single-node broker on
# 127.0.0.1:9092 with its data in ./sluice-data. Extra args go to sluiced (e.g. --set num.partitions=3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec build/sluiced --data-dir ./sluice-data --listen 127.0.0.1:9092 "$@"
