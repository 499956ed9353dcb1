# syntax=docker/dockerfile:1
# Build stage: full dependencies and the TypeScript compiler.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Runtime stage: production dependencies and the built output only.
FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config/example.yaml ./config/example.yaml
# A numeric, non-root user, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 9464
# node directly (not npm start), so SIGTERM reaches the process and shutdown is graceful.
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["run", "--config", "/etc/webhook-log-exporter/config.yaml"]
