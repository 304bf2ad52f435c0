/**
 * @module server/routes/artifact-proxy
 * The artifact proxy, `/api/2.0/mlflow-artifacts/...` (reference/mlflow.md §2.4): clients upload,
 * download, list and delete artifacts through the server, which keeps them under
 * `--artifacts-destination` (a folder or an `s3://bucket/prefix`). Bodies stream straight through to
 * the store; no byte limit applies here. The proxy's multipart-upload endpoints answer NOT_IMPLEMENTED:
 * on a folder as in MLflow, and on S3 because uploads already stream through in multipart parts.
 */
import { basename, extname } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { openArtifactsDestination, validateArtifactPath } from "../../artifacts/index.js";
import { LatheError } from "../../core/errors.js";
import { wirePage } from "../wire.js";

const MIME_TYPES: Record<string, string> = {
  ".txt": "text/plain",
  ".log": "text/plain",
  ".md": "text/markdown",
  ".json": "application/json",
  ".yaml": "application/x-yaml",
  ".yml": "application/x-yaml",
  ".csv": "text/csv",
  ".html": "text/html",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".pdf": "application/pdf",
};

function mimeType(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

function pathParam(request: FastifyRequest): string {
  return validateArtifactPath((request.params as { "*"?: string })["*"] ?? "");
}

/** Registers the proxy routes; when artifacts are not served they answer a plain-text 503, as MLflow does. */
export async function registerArtifactProxy(app: FastifyInstance, destination: string | undefined): Promise<void> {
  const prefix = "/api/2.0/mlflow-artifacts";
  if (destination === undefined) {
    const disabled = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(503)
        .type("text/plain")
        .send(
          "Endpoint disabled: this server was started with --no-serve-artifacts. Restart it with --serve-artifacts to proxy artifacts.",
        );
    app.all(`${prefix}/*`, disabled);
    return;
  }
  const repository = openArtifactsDestination(destination, "mlflow-artifacts:/");

  await app.register(async (scope) => {
    // Uploads arrive as any content type and are streamed, so no body parser runs here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, _payload, done) => done(null));

    scope.get(`${prefix}/artifacts`, async (request) => {
      const query = request.query as { path?: string | string[] };
      const raw = Array.isArray(query.path) ? (query.path.at(-1) ?? "") : (query.path ?? "");
      const path = validateArtifactPath(raw);
      const files = await repository.list(path);
      // The proxy's list answers with names relative to the listed folder, unlike artifacts/list.
      return wirePage(
        "files",
        files.map((file) => ({ ...file, path: basename(file.path) })),
      );
    });

    scope.get(`${prefix}/artifacts/*`, async (request, reply) => {
      const path = pathParam(request);
      const { stream, size } = await repository.get(path);
      return reply
        .header("Content-Disposition", `attachment; filename="${basename(path).replace(/["\\\r\n]/g, "_")}"`)
        .header("X-Content-Type-Options", "nosniff")
        .header("Content-Length", size)
        .type(mimeType(path))
        .send(stream);
    });

    scope.put(`${prefix}/artifacts/*`, async (request) => {
      const path = pathParam(request);
      if (path === "")
        throw new LatheError("INVALID_PARAMETER_VALUE", "Invalid path: an upload needs a file path after /artifacts/.");
      await repository.put(path, request.raw);
      return {};
    });

    scope.delete(`${prefix}/artifacts/*`, async (request) => {
      const path = pathParam(request);
      if (path === "")
        throw new LatheError("INVALID_PARAMETER_VALUE", "Invalid path: refusing to delete the artifact root.");
      await repository.delete(path);
      return {};
    });

    for (const action of ["create", "complete", "abort"]) {
      scope.post(`${prefix}/mpu/${action}/*`, async () => {
        throw new LatheError(
          "NOT_IMPLEMENTED",
          destination.startsWith("s3:")
            ? "Multipart upload through the proxy is not supported; large uploads already stream to S3 in parts. Unset MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD."
            : "Multipart upload is only available when artifacts are stored in an object store; this server stores them in a local folder. Unset MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD.",
        );
      });
    }
  });
}
