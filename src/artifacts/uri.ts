/**
 * @module artifacts/uri
 * Artifact URIs: opening the repository behind one (local path, `file:`, `s3:`, `mlflow-artifacts:`), and validating
 * the `artifact_location` a client asks an experiment to use. Client-chosen locations were the entry point of a
 * long series of MLflow traversal CVEs (reference/mlflow.md §7), hence the strict, decode-everything checks.
 */
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { invalidParameter, LatheError } from "../core/errors.js";
import { LocalArtifactRepository } from "./local.js";
import { decodeLayers, hasControlChar, isTraversalSegment, validateArtifactPath } from "./path-safety.js";
import type { ArtifactRepository } from "./repository.js";
import { parseS3ArtifactUri, S3ArtifactRepository } from "./s3.js";
import { ScopedArtifactRepository } from "./scoped.js";

/** Where `mlflow-artifacts:` URIs are stored. */
export interface ArtifactStoreOptions {
  /**
   * What is behind mlflow-artifacts:/ (the server's --artifacts-destination): an absolute folder or an
   * `s3://bucket/prefix` URI, as `resolveArtifactsDestination` returns it.
   */
  artifactsDestination: string;
}

/** Options of `validateArtifactLocation`. */
export interface ArtifactLocationOptions {
  /** Longest accepted location; default 4096 (MLflow caps it too since CVE-2024-6838). */
  maxLength?: number;
}

/** Default cap on an experiment's artifact_location length. */
export const DEFAULT_MAX_ARTIFACT_LOCATION_LENGTH = 4096;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const PROXY_SCHEME = "mlflow-artifacts:";

/** Lower-cased scheme of `uri`, or undefined for a bare path; a one-letter "scheme" is a Windows drive. */
function schemeOf(uri: string): string | undefined {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  return scheme !== undefined && scheme.length > 1 ? scheme : undefined;
}

function fileUriToPath(uri: string, fail: (reason: string) => LatheError): string {
  if (uri.includes("?") || uri.includes("#")) throw fail("file: URIs may not carry a query or fragment");
  try {
    return fileURLToPath(new URL(uri));
  } catch {
    throw fail("not a valid local file: URI");
  }
}

function invalidUri(reason: string): LatheError {
  return invalidParameter(`Invalid artifact URI: ${reason}`);
}

/**
 * Checks the server's `--artifacts-destination` and puts it in the form `openArtifactsDestination` takes: an
 * `s3://bucket/prefix` URI is kept, a folder (or `file:` URI) becomes an absolute path.
 *
 * @throws LatheError CONFIG_INVALID for another scheme or a malformed S3 URI
 */
export function resolveArtifactsDestination(destination: string, cwd: string = process.cwd()): string {
  const fail = (reason: string) =>
    new LatheError(
      "CONFIG_INVALID",
      `--artifacts-destination '${destination.slice(0, 200)}' ${reason}; give a folder or s3://<bucket>/<prefix>`,
    );
  const scheme = schemeOf(destination);
  if (scheme === undefined) return resolve(cwd, destination);
  if (scheme === "file") return fileUriToPath(destination, (reason) => fail(`is not usable: ${reason}`));
  if (scheme !== "s3") throw fail(`uses scheme '${scheme}:', which Lathe cannot store artifacts in`);
  try {
    parseS3ArtifactUri(destination);
  } catch (error) {
    throw error instanceof LatheError ? fail(`is not usable: ${error.message}`) : error;
  }
  return destination;
}

/** The repository behind `mlflow-artifacts:/`: an S3 prefix or a local folder, as `resolveArtifactsDestination` gave. */
export function openArtifactsDestination(destination: string, rootUri: string): ArtifactRepository {
  return schemeOf(destination) === "s3"
    ? new S3ArtifactRepository(destination, {}, rootUri)
    : new LocalArtifactRepository(destination, rootUri);
}

