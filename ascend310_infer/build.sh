#!/usr/bin/env bash
# Build the Ascend inference app into ascend310_infer/out/main.
# Needs cmake, g++ and an Ascend build of MindSpore; MINDSPORE_PATH defaults to the folder of
# the mindspore package of $PYTHON (or python).
set -euo pipefail
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
PY=${PYTHON:-python}
if [[ -z ${MINDSPORE_PATH:-} ]]; then
  MINDSPORE_PATH=$("$PY" -c 'import os, mindspore; print(os.path.dirname(mindspore.__file__))')
fi
if [[ ! -f $MINDSPORE_PATH/include/api/model.h ]]; then
  echo "error: no MindSpore C++ inference API under MINDSPORE_PATH='$MINDSPORE_PATH' (include/api/model.h): install an Ascend build of MindSpore" >&2
  exit 1
fi
for tool in cmake g++; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done
mkdir -p "$HERE/build" "$HERE/out"
cmake -S "$HERE" -B "$HERE/build" -DMINDSPORE_PATH="$MINDSPORE_PATH" -DCMAKE_BUILD_TYPE=Release
cmake --build "$HERE/build" -j "$(nproc 2>/dev/null || echo 2)"
echo "built $HERE/out/main"
