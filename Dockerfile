# syntax=docker/dockerfile:1
# The webhook-log-exporter container image. Build it with the labels filled in:
#   docker build -t webhook-log-exporter \
#     --build-arg VERSION="$(node -p "require('./package.json').version")" \
#     --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" .
#
# Base image: Node 24 LTS (supported until April 2028, and the Node the project pins for its own
# scripts and tests) on Debian bookworm, slim. It is pinned by tag only; pinning by digest as well
# (node:24-bookworm-slim@sha256:…) would make builds reproducible and tamper-evident, but the digest
# could not be resolved offline where this file was written: add it when publishing releases.
# Not distroless: slim costs a little more but keeps a shell for `kubectl exec` while debugging.
# test/deploy/dockerfile.test.ts lints this file and replays its build steps.

# Build stage: every dependency and the TypeScript compiler.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the tree's install scripts (esbuild's binary check, a protobufjs notice, and the
# `node` devDependency's download of a second Node 24) are not needed to build or run, and no
# dependency gets to run code at build time. The image's own node runs the build.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# `state` becomes the runtime's state directory (see below).
RUN npm run build && mkdir state

# Production dependencies only, installed on their own so this layer stays cached while src/ changes.
FROM node:24-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts

# Runtime stage: production dependencies, the built output and package.json (its "type": "module"
# makes dist/ ESM, and --version reads it). No RUN here, so this stage needs no shell.
FROM node:24-bookworm-slim AS runtime
ARG VERSION
ARG REVISION
ARG CREATED
LABEL org.opencontainers.image.title="webhook-log-exporter" \
      org.opencontainers.image.description="Polls webhook delivery-log APIs (GitHub, GitLab, Svix, Salesfinity, Baanx) and exports every delivery as OpenTelemetry metrics on /metrics for Prometheus." \
      org.opencontainers.image.source="https://github.com/webhook-log-exporter/webhook-log-exporter" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and so read-only to the exporter's user.
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Checkpoints live here (the config's state.file: /var/lib/webhook-log-exporter/state.json), owned
# by the exporter's user. Copying an empty directory creates it with that owner without a RUN. With
# readOnlyRootFilesystem, Kubernetes mounts an emptyDir here; VOLUME makes plain `docker run` do the
# same with an anonymous volume, so a container restart does not recount.
COPY --from=build --chown=10001:10001 /app/state /var/lib/webhook-log-exporter
VOLUME /var/lib/webhook-log-exporter
# The config is expected at /etc/webhook-log-exporter/config.yaml (a ConfigMap mount), the secrets
# beside it as files (apiKeyFile, bearerTokenFile); the image holds none.
# A numeric non-root user, so Kubernetes' runAsNonRoot can verify it (no /etc/passwd entry: node needs none).
USER 10001:10001
EXPOSE 9464
# No HEALTHCHECK: Kubernetes ignores it and probes /healthz and /readyz itself, and under plain Docker
# it would need curl (not in slim) or a second node process every interval.
# node directly, not npm start: npm does not forward SIGTERM, and the exporter handles SIGTERM itself
# (node as PID 1 is fine: handlers are installed and it starts no child processes to reap).
# The absolute path keeps working if a pod sets workingDir.
ENTRYPOINT ["node", "--max-semi-space-size=8", "/app/dist/cli.js"]
CMD ["run", "--config", "/etc/webhook-log-exporter/config.yaml"]