/**
 * Opens the repository for an artifact URI: a plain local path, `file:///abs/path`, `file:/abs`,
 * `s3://bucket/prefix` (credentials and endpoint from the AWS_* environment and `MLFLOW_S3_ENDPOINT_URL`), or
 * `mlflow-artifacts:/<rel>` / `mlflow-artifacts://host:port/<rel>`, resolved under `options.artifactsDestination`
 * (the authority names the proxying tracking server, which is us, so it is ignored).
 *
 * @throws LatheError NOT_IMPLEMENTED for other schemes (`gs:`, `http:`, ...); INVALID_PARAMETER_VALUE for a
 *   malformed URI or a path (or S3 prefix) that fails `validateArtifactPath`.
 */
export function openArtifactRepository(uri: string, options: ArtifactStoreOptions): ArtifactRepository {
  if (typeof uri !== "string" || uri === "") throw invalidUri("must be a non-empty string");
  const scheme = schemeOf(uri);
  if (scheme === undefined) return new LocalArtifactRepository(resolve(uri), uri);
  if (scheme === "file") return new LocalArtifactRepository(fileUriToPath(uri, invalidUri), uri);
  if (scheme === "s3") return new S3ArtifactRepository(uri);
  if (scheme !== "mlflow-artifacts") {
    throw new LatheError("NOT_IMPLEMENTED", `Artifact URIs with scheme '${scheme}:' are not supported yet`);
  }
  const rest = uri.slice(PROXY_SCHEME.length);
  const withoutAuthority = rest.startsWith("//") ? rest.slice(2).replace(/^[^/]*/, "") : rest;
  const rel = validateArtifactPath(withoutAuthority.replace(/^\/+/, ""));
  const destination = openArtifactsDestination(options.artifactsDestination, uri);
  return rel === "" ? destination : new ScopedArtifactRepository(destination, rel, uri);
}

function invalidLocation(reason: string): LatheError {
  return invalidParameter(`Invalid artifact location: ${reason}`);
}

function checkLocationLayer(layer: string): void {
  if (hasControlChar(layer)) throw invalidLocation("control characters are not allowed");
  // A run's artifacts cannot be the root of an experiment's; models: is the same indirection one level up.
  if (/^\s*(runs|models):/i.test(layer)) throw invalidLocation("'runs:' and 'models:' URIs are not allowed");
  // Fragments split validation from use (CVE-2023-6909, CVE-2024-1594, CVE-2024-2928, CVE-2024-3848).
  if (layer.includes("#")) throw invalidLocation("URL fragments ('#') are not allowed");
  if (layer.includes("?")) throw invalidLocation("query parameters ('?') are not allowed");
  // Path parameters hide traversal from URL parsers (CVE-2024-1593).
  if (layer.includes(";")) throw invalidLocation("path parameters (';') are not allowed");
  // Both separators: `\..\` escapes on Windows and in file: URIs (CVE-2023-2356, CVE-2023-2780, CVE-2024-1483).
  if (layer.split(/[/\\]/).some(isTraversalSegment)) throw invalidLocation("'..' segments are not allowed");
}

/**
 * Validates an experiment `artifact_location` supplied by a client and returns it normalised. Refused: `runs:`
 * (and `models:`) URIs, `#` fragments, `?` query and `;` path parameters, `..` segments in any percent-decoding
 * layer, NUL and other control characters, malformed %-encoding, and more than `maxLength` characters.
 * A bare local path becomes an absolute `file://` URI and `file:` URIs are put in `file:///abs` form; other
 * schemes are returned unchanged. Callers treat an absent/empty location as "use the default" before calling.
 *
 * @throws LatheError INVALID_PARAMETER_VALUE `"Invalid artifact location: <reason>"`.
 */
export function validateArtifactLocation(uri: string, options: ArtifactLocationOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_ARTIFACT_LOCATION_LENGTH;
  if (typeof uri !== "string" || uri === "") throw invalidLocation("must be a non-empty string");
  // Unbounded locations were a storage/UI DoS (CVE-2024-6838).
  if (uri.length > maxLength) throw invalidLocation(`longer than ${maxLength} characters`);
  for (const layer of decodeLayers(uri, invalidLocation)) checkLocationLayer(layer);
  const scheme = schemeOf(uri);
  if (scheme === undefined) return pathToFileURL(resolve(uri)).href;
  if (scheme === "file") return pathToFileURL(fileUriToPath(uri, invalidLocation)).href;
  return uri;
}
