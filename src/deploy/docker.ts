/**
 * @module deploy/docker
 * A multi-stage Dockerfile for the model server: the build stage installs the project's
 * production dependencies (`lathe` among them) with `npm ci`; the runtime stage runs as a
 * non-root user, exposes 8080 and checks `/v2/health/ready`. The model is either copied into the
 * image from a local folder or, for a `models:/` or `runs:/` URI, fetched from the tracking
 * server named by `MLFLOW_TRACKING_URI` when the container starts.
 */
import { isAbsolute, normalize } from "node:path";
import { invalidParameter } from "../core/errors.js";
import { checkResourceName } from "./names.js";
import type { GeneratedFiles } from "./output.js";

export interface DockerOptions {
  /** Local model folder (relative to the build context) or a `models:/`/`runs:/` URI (default models/model). */
  model?: string;
  /** Served model name (default "lathe-model"). */
  name?: string;
  /** Tracking server baked in as the default `MLFLOW_TRACKING_URI` for remote models. */
  trackingUri?: string;
}

/** The user the runtime stage runs as; numeric so Kubernetes' runAsNonRoot can verify it. */
export const RUNTIME_UID = 10001;

/** Whether `model` is fetched from a tracking server rather than copied. */
export function isRemoteModel(model: string): boolean {
  return /^(models|runs):\//.test(model);
}

function localModelPath(model: string): string {
  const path = normalize(model).replace(/\/+$/, "");
  if (isAbsolute(path) || path === ".." || path.startsWith("../"))
    throw invalidParameter(
      `--model '${model}' is outside the build context. Give a folder inside the project (e.g. models/model) or a models:/ URI.`,
    );
  return path;
}

const HEALTHCHECK_SCRIPT =
  "fetch('http://127.0.0.1:8080/v2/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))";

/** `Dockerfile` and `.dockerignore` (also as `Dockerfile.dockerignore`, which BuildKit reads beside a Dockerfile). */
export function dockerFiles(options: DockerOptions = {}): GeneratedFiles {
  const model = options.model ?? "models/model";
  const name = checkResourceName(options.name ?? "lathe-model");
  const remote = isRemoteModel(model);
  const modelPath = remote ? undefined : localModelPath(model);
  const modelLines = remote
    ? [
        "# The model is fetched from the tracking server when the container starts.",
        `ARG MLFLOW_TRACKING_URI=${options.trackingUri ?? "http://tracking:5000"}`,
        `ENV MLFLOW_TRACKING_URI=\${MLFLOW_TRACKING_URI}`,
      ]
    : ["# The model is baked into the image.", `COPY --chown=${RUNTIME_UID}:${RUNTIME_UID} ${modelPath} /opt/model`];
  const served = remote ? model : "/opt/model";
  const dockerfile = `# syntax=docker/dockerfile:1
# Model server image for ${name}. Build from the project root:
#   docker build -f deploy/Dockerfile -t ${name}:latest .

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Native modules (better-sqlite3) fall back to a source build when no prebuilt binary matches.
RUN apt-get update \\
  && apt-get install -y --no-install-recommends python3 make g++ \\
  && rm -rf /var/lib/apt/lists/*
# onnxruntime-node bundles its CPU build; skip the optional GPU download.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \\
  LATHE_SERVE_HOST=0.0.0.0 \\
  LATHE_SERVE_PORT=8080 \\
  LATHE_SERVE_LOG_DIR=/tmp/predictions
WORKDIR /app
RUN groupadd --system --gid ${RUNTIME_UID} lathe \\
  && useradd --system --uid ${RUNTIME_UID} --gid lathe --home-dir /app --shell /usr/sbin/nologin lathe \\
  && mkdir -p /data && chown ${RUNTIME_UID}:${RUNTIME_UID} /data
# /data holds the tracking server's database and artifacts when the image runs 'lathe server'.
COPY --from=build --chown=${RUNTIME_UID}:${RUNTIME_UID} /app/node_modules ./node_modules
COPY --chown=${RUNTIME_UID}:${RUNTIME_UID} package.json ./
${modelLines.join("\n")}
USER ${RUNTIME_UID}:${RUNTIME_UID}
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \\
  CMD ["node", "-e", "${HEALTHCHECK_SCRIPT}"]
ENTRYPOINT ["node", "node_modules/lathe/dist/cli/main.js"]
CMD ["serve", "${served}", "--name", "${name}"]
`;
  const keep = modelPath ? [`!${modelPath}`, `!${modelPath}/**`] : [];
  const dockerignore = `# Keep the build context small: dependencies are installed in the image, data stays outside.
.git
node_modules
.dvc/cache
.dvc/tmp
data
notebooks
reports
deploy
*.log
.env
models/*
${keep.join("\n")}
`;
  return { Dockerfile: dockerfile, ".dockerignore": dockerignore, "Dockerfile.dockerignore": dockerignore };
}
