/**
 * @module registry/uri
 * The one place `models:/` and `runs:/` URIs are understood (reference/mlflow.md §5): parsing them,
 * and resolving them to a model version and the storage location of its files. Resolution asks a
 * `RegistryLookup`, which the server's stores and the SDK's REST client both implement, so a URI
 * means the same thing on either side.
 */
import { validateArtifactPath } from "../artifacts/index.js";
import { invalidParameter, LatheError, notFound } from "../core/errors.js";
import { validateRunId } from "../tracking/validation.js";
import type { ModelStage, ModelVersion } from "./entities.js";
import type { RegistryStore } from "./store.js";
import { canonicalStage, parseVersion } from "./validation.js";

/** What a URI names: a run's files, or a model version found by number, stage, `latest` or alias. */
export type ParsedModelUri =
  | { readonly kind: "version"; readonly name: string; readonly version: string }
  | { readonly kind: "stage"; readonly name: string; readonly stage: ModelStage }
  | { readonly kind: "latest"; readonly name: string }
  | { readonly kind: "alias"; readonly name: string; readonly alias: string }
  | { readonly kind: "run"; readonly runId: string; readonly path: string };

/** Where a URI points: the model version (when it names one), its run, and where its files are. */
export interface ResolvedModelUri {
  readonly name?: string;
  readonly version?: string;
  readonly runId?: string;
  readonly artifactUri: string;
}

/** The reads resolution needs, returning MLflow's wire-shaped entities. */
export interface RegistryLookup {
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  getRun(runId: string): Promise<{ info: { run_id: string; artifact_uri: string } }>;
}

const ACCEPTED_FORMS =
  "models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest, models:/<name>@<alias> or runs:/<run_id>/<path>";

function invalidUri(uri: string, reason: string): LatheError {
  const shown = uri.length > 200 ? `${uri.slice(0, 200)}...` : uri;
  return invalidParameter(`Invalid model URI '${shown}': ${reason}. Use ${ACCEPTED_FORMS}.`);
}

/** Re-raises a validation failure of one part of the URI as a failure of the whole URI. */
function partOf<T>(uri: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof LatheError && error.code === "INVALID_PARAMETER_VALUE") throw invalidUri(uri, error.message);
    throw error;
  }
}

function parseRunsUri(uri: string, rest: string): ParsedModelUri {
  // runs:/<run_id>/<path>; `runs:<id>` and `runs://<id>` are not forms MLflow writes.
  if (!rest.startsWith("/") || rest.startsWith("//")) throw invalidUri(uri, "a runs URI starts with runs:/");
  const body = rest.slice(1);
  const slash = body.indexOf("/");
  const runId = slash < 0 ? body : body.slice(0, slash);
  if (runId === "") throw invalidUri(uri, "the run id is missing");
  partOf(uri, () => validateRunId(runId));
  const path = partOf(uri, () => validateArtifactPath(slash < 0 ? "" : body.slice(slash + 1)));
  return { kind: "run", runId, path };
}

function parseModelsUri(uri: string, rest: string): ParsedModelUri {
  if (!rest.startsWith("/") || rest.startsWith("//")) {
    throw invalidUri(uri, "a models URI starts with models:/ and names no host");
  }
  const body = rest.slice(1);
  const slash = body.indexOf("/");
  if (slash >= 0) {
    const name = body.slice(0, slash);
    const suffix = body.slice(slash + 1);
    if (name.trim() === "" || suffix === "" || suffix.includes("/")) {
      throw invalidUri(uri, "expected exactly a model name and a version, stage or 'latest'");
    }
    if (/^\d+$/.test(suffix)) return { kind: "version", name, version: String(parseVersion(suffix)) };
    if (suffix.toLowerCase() === "latest") return { kind: "latest", name };
    return { kind: "stage", name, stage: partOf(uri, () => canonicalStage(suffix)) };
  }
  const at = body.lastIndexOf("@");
  if (at < 0) throw invalidUri(uri, "a version, stage, 'latest' or '@alias' must follow the model name");
  const name = body.slice(0, at);
  const alias = body.slice(at + 1);
  if (name.trim() === "" || alias === "") throw invalidUri(uri, "both the model name and the alias are needed");
  return { kind: "alias", name, alias };
}

