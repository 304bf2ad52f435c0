/**
 * @module artifacts/path-safety
 * The one gate every user-supplied artifact path passes before it reaches a file system. Each rule closes a
 * traversal shape from MLflow's CVE history (reference/mlflow.md §7); most of those CVEs were bypasses of the
 * previous fix through a new encoding, so every check runs on every percent-decoding layer of the input.
 */
import type { LatheError } from "../core/errors.js";
import { invalidParameter } from "../core/errors.js";

/** Longest artifact path accepted (Linux PATH_MAX); longer input is refused before any decoding work. */
export const MAX_ARTIFACT_PATH_LENGTH = 4096;

/** Legitimate clients encode once; stacks deeper than this are only ever an attack (CVE-2023-6730, CVE-2024-1560). */
const MAX_DECODE_ROUNDS = 8;

const DRIVE_LETTER = /^[A-Za-z]:/;
const FILE_SCHEME = /^file:/i;

/** True for C0/C1 control characters, including NUL (`%00` truncation tricks). */
export function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * True for a segment that is, or that some platform treats as, a parent reference: `..`, and runs of dots with
 * optional surrounding blanks (`...`, `.. `), which Windows trims back to `..`. Names such as `a..b` are fine.
 */
export function isTraversalSegment(segment: string): boolean {
  const trimmed = segment.trim();
  return trimmed.length >= 2 && /^\.+$/.test(trimmed);
}

/**
 * Percent-decodes `text` until it stops changing and returns every layer (the input first), plus the NFKC form of
 * each layer, which folds full-width look-alikes such as `．．／` into the ASCII they stand for on some platforms.
 * A malformed sequence or a lone surrogate throws `reject(...)` instead of guessing what the client meant.
 */
export function decodeLayers(text: string, reject: (reason: string) => LatheError): string[] {
  const layers = [text];
  let current = text;
  for (let round = 0; ; round++) {
    let next: string;
    try {
      encodeURIComponent(current); // throws on lone surrogates, which file systems would silently replace
      next = decodeURIComponent(current);
    } catch {
      throw reject("malformed percent-encoding or unicode");
    }
    if (next === current) break;
    if (round >= MAX_DECODE_ROUNDS) throw reject("too many layers of percent-encoding");
    layers.push(next);
    current = next;
  }
  const folded = layers.map((layer) => layer.normalize("NFKC")).filter((layer) => !layers.includes(layer));
  return [...layers, ...folded];
}

function invalidPath(reason: string): LatheError {
  return invalidParameter(`Invalid path: ${reason}`);
}

/** Drops a `file:` scheme so the rest is checked as a path; anything after it that is absolute leaves the root. */
function stripFileScheme(text: string): string {
  if (!FILE_SCHEME.test(text)) return text;
  const rest = text.slice("file:".length);
  if (rest.startsWith("/")) throw invalidPath("file: URIs may not point outside the artifact root");
  return rest;
}

function checkLayer(layer: string): void {
  if (hasControlChar(layer)) throw invalidPath("control characters are not allowed");
  // Backslash is a separator on Windows: `\..\..\` (CVE-2023-2780, CVE-2023-6753).
  if (layer.includes("\\")) throw invalidPath("backslashes are not allowed");
  // A fragment splits what is validated from what is used (CVE-2023-6909, CVE-2024-1594).
  if (layer.includes("#")) throw invalidPath("'#' is not allowed");
  // Path parameters smuggle traversal past URL parsers: `x;/../../` (CVE-2024-1593).
  if (layer.includes(";")) throw invalidPath("';' is not allowed");
  // The HTTP layer already split off the query, so a '?' here was encoded on purpose: `?x=/../`.
  if (layer.includes("?")) throw invalidPath("'?' is not allowed");
  const body = stripFileScheme(layer);
  // Absolute paths ignore the root entirely (CVE-2023-3765, CVE-2023-1177).
  if (body.startsWith("/")) throw invalidPath("absolute paths are not allowed");
  if (DRIVE_LETTER.test(body)) throw invalidPath("drive letters are not allowed");
  // `../` escapes the root for reads, writes and deletes (CVE-2023-6015, CVE-2023-6831, CVE-2024-1560).
  if (body.split("/").some(isTraversalSegment)) throw invalidPath("'..' segments are not allowed");
}

/**
 * Validates a user-supplied relative artifact path (already URL-decoded once by the HTTP layer) and returns its
 * normalised POSIX form: empty and `.` segments removed, no leading or trailing slash, `""` for the root.
 * Percent-sequences that remain are kept literally (they are part of the file name), but every decoding layer must
 * pass the checks too, so a later decode anywhere cannot turn the result into traversal.
 *
 * @throws LatheError INVALID_PARAMETER_VALUE `"Invalid path: <reason>"`.
 */
export function validateArtifactPath(path: string): string {
  if (typeof path !== "string") throw invalidPath("path must be a string");
  if (path.length > MAX_ARTIFACT_PATH_LENGTH) throw invalidPath(`longer than ${MAX_ARTIFACT_PATH_LENGTH} characters`);
  for (const layer of decodeLayers(path, invalidPath)) checkLayer(layer);
  return stripFileScheme(path)
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
}
