/**
 * @module server/routes/ui-artifacts
 * `GET /get-artifact?run_uuid=<id>&path=<file>`, MLflow's UI route: one file of a run's artifacts,
 * wherever the run's artifact root lives (the proxied destination or a local folder). Answers are
 * marked `sandbox` so an HTML artifact opened directly cannot run script in the UI's origin.
 */
import { basename, extname } from "node:path";
import type { FastifyInstance } from "fastify";
import { openArtifactRepository, validateArtifactPath } from "../../artifacts/index.js";
import { invalidParameter, LatheError } from "../../core/errors.js";
import type { TrackingStore } from "../../tracking/store.js";

const PREVIEW_TYPES: Record<string, string> = {
  ".txt": "text/plain; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".py": "text/plain; charset=utf-8",
  ".yaml": "text/plain; charset=utf-8",
  ".yml": "text/plain; charset=utf-8",
  ".json": "application/json",
  ".csv": "text/csv; charset=utf-8",
  ".tsv": "text/tab-separated-values; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
};

function contentTypeOf(path: string): string {
  if (basename(path) === "MLmodel") return "text/plain; charset=utf-8";
  return PREVIEW_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

function single(value: string | string[] | undefined, name: string): string {
  const text = Array.isArray(value) ? value.at(-1) : value;
  if (text === undefined || text === "") throw invalidParameter(`Missing value for required parameter '${name}'.`);
  return text;
}

/** Registers `GET /get-artifact`. */
export function registerArtifactPreview(
  app: FastifyInstance,
  store: TrackingStore,
  artifactsDestination: string | undefined,
): void {
  app.get("/get-artifact", async (request, reply) => {
    const query = request.query as Record<string, string | string[] | undefined>;
    const run = await store.getRun(single(query.run_uuid ?? query.run_id, "run_uuid"));
    const path = validateArtifactPath(single(query.path, "path"));
    const uri = run.info.artifact_uri;
    if (uri.startsWith("mlflow-artifacts:") && artifactsDestination === undefined) {
      throw new LatheError(
        "TEMPORARILY_UNAVAILABLE",
        "This server does not serve artifacts (--no-serve-artifacts), so it cannot read mlflow-artifacts:/ locations. Start it with --serve-artifacts.",
      );
    }
    const repository = openArtifactRepository(uri, { artifactsDestination: artifactsDestination ?? "" });
    const { stream, size } = await repository.get(path);
    return reply
      .type(contentTypeOf(path))
      .header("Content-Length", size)
      .header("Content-Security-Policy", "sandbox")
      .header("X-Content-Type-Options", "nosniff")
      .header("Cache-Control", "no-cache")
      .send(stream);
  });
}
