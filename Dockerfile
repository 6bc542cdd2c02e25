# syntax=docker/dockerfile:1
# Tessera, production image: compiled with tsc, run with plain Node as an unprivileged user.
#   docker build -t tessera .
#   docker run -p 3000:3000 -e ISSUER=https://id.example.com -e DATABASE_URL=mysql://… -e COOKIE_SECRETS=… tessera
# Admin CLI inside the container (compiled, no tsx): npm run tessera -- <command>, or node dist/server/cli.js <command>

# A supported LTS line: 22 or 24.
ARG NODE_VERSION=22

# ---- build: every dependency, TypeScript -> dist/ ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY server ./server
COPY migrations ./migrations
COPY views ./views
COPY public ./public
RUN npm run build

# ---- runtime: the build plus production dependencies only (no TypeScript, no tsx) ----
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
# Before dist/ arrives, so this layer is cached until the dependencies change; --ignore-scripts
# skips `prepare`, which would look for the build (scripts/prepare.js).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The compiled server reads its templates and stylesheet relative to dist/server/: dist/views and
# dist/public, which `npm run build` copied there.
COPY --from=build /app/dist ./dist
# The default DATABASE_URL (sqlite:./data/tessera.sqlite) writes here; mount a volume to keep it.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself (graceful shutdown within SHUTDOWN_TIMEOUT_SECONDS).
CMD ["node", "dist/server/main.js"]
