# syntax=docker/dockerfile:1
# The inference sidecar for NVIDIA data-centre GPUs: node-llama-cpp's addon compiled against CUDA
# from the llama.cpp source it ships (llama/gitRelease.bundle), for Ampere (A100, sm_80) and
# Hopper (H100/H200, sm_90) only, which keeps the build short and the image small. Model and
# adapter are baked in as in the CPU image.
# Build from the repository root: docker build -f deploy/docker/sidecar-cuda.Dockerfile .
ARG NODE_VERSION=24.21.0
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG CUDA_VERSION=12.9.1
ARG CUDA_ARCHITECTURES="80-real;90-real"

FROM ${PYTHON_IMAGE} AS model
WORKDIR /src
COPY infra/models/fetch-base-model.sh infra/models/
RUN MODELS_DIR=/models bash infra/models/fetch-base-model.sh

FROM node:${NODE_VERSION}-bookworm-slim AS node

FROM nvidia/cuda:${CUDA_VERSION}-devel-ubuntu24.04 AS addon
ARG CUDA_ARCHITECTURES
# hadolint ignore=DL3008
RUN apt-get update \
  && apt-get install -y --no-install-recommends cmake ninja-build git python3 ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
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
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=@liability/inference \
  && rm -rf node_modules/@node-llama-cpp/linux-x64-cuda* node_modules/@node-llama-cpp/linux-x64-vulkan
# The build lands in node_modules/node-llama-cpp/llama/localBuilds, where getLlama({ gpu: "cuda" }) finds it.
ENV NODE_LLAMA_CPP_CMAKE_OPTION_CMAKE_CUDA_ARCHITECTURES=${CUDA_ARCHITECTURES}
RUN npx --no-install node-llama-cpp source build --gpu cuda \
  && rm -rf node_modules/node-llama-cpp/llama/llama.cpp node_modules/node-llama-cpp/llama/localBuilds/*/build

FROM nvidia/cuda:${CUDA_VERSION}-runtime-ubuntu24.04 AS runtime
COPY --from=node /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 10001 lre && useradd --uid 10001 --gid lre --no-create-home --shell /usr/sbin/nologin lre
WORKDIR /app
COPY --from=addon /app/node_modules node_modules
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
    INFERENCE_GPU=cuda
EXPOSE 9465
ENTRYPOINT ["/usr/local/bin/node", "services/inference/src/main.ts"]
