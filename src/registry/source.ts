/**
 * @module registry/source
 * Validation of a model version's `source`, the field behind the longest run of MLflow CVEs
 * (reference/mlflow.md §2.6, §7: CVE-2023-1177, -2356, -2780, -6977, CVE-2024-1558, -3573,
 * CVE-2026-2614): a source is later read by the server, so it must never name a file outside what
 * the registering run owns. Every percent-decoding layer is checked, because each past fix was
 * bypassed by one more layer of encoding.
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeLayers, hasControlChar, isTraversalSegment, validateArtifactPath } from "../artifacts/index.js";
import { invalidParameter, LatheError } from "../core/errors.js";
import { REGISTRY_LIMITS } from "./validation.js";

/** What kind of location a validated source names. */
export type ModelVersionSource =
  | { readonly kind: "local"; readonly path: string }
  | { readonly kind: "run"; readonly runId: string; readonly path: string }
  | { readonly kind: "model" }
  | { readonly kind: "proxied"; readonly path: string }
  | { readonly kind: "remote"; readonly scheme: string };

/** The artifact URI of a run; throws RESOURCE_DOES_NOT_EXIST for an unknown run. */
export type RunArtifactUriLookup = (runId: string) => Promise<string>;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const RUNS_SOURCE = /^runs:\/([^/]+)(?:\/(.*))?$/i;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

function shown(source: string): string {
  return source.length > 200 ? `${source.slice(0, 200)}...` : source;
}

function invalidSource(source: string, reason: string): LatheError {
  return invalidParameter(
    `Invalid model version source: '${shown(source)}': ${reason}. Give an absolute URI without '..' segments, '#' fragments or control characters, such as runs:/<run_id>/model or mlflow-artifacts:/<path>.`,
  );
}

function invalidLocalSource(source: string, reason: string): LatheError {
  return invalidParameter(
    `Invalid model version source: '${shown(source)}': ${reason}. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of that run; otherwise register runs:/<run_id>/<path>.`,
  );
}

/** Lower-cased scheme, or undefined for a bare path (a one-letter "scheme" is a Windows drive). */
function schemeOf(uri: string): string | undefined {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  return scheme !== undefined && scheme.length > 1 ? scheme : undefined;
}

/** Checks every decoding layer for what no source may hold, whatever its scheme. */
function checkLayers(source: string, local: boolean): void {
  for (const layer of decodeLayers(source, (reason) => invalidSource(source, reason))) {
    if (hasControlChar(layer)) throw invalidSource(source, "NUL and other control characters are not allowed");
    // A fragment splits what is validated from what is used (CVE-2023-6909, CVE-2024-1558).
    if (layer.includes("#")) throw invalidSource(source, "'#' is not allowed");
    // Both separators, so `\..\..\` cannot pass as a file name (CVE-2023-2780).
    if (layer.split(/[/\\]/).some(isTraversalSegment)) throw invalidSource(source, "'..' segments are not allowed");
    if (local && /[\\?;]/.test(layer)) {
      throw invalidSource(source, "local paths may not contain '\\', '?' or ';'");
    }
  }
}

/** The local path of a `file:` URI or bare path; undefined when the URI is not local. */
function localPath(uri: string): string | undefined {
  const scheme = schemeOf(uri);
  if (scheme === undefined) return resolve(uri);
  if (scheme !== "file") return undefined;
  try {
    return fileURLToPath(new URL(uri));
  } catch {
    return undefined;
  }
}

/**
 * The path with every symbolic link resolved, for as much of it as exists: a link inside the run's
 * folder that points elsewhere must not count as inside.
 */
function resolveReal(path: string): string {
  const rest: string[] = [];
  let existing = resolve(path);
  for (;;) {
    try {
      return join(realpathSync.native(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return resolve(path);
      rest.push(basename(existing));
      existing = parent;
    }
  }
}

async function checkLocalSource(
  source: string,
  runId: string | undefined,
  runArtifactUri: RunArtifactUriLookup,
): Promise<ModelVersionSource> {
  const path = localPath(source);
  if (path === undefined) throw invalidLocalSource(source, "not a local file: URI");
  if (!runId) throw invalidLocalSource(source, "no run_id was given");
  const artifactUri = await runArtifactUri(runId);
  const runPath = localPath(artifactUri);
  if (runPath === undefined) {
    throw invalidLocalSource(source, `the artifacts of run ${runId} are not in a local folder (${shown(artifactUri)})`);
  }
  const runDir = resolveReal(runPath);
  const target = resolveReal(path);
  if (target !== runDir && !target.startsWith(runDir.endsWith(sep) ? runDir : runDir + sep)) {
    throw invalidLocalSource(source, `the path is outside the artifact directory of run ${runId}`);
  }
  return { kind: "local", path: target };
}

/** Re-raises an `Invalid path` from the artifact path check as a failure of the source. */
function checkedPath(source: string, path: string): string {
  try {
    return validateArtifactPath(path);
  } catch (error) {
    if (error instanceof LatheError) throw invalidSource(source, error.message);
    throw error;
  }
}

/**
 * Validates a model version source and says what kind of location it names. Refused with
 * INVALID_PARAMETER_VALUE: any `..` segment (with `/` or `\`), NUL or control character, or `#` in
 * any percent-decoding layer; local paths and `file:` URIs unless `run_id` is given and the path,
 * symbolic links resolved, lies inside that run's local artifact directory; `mlflow-artifacts:`
 * paths that fail `validateArtifactPath`; malformed `runs:` and `models:` URIs.
 *
 * @param runArtifactUri looks up the artifact URI of the run named by `runId` (local sources only)
 */
export async function validateModelVersionSource(
  source: string,
  runId: string | undefined,
  runArtifactUri: RunArtifactUriLookup,
): Promise<ModelVersionSource> {
  if (typeof source !== "string" || source === "") {
    throw invalidParameter("Missing value for required parameter 'source'.");
  }
  if (source.length > REGISTRY_LIMITS.sourceLength) {
    throw invalidSource(source, `longer than ${REGISTRY_LIMITS.sourceLength} characters`);
  }
  const scheme = schemeOf(source);
  const local = scheme === undefined || scheme === "file";
  checkLayers(source, local);
  if (local) return checkLocalSource(source, runId, runArtifactUri);
  if (scheme === "runs") {
    const match = RUNS_SOURCE.exec(source);
    if (!match?.[1] || !RUN_ID.test(match[1])) throw invalidSource(source, "a runs source reads runs:/<run_id>/<path>");
    return { kind: "run", runId: match[1], path: checkedPath(source, match[2] ?? "") };
  }
  if (scheme === "models") {
    if (!/^models:\/[^/]/i.test(source)) throw invalidSource(source, "a models source reads models:/<name>/<version>");
    return { kind: "model" };
  }
  if (scheme === "mlflow-artifacts") {
    const rest = source.slice("mlflow-artifacts:".length);
    const withoutAuthority = rest.startsWith("//") ? rest.slice(2).replace(/^[^/]*/, "") : rest;
    return { kind: "proxied", path: checkedPath(source, withoutAuthority.replace(/^\/+/, "")) };
  }
  return { kind: "remote", scheme: scheme ?? "" };
}
