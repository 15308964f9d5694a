# One image for every Parley app; docker-compose.yml chooses the app with `command`.
# Untested here: the development machines have no Docker engine.
#
# Node 20 on Debian 12 (glibc 2.36): uWebSockets.js ships native binaries for
# Node 20 only, and the gateway refuses to start on its slow JS fallback.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    PARLEY_DATA_DIR=/data

# The whole workspace first: npm ci links apps/* and libs/* as @parley/* packages.
COPY . .

# Runtime dependencies only, at the versions in package-lock.json. tsx, which runs the
# TypeScript sources, is one of them; Nx, ESLint, vitest and testcontainers are not needed.
# `npm install`, not `npm ci`: the lock lacks Nx's optional binaries for other platforms
# (the registry it was made against has none), and `npm ci` refuses that as a mismatch
# (same reason as .ci/run).
# /data holds the development signing keys (PARLEY_DATA_DIR), shared through a volume.
RUN npm install --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p /data \
 && chown node:node /data

USER node
EXPOSE 8080 8081 8082

# `node --import tsx` rather than `npx tsx`: one process per container, so the
# SIGTERM of `docker stop` reaches the app (a gateway then closes its sockets
# with 4003 before exiting) instead of stopping at a wrapper.
CMD ["node", "--import", "tsx", "apps/gateway/src/main.ts"]
