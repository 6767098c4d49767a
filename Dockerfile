# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript and the better-sqlite3 native addon in a builder with a
# toolchain, then copy only the compiled app and production dependencies into a slim runtime that
# runs as a non-root user with the ledger's data on a volume.

FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY schemas ./schemas
# The build checks the starter knowledge base (scripts/check-knowledge.ts): it must be here too.
COPY knowledge ./knowledge
# npm ci runs the "prepare" script, which compiles src/ and scripts/ to dist/ and checks knowledge/.
RUN npm ci --no-audit --no-fund
RUN npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/var/lib/rxledger
WORKDIR /app
RUN groupadd --system rxledger && useradd --system --gid rxledger --home-dir /app --shell /usr/sbin/nologin rxledger \
 && mkdir -p /var/lib/rxledger && chown rxledger:rxledger /var/lib/rxledger && chmod 700 /var/lib/rxledger
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root docs ./docs
COPY --chown=root:root knowledge ./knowledge
USER rxledger
VOLUME ["/var/lib/rxledger"]
EXPOSE 8080
# Node's own fetch: no curl in the image.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node runs as PID 1 and installs its own SIGTERM/SIGINT handlers, so `docker stop`
# triggers the graceful shutdown (drain appends, final checkpoint, close the database).
STOPSIGNAL SIGTERM
# The same command as npm start (scripts/lib/service-node-flags.ts says why it has no V8 flags).
CMD ["node", "dist/src/main.js"]
