# syntax=docker/dockerfile:1
#
# hysac-gateway: the GraphQL safety gateway and its embedded model bundle (hysac-mini), CPU only by default.
#
#   docker build -t hysac-gateway .                             # CPU image (the default target, `runtime`)
#   docker run --rm -p 4000:4000 hysac-gateway                  # http://127.0.0.1:4000/graphql
#   docker build --target runtime-cuda -t hysac-gateway:cuda .  # CUDA execution provider (see below)
#
# Proven without a container engine by test/deploy/dockerfile.test.ts, which runs these stages in clean
# folders (the context filtered by .dockerignore, the host's Node 20 as the base image), starts CMD with this
# ENV as USER, queries it and runs HEALTHCHECK against it.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# ---- build: every dependency, TypeScript -> dist/, then only production dependencies are kept -----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied, and onnxruntime-node's install script
# would download CUDA libraries from outside the npm registry (package.json's allowScripts denies it too, but
# only npm 11.16+ reads that, and node:20 images ship npm 10). No production dependency needs an install
# script: sharp and onnxruntime-node ship their CPU binaries in npm packages.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY schema ./schema
COPY src ./src
COPY plugins ./plugins
COPY models/hysac-mini ./models/hysac-mini
# onnxruntime-node ships its native library for every platform (about 290 MB); keep this platform's only.
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && keep="$(node -p 'process.platform + "/" + process.arch')" \
 && cd node_modules/onnxruntime-node/bin/napi-v6 \
 && for d in */*; do [ "$d" = "$keep" ] || rm -rf "$d"; done \
 && find . -mindepth 1 -type d -empty -delete
# Start the model once with the pruned dependencies: a smoke test of the build, and it embeds the safe-prompt
# pool and the EDIT vocabulary into .cache, so every container starts without that pass (and never needs to
# write: the root filesystem can be read-only).
RUN node dist/src/cli.js classify "a red barn under a clear sky" > /dev/null

# ---- CUDA variant: onnxruntime-node's CUDA 12 provider -----------------------------------------------------------
# Needs, at build time, internet access to api.nuget.org (onnxruntime-node's install script fetches
# Microsoft.ML.OnnxRuntime.Gpu.Linux, the same version as onnxruntime-node: libonnxruntime_providers_cuda.so and
# _shared.so), and at run time an NVIDIA GPU, the NVIDIA Container Toolkit (`docker run --gpus all`) and CUDA 12
# with cuDNN 9 (the base image below). linux/amd64 only. EXECUTION_PROVIDERS=cuda,cpu falls back to the CPU
# for what CUDA cannot run.
FROM build AS build-cuda
RUN ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install

FROM ${CUDA_IMAGE} AS runtime-cuda
COPY --from=build-cuda /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 EXECUTION_PROVIDERS=cuda,cpu
WORKDIR /app
COPY --from=build-cuda /app/package.json ./
COPY --from=build-cuda /app/node_modules ./node_modules
COPY --from=build-cuda /app/dist ./dist
COPY --from=build-cuda /app/schema ./schema
COPY --from=build-cuda /app/plugins/policies ./plugins/policies
COPY --from=build-cuda /app/models/hysac-mini ./models/hysac-mini
COPY --from=build-cuda /app/.cache ./.cache
USER 1000:1000
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/cli.js", "serve"]

# ---- runtime (the default target): production dependencies, dist/, the bundle; nothing else -----------------------
FROM ${NODE_IMAGE} AS runtime
# HOST=0.0.0.0: reachable from outside the container. NODE_ENV=production: introspection off, errors masked.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
# Files stay owned by root: the gateway (uid 1000) reads them and can change none of them.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
COPY --from=build /app/plugins/policies ./plugins/policies
COPY --from=build /app/models/hysac-mini ./models/hysac-mini
COPY --from=build /app/.cache ./.cache
# uid 1000 is `node` in the Node images; numeric, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 4000
# /readyz: 200 once the bundle is loaded, a warm-up inference passed and a model worker is alive. Node's own
# fetch, so the image needs no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself (it drains, then exits 0).
CMD ["node", "dist/src/cli.js", "serve"]
