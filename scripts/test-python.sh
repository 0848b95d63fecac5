#!/usr/bin/env bash
# Python tests of training/ (npm run test:py). Uses Debian's python3, which has python3-torch,
# python3-torchvision, python3-pil and python3-pytest (scripts/setup.sh installs them); the
# python3 first on PATH may be another interpreter without torch.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=/usr/bin/python3
if ! "$PYTHON" -c 'import torch, torchvision, PIL, pytest' 2>/dev/null; then
  echo "test-python: $PYTHON cannot import torch, torchvision, PIL and pytest; run scripts/setup.sh" >&2
  exit 1
fi

# Small CPU runs: one thread each keeps a shared machine responsive and timings steady.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
# No __pycache__ inside training/, which is packed as the job's source archive.
export PYTHONDONTWRITEBYTECODE=1

status=0
"$PYTHON" -m pytest -p no:cacheprovider training/tests "$@" || status=$?
if [ "$status" -eq 5 ]; then
  # pytest's "no tests collected": a broken test tree must not pass CI.
  echo "test-python: no tests were collected" >&2
  exit 1
fi
exit "$status"
