# logsift container image: `docker build -t logsift .` (or podman: scripts/check_image.sh builds and runs it
# without a registry) then `docker run -p 4317:4317 -p 4318:4318 -p 13133:13133 -v logsift-data:/var/lib/logsift
# logsift`. Mount your own /etc/logsift/config.yaml to change it: nothing in the environment overrides it.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles when its prebuilt binary cannot be fetched: the build stage has the tools, the image
# does not. Node's headers are those of the Node in the image.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
# A CA bundle to trust beyond Node's own (a TLS-inspecting proxy in front of the registry): --build-arg.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY cmd ./cmd
COPY config ./config
COPY pipeline ./pipeline
COPY receivers ./receivers
COPY processors ./processors
COPY exporters ./exporters
COPY proto ./proto
COPY store ./store
COPY tuner ./tuner
COPY policy ./policy
COPY cost ./cost
COPY fleet ./fleet
COPY alerts ./alerts
COPY security ./security
COPY ui ./ui
# `npm ci` compiles to dist/ (the prepare script); then the build tools go and the runtime packages stay.
RUN npm ci && npm prune --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim
# No LOGSIFT_* settings here: the environment wins over the file, and would override a mounted config.
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The embedded default's chain on the container's addresses, the control API closed until tokens are mounted.
COPY config/container.yaml /etc/logsift/config.yaml
COPY config/container_tokens.yaml /etc/logsift/tokens.yaml
RUN mkdir -p /var/lib/logsift && chown -R node:node /var/lib/logsift
USER node
EXPOSE 4317 4318 13133
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:13133/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
VOLUME ["/var/lib/logsift"]
# A larger young generation: the data path makes short-lived objects per record, and with the default most
# of them were promoted and collected again by the old generation (bench:peer, BENCHMARKS.md).
ENTRYPOINT ["node", "--max-semi-space-size=32", "/app/bin/logsift.js"]
CMD ["run", "--config", "/etc/logsift/config.yaml"]
