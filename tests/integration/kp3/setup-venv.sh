#!/usr/bin/env bash
# Makes tests/integration/.venv-kp3 (git-ignored): a venv with the kafka-python 3 pinned in
# requirements.txt, for test_kafka_python3.py. The other tests keep Debian's python3-kafka 2.0
# under /usr/bin/python3, which is why this one lives in a venv of its own. Idempotent: a stamp
# of requirements.txt's hash makes a second run a no-op. Fails loudly: CI must not skip.
set -euo pipefail
cd "$(dirname "$0")"
venv=../.venv-kp3
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$venv/.requirements.sha256" ] &&
   [ "$(cat "$venv/.requirements.sha256")" = "$want" ]; then
  exit 0
fi
rm -rf "$venv"
# Debian's interpreter (python3-venv), not whatever python3 comes first on PATH.
/usr/bin/python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check --no-input -r requirements.txt
echo "$want" >"$venv/.requirements.sha256"
