/**
 * @module server/ui
 * Serves the web UI built by `npm run build:ui` from `dist/ui` of the installed package: `/` is the
 * page, `/assets/*` its content-hashed scripts and styles (cached for a year, immutable). Only files
 * found in `dist/ui` when the server starts are served, so no request path reaches the disk. Also
 * mounts the UI's own routes: artifact previews and the pipeline view.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { TrackingStore } from "../tracking/store.js";
import { registerArtifactPreview } from "./routes/ui-artifacts.js";
import { registerPipelineRoute } from "./routes/ui-pipeline.js";

export interface UiOptions {
  store: TrackingStore;
  /** Folder holding the built UI; default `dist/ui` of this package. */
  uiDirectory?: string;
  /** Folder of a DVC project for the Pipeline page; undefined turns that page off. */
  project?: string;
  /** Folder behind `mlflow-artifacts:/`, or undefined when artifacts are not served. */
  artifactsDestination: string | undefined;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** `dist/ui` beside this module's package: `src/server` and `dist/server` both sit two levels below the root. */
export function defaultUiDirectory(): string {
  return fileURLToPath(new URL("../../dist/ui", import.meta.url));
}

/** Every file under `root` keyed by its URL path (`/assets/index-abc.js`). */
function listFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(`/${relative(root, path).split(sep).join("/")}`, path);
    }
  };
  walk(root);
  return files;
}

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

const MISSING_BUILD = `Lathe's web UI has not been built, so there is nothing to show here.

Build it from the Lathe checkout with:

    npm run build:ui

then reload this page. The REST API is unaffected: see /openapi.json.
`;

function sendFile(reply: FastifyReply, path: string, urlPath: string): FastifyReply {
  const hashed = urlPath.startsWith("/assets/");
  return reply
    .type(CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream")
    .header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache")
    .header("X-Content-Type-Options", "nosniff")
    .send(readFileSync(path));
}

/** Mounts the web UI and its routes on `app`. */
export async function registerUi(app: FastifyInstance, options: UiOptions): Promise<void> {
  const root = options.uiDirectory ?? defaultUiDirectory();
  const files = isFolder(root) ? listFiles(root) : new Map<string, string>();
  const index = files.get("/index.html");

  app.get("/", (_request, reply) => {
    if (index === undefined) return reply.code(503).type("text/plain; charset=utf-8").send(MISSING_BUILD);
    return sendFile(reply, index, "/index.html");
  });
  app.get("/assets/*", (request, reply) => {
    const urlPath = request.url.split("?")[0]!;
    const path = files.get(urlPath);
    if (path === undefined) {
      return reply.code(404).type("text/plain; charset=utf-8").send(`No UI asset ${urlPath}. Reload the page.`);
    }
    return sendFile(reply, path, urlPath);
  });
  for (const [urlPath, path] of files) {
    if (urlPath === "/index.html" || urlPath.startsWith("/assets/")) continue;
    app.get(urlPath, (_request, reply) => sendFile(reply, path, urlPath));
  }

  registerArtifactPreview(app, options.store, options.artifactsDestination);
  registerPipelineRoute(app, options.project);
}
