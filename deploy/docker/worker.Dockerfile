# syntax=docker/dockerfile:1
# The extraction worker (services/worker): its production dependencies and the workspace packages
# it imports, run by the pinned Node on a slim Debian without npm or any build tool, as uid 10001.
# Build from the repository root: docker build -f deploy/docker/worker.Dockerfile .
# Base images are pinned to exact versions here; pin them by digest (name@sha256:…) in the registry
# mirror that builds releases.
ARG NODE_VERSION=24.21.0
ARG DEBIAN_IMAGE=debian:bookworm-20261110-slim

FROM node:${NODE_VERSION}-bookworm-slim AS dependencies
WORKDIR /app
# Every workspace's manifest: npm ci checks the lockfile against all of them.
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
# No install scripts: the worker has no native dependency, and scripts are code we did not review.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=@liability/worker

FROM ${DEBIAN_IMAGE} AS runtime
COPY --from=dependencies /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 10001 lre && useradd --uid 10001 --gid lre --no-create-home --shell /usr/sbin/nologin lre
WORKDIR /app
COPY --from=dependencies /app/node_modules node_modules
COPY package.json ./
COPY proto/package.json proto/
COPY proto/src proto/src
COPY proto/gen proto/gen
COPY services/domain/package.json services/domain/
COPY services/domain/src services/domain/src
COPY services/platform/package.json services/platform/
COPY services/platform/src services/platform/src
COPY services/worker/package.json services/worker/
COPY services/worker/src services/worker/src
USER 10001:10001
ENV NODE_ENV=production
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/node", "services/worker/src/main.ts"]
