# syntax=docker/dockerfile:1
# The migration job: applies infra/db/migrations and sets the worker's login (infra/db/src/cli.ts).
# Runs before every release's workers (the Helm chart's pre-install/pre-upgrade hook).
# Build from the repository root: docker build -f deploy/docker/migrate.Dockerfile .
ARG NODE_VERSION=24.21.0
ARG DEBIAN_IMAGE=debian:bookworm-20261110-slim

FROM node:${NODE_VERSION}-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json .nvmrc ./
COPY proto/package.json proto/
COPY infra/db/package.json infra/db/
COPY loadtest/package.json loadtest/
COPY test/package.json test/
COPY services/corpus/package.json services/corpus/
COPY services/domain/package.json services/domain/
COPY services/eval/package.json services/eval/
COPY services/inference/package.json services/inference/
COPY services/platform/package.json services/platform/
COPY services/worker/package.json services/worker/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=@liability/db

FROM ${DEBIAN_IMAGE} AS runtime
COPY --from=dependencies /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 10001 lre && useradd --uid 10001 --gid lre --no-create-home --shell /usr/sbin/nologin lre
WORKDIR /app
COPY --from=dependencies /app/node_modules node_modules
COPY package.json ./
COPY infra/db/package.json infra/db/
COPY infra/db/src infra/db/src
COPY infra/db/migrations infra/db/migrations
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/node", "infra/db/src/cli.ts"]
CMD ["migrate"]
