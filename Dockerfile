# syntax=docker/dockerfile:1
# One image for every production process of Handoff: the API (default command), the workers
# and the migration. The processes run their TypeScript through tsx's loader (node --import tsx),
# so there is no compile step; only the workflow bundle is prebuilt.
#
# The commands are the bodies of package.json's scripts (start:api, start:worker, db:migrate)
# run without npm: `npm run` starts them under `sh -c`, and on SIGTERM npm and that shell exit
# at once while the process itself never gets the signal, so `docker stop` would kill the API
# and the workers mid-request instead of letting them shut down. With the loader there is no
# wrapper process either: node itself gets SIGTERM and shuts down gracefully. (The tsx command
# relays signals to a child process and kills it outright when it does not confirm within 60 ms,
# which a busy worker can miss.)

# --- build: install every dependency, generate the Prisma client, build the web app, bundle the workflows
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
# The Prisma CLI downloads its schema engine before every command unless this names an
# existing executable. Handoff never uses the schema engine (migrations are plain SQL applied
# by prisma/migrate.ts), so node itself stands in and the build needs only the npm registry.
ENV PRISMA_SCHEMA_ENGINE_BINARY=/usr/local/bin/node \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
# The schema and the web app's source come before `npm ci`: its postinstall generates the Prisma
# client into lib/db/generated (prisma/generate.mjs) and builds the web app into web/dist
# (web/build.ts), which the API serves.
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY web ./web
RUN npm ci --no-audit --no-fund
COPY . .
# Writes dist/workflow-bundle.js, which production workers load instead of bundling at start;
# then drops the dev dependencies (tsx and the Temporal bundler are runtime dependencies).
RUN npm run build:workflows \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime ---------------------------------------------------------------------------
FROM node:24.21.0-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HANDOFF_DATA_DIR=/app/data \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
# The code stays owned by root and read-only to the process; only the data folder (the email
# outbox when SMTP_URL is unset) is writable by the image's unprivileged `node` user, named by
# its uid so that runtimes which check for non-root users (Kubernetes' runAsNonRoot) can.
COPY --from=build /app /app
RUN mkdir -p /app/data && chown node:node /app/data
# The build id the workers poll as (README: Deploying a new version safely); empty: the package
# version and a hash of the workflow bundle, which names the workflow code exactly.
ARG HANDOFF_BUILD_ID=""
ENV HANDOFF_BUILD_ID=${HANDOFF_BUILD_ID}
USER 1000:1000
EXPOSE 3000
# The API answers 200 on /healthz when both the database and Temporal answer, 503 otherwise.
# docker-compose.yml replaces this check for the workers and disables it for the migration.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://localhost:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]
# = npm run start:api
CMD ["node", "--import", "tsx", "api/main.ts"]
