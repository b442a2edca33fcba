# logsift container image: `docker build -t logsift .` then
# `docker run -p 4317:4317 -p 4318:4318 -p 13133:13133 logsift` (mount your own /etc/logsift/config.yaml).

FROM node:20-bookworm-slim AS build
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
ENV NODE_ENV=production \
    LOGSIFT_OTLP_GRPC_ENDPOINT=0.0.0.0:4317 \
    LOGSIFT_OTLP_HTTP_ENDPOINT=0.0.0.0:4318 \
    LOGSIFT_TELEMETRY_ADDRESS=0.0.0.0:13133 \
    LOGSIFT_DATA_DIR=/var/lib/logsift
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The embedded default, made container-friendly by the LOGSIFT_* variables above; replace it with a mount.
COPY config/default_config.yaml /etc/logsift/config.yaml
RUN mkdir -p /var/lib/logsift && chown -R node:node /var/lib/logsift
USER node
EXPOSE 4317 4318 13133
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:13133/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
VOLUME ["/var/lib/logsift"]
# A larger young generation: the data path makes short-lived objects per record, and with the default most
# of them were promoted and collected again by the old generation (bench:peer, BENCHMARKS.md).
ENTRYPOINT ["node", "--max-semi-space-size=32", "/app/bin/logsift.js"]
CMD ["run", "--config", "/etc/logsift/config.yaml"]
