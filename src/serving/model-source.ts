/**
 * @module serving/model-source
 * Where a served model comes from: a local model directory or `.onnx` file, a run's artifacts
 * (`runs:/<id>/<path>`) or a registry version (`models:/name/3`, `models:/name@alias`,
 * `models:/name/Production`). Registry and run models are downloaded into a private temporary folder;
 * `resolveVersion` asks the registry which version a moving URI names now (for hot reload).
 */
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, resolve } from "node:path";
import type { LatheClient } from "../client/client.js";
import { invalidParameter, isLatheError, LatheError } from "../core/errors.js";
import { loadModelFromUri } from "../models/log.js";

/** A model's files on local disk and what it is called. */
export interface FetchedModel {
  /** The model directory or `.onnx` file. */
  readonly path: string;
  /** Registered model name, or the directory's name for local and run models. */
  readonly name: string;
  /** Registry version number; undefined for local and run models. */
  readonly version: string | undefined;
  /** Removes what was downloaded (nothing for a local path). */
  cleanup(): Promise<void>;
}

/** True for URIs whose target can move (an alias, a stage or `latest`), which hot reload watches. */
export function isMovingUri(uri: string): boolean {
  const match = /^models:\/([^/@]+)(?:@([^/]+)|\/([^/]+))$/.exec(uri);
  if (!match) return false;
  if (match[2] !== undefined) return true;
  return !/^\d+$/.test(match[3] ?? "");
}

function isRemoteUri(uri: string): boolean {
  return uri.startsWith("models:/") || uri.startsWith("runs:/");
}

/** Which registry version `uri` names right now; undefined for local and run URIs. */
export async function resolveVersion(uri: string, client: LatheClient): Promise<string | undefined> {
  if (!uri.startsWith("models:/")) return undefined;
  try {
    return (await client.resolveModelUri(uri)).version;
  } catch (error) {
    throw explain(uri, client, error);
  }
}

function nameOf(path: string): string {
  return basename(path).replace(/\.onnx$/i, "") || "model";
}

/**
 * Brings the model `uri` names to local disk.
 *
 * @throws LatheError when the path does not exist or the registry does not know the URI
 */
export async function fetchModel(uri: string, client: LatheClient | undefined): Promise<FetchedModel> {
  if (!isRemoteUri(uri)) {
    const path = resolve(uri.startsWith("file://") ? new URL(uri).pathname : uri);
    if (!existsSync(path)) {
      throw invalidParameter(
        `Model path '${uri}' does not exist: pass a model directory (with an MLmodel file), an .onnx file, runs:/<run_id>/<path> or models:/<name>@<alias>.`,
      );
    }
    return { path, name: nameOf(path), version: undefined, cleanup: async () => undefined };
  }
  if (!client) throw invalidParameter(`Serving '${uri}' needs a tracking server: pass --tracking-uri.`);
  const folder = await mkdtemp(resolve(tmpdir(), "lathe-serve-"));
  const cleanup = () => rm(folder, { recursive: true, force: true });
  try {
    const loaded = await loadModelFromUri(uri, client, { destDir: resolve(folder, "model") }).catch(
      (error: unknown) => {
        throw isLatheError(error) &&
          error.code !== "RESOURCE_DOES_NOT_EXIST" &&
          error.code !== "INVALID_PARAMETER_VALUE"
          ? error
          : explain(uri, client, error);
      },
    );
    const name = loaded.source.name ?? (uri.startsWith("runs:/") ? nameOf(uri.split("/").pop() ?? "model") : "model");
    return { path: loaded.dir, name, version: loaded.source.version, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A registry failure restated with the URI and the server it was asked. */
function explain(uri: string, client: LatheClient, error: unknown): LatheError {
  const message = error instanceof Error ? error.message : String(error);
  const code = isLatheError(error) ? error.code : "TEMPORARILY_UNAVAILABLE";
  return new LatheError(
    code,
    `Cannot resolve model '${uri}' on the tracking server ${client.rest.baseUrl}: ${message} Check the name, version or alias, and --tracking-uri.`,
    { cause: error },
  );
}

/** True when `path` is a directory. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