/**
 * Parses a model URI without looking anything up.
 *
 * @example parseModelUri("models:/iris@champion") // { kind: "alias", name: "iris", alias: "champion" }
 * @throws LatheError INVALID_PARAMETER_VALUE naming the accepted forms
 */
export function parseModelUri(uri: string): ParsedModelUri {
  if (typeof uri !== "string" || uri === "") throw invalidUri(String(uri), "the URI is empty");
  // A query or fragment would be silently ignored by some readers and not others.
  if (uri.includes("?") || uri.includes("#")) throw invalidUri(uri, "query strings and fragments are not allowed");
  const colon = uri.indexOf(":");
  const scheme = colon < 0 ? "" : uri.slice(0, colon).toLowerCase();
  if (scheme === "models") return parseModelsUri(uri, uri.slice(colon + 1));
  if (scheme === "runs") return parseRunsUri(uri, uri.slice(colon + 1));
  throw invalidUri(uri, "the scheme must be models: or runs:");
}

function joinArtifactUri(root: string, path: string): string {
  return path === "" ? root : `${root.replace(/\/+$/, "")}/${path}`;
}

/** The highest version number among `versions`. */
function newest(versions: readonly ModelVersion[]): ModelVersion | undefined {
  let best: ModelVersion | undefined;
  for (const version of versions) if (!best || Number(version.version) > Number(best.version)) best = version;
  return best;
}

async function findVersion(parsed: ParsedModelUri, lookup: RegistryLookup): Promise<ModelVersion> {
  switch (parsed.kind) {
    case "version":
      return lookup.getModelVersion(parsed.name, parsed.version);
    case "alias":
      return lookup.getModelVersionByAlias(parsed.name, parsed.alias);
    case "stage": {
      const found = newest(await lookup.getLatestVersions(parsed.name, [parsed.stage]));
      if (!found) {
        throw notFound(
          `No versions of model with name '${parsed.name}' and stage '${parsed.stage}' found. Move a version to ${parsed.stage} with model-versions/transition-stage, or use an alias.`,
        );
      }
      return found;
    }
    case "latest": {
      const found = newest(await lookup.getLatestVersions(parsed.name));
      if (!found) throw notFound(`Registered model '${parsed.name}' has no versions. Register one first.`);
      return found;
    }
    case "run":
      throw new LatheError("INTERNAL_ERROR", "A runs: URI names no model version.");
  }
}

/**
 * Resolves a model or run URI to the version it names and where its files are stored. A download
 * location that is itself a `runs:/` URI (as MLflow servers return) is resolved through the run.
 *
 * @throws LatheError INVALID_PARAMETER_VALUE for a malformed URI; RESOURCE_DOES_NOT_EXIST (or, for an
 *   unknown alias, MLflow's INVALID_PARAMETER_VALUE) when what it names does not exist
 */
export async function resolveModelUri(uri: string, lookup: RegistryLookup): Promise<ResolvedModelUri> {
  const parsed = parseModelUri(uri);
  if (parsed.kind === "run") {
    const run = await lookup.getRun(parsed.runId);
    return { runId: parsed.runId, artifactUri: joinArtifactUri(run.info.artifact_uri, parsed.path) };
  }
  const version = await findVersion(parsed, lookup);
  let artifactUri = await lookup.getModelVersionDownloadUri(version.name, version.version);
  if (/^runs:/i.test(artifactUri)) {
    const run = parseModelUri(artifactUri);
    if (run.kind === "run") {
      artifactUri = joinArtifactUri((await lookup.getRun(run.runId)).info.artifact_uri, run.path);
    }
  }
  const runId = version.run_id ? version.run_id : undefined;
  return { name: version.name, version: version.version, ...(runId ? { runId } : {}), artifactUri };
}

/** A `RegistryLookup` over the server's own stores (a `TrackingStore` serves as `tracking`). */
export function storeRegistryLookup(registry: RegistryStore, tracking: Pick<RegistryLookup, "getRun">): RegistryLookup {
  return {
    getModelVersion: (name, version) => registry.getModelVersion(name, version),
    getLatestVersions: (name, stages) => registry.getLatestVersions(name, stages),
    getModelVersionByAlias: (name, alias) => registry.getModelVersionByAlias(name, alias),
    getModelVersionDownloadUri: (name, version) => registry.getModelVersionDownloadUri(name, version),
    getRun: (runId) => tracking.getRun(runId),
  };
}
