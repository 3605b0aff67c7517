# syntax=docker/dockerfile:1
# Multi-stage build: compile with dev dependencies, ship only production ones, run as the
# unprivileged `node` user. One image for the API, the worker and the admin CLI.
#
#   docker build -t tessera .
#   docker run -p 3000:3000 -v tessera-data:/app/data \
#     -e JWT_SECRET=... -e ADMIN_PASSWORD=... tessera
#
# Alone it runs the embedded PostgreSQL and local storage in /app/data (a volume); the
# compose file instead points it at PostgreSQL and MinIO services.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` when the lock file is complete; a lock written against a registry mirror that
# lacks some optional platform packages (as on the development machines) makes npm ci
# refuse, and npm install resolves those from the public registry instead.
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY packages ./packages
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The `node` devDependency (a pinned Node for npm scripts) is not needed: the image has Node 24.
RUN (npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-audit --no-fund) && npm cache clean --force
COPY --from=build /app/dist ./dist
# Data of the defaults (embedded PostgreSQL, local storage, uploads and tiling scratch),
# owned by the user the process runs as.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME /app/data
USER node
EXPOSE 3000
# V8 flags: see docs/architecture.md ("Young generation"). The worker service sets its own.
CMD ["node", "--max-semi-space-size=16", "dist/apps/api/src/main.js"]
