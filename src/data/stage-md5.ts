/**
 * @module data/stage-md5
 * The stage checksum written at the top of imported `.dvc` files (`md5:`): the md5 of the stage's
 * `json.dumps(sort_keys=True)` without its own `md5`, `meta`, `desc`, a `wdir: .`, and the keys DVC
 * strips everywhere (reference/dvc.md §2.4).
 */

import { type PythonJsonValue, pythonJsonDumps } from "../core/python-json.js";
import { md5Hex } from "./hash.js";

const STRIPPED = new Set([
  "desc",
  "type",
  "labels",
  "meta",
  "locked",
  "frozen",
  "metric",
  "persist",
  "isexec",
  "size",
  "nfiles",
]);

/** A parsed `.dvc` stage as plain JSON-like data. */
export type StageOut = { readonly [key: string]: PythonJsonValue };

function strip(value: PythonJsonValue): PythonJsonValue {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== "object") return value;
  const out: { [key: string]: PythonJsonValue } = {};
  for (const [key, item] of Object.entries(value)) if (!STRIPPED.has(key)) out[key] = strip(item);
  return out;
}

/** The stage checksum of a parsed `.dvc` file. */
export function stageMd5(stage: StageOut): string {
  const rest: { [key: string]: PythonJsonValue } = {};
  for (const [key, value] of Object.entries(stage))
    if (key !== "md5" && key !== "meta" && key !== "desc" && !(key === "wdir" && value === ".")) rest[key] = value;
  return md5Hex(pythonJsonDumps(strip(rest)));
}
