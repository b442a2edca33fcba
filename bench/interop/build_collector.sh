#!/usr/bin/env bash
# Builds the interop Collector (bench/interop/.build/otelcol-kafka/otelcol-kafka) once; later runs reuse it.
# Needs Go and the Go module proxy; a cold build takes several minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")"
if [ -x .build/otelcol-kafka/otelcol-kafka ]; then exit 0; fi
command -v go > /dev/null || { echo "interop:kafka needs Go (https://go.dev/dl/) to build the OpenTelemetry Collector" >&2; exit 3; }
mkdir -p .build
GOBIN="$PWD/.build/bin" go install go.opentelemetry.io/collector/cmd/builder@v0.165.0
./.build/bin/builder --config builder-config.yaml
