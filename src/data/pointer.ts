/**
 * @module data/pointer
 * `.dvc` pointer files (reference/dvc.md §1.1): read any key order DVC 2 or 3 wrote, and write
 * the lines `dvc add` writes (`md5`, `size`, `nfiles`, `isexec`, `hash: md5`, `path`).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";

// The YAML library takes longer to load than `lathe status` takes to run on most repositories, so
// it is loaded only for files the reader below does not cover.
type YamlModule = typeof import("yaml");
let yamlModule: YamlModule | undefined;
function yaml(): YamlModule {
  yamlModule ??= createRequire(import.meta.url)("yaml") as YamlModule;
  return yamlModule;
}

const ENTRY_KEY = /^(- | {2})(md5|size|nfiles|hash|path): (.*)$/;

/**
 * Reads the layout `dvc add` and `lathe add` write — `outs:` then entries of `md5`, `size`,
 * `nfiles`, `isexec`, `hash` and `path` with plain or single-quoted scalars — without the YAML library.
 * Anything else (comments, other keys, other quoting) returns undefined and goes to the full parser.
 */
function readPlainPointer(text: string): Record<string, unknown> | undefined {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines[0] !== "outs:" || lines.length < 2) return undefined;
  const outs: Record<string, unknown>[] = [];
  for (const line of lines.slice(1)) {
    const match = ENTRY_KEY.exec(line);
    if (!match) return undefined;
    const [, lead, key, raw] = match as unknown as [string, string, string, string];
    if (lead === "- ") outs.push({});
    const entry = outs.at(-1);
    if (entry === undefined || key in entry) return undefined;
    if (key === "isexec") {
      if (raw !== "true" && raw !== "false") return undefined;
      entry[key] = raw === "true";
    } else if (key === "size" || key === "nfiles") {
      if (!/^(0|[1-9]\d{0,15})$/.test(raw)) return undefined;
      entry[key] = Number(raw);
    } else if (/^'([^']|'')*'$/.test(raw)) entry[key] = raw.slice(1, -1).replace(/''/g, "'");
    else if (raw !== "" && yamlScalar(raw) === raw) entry[key] = raw;
    else return undefined;
  }
  return { outs };
}

/** One output of a `.dvc` file. */
export interface PointerOut {
  /** Relative to the `.dvc` file's folder, POSIX separators. */
  readonly path: string;
  readonly md5?: string;
  readonly size?: number;
  readonly nfiles?: number;
  /** `"md5"` for DVC 3 entries; absent on legacy (DVC 2) entries. */
  readonly hash?: string;
  /** True when the tracked file is executable (DVC writes the key only then). */
  readonly isexec?: boolean;
  /** Other keys (cache, remote, desc …) kept so a rewrite does not lose them. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A parsed `.dvc` file. */
export interface PointerFile {
  readonly outs: readonly PointerOut[];
  /** Top-level keys other than `outs` (md5, frozen, deps, meta …). */
  readonly extra: Readonly<Record<string, unknown>>;
}

function malformed(file: string, problem: string): LatheError {
  return new LatheError(
    "CONFIG_INVALID",
    `${file} is not a valid .dvc file: ${problem}. Fix it by hand, or delete it and run 'lathe add' on the data again.`,
  );
}

/** Validates parsed YAML into a pointer file; `file` names the source in errors. */
export function parsePointer(text: string, file: string): PointerFile {
  let value: unknown = readPlainPointer(text);
  try {
    value ??= yaml().parse(text, { version: "1.2" });
  } catch (error) {
    throw malformed(file, `YAML does not parse (${error instanceof Error ? error.message.split("\n")[0] : error})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw malformed(file, "the top level must be a mapping with an 'outs' list");
  const { outs, ...extra } = value as Record<string, unknown>;
  if (!Array.isArray(outs) || outs.length === 0) throw malformed(file, "'outs' must be a non-empty list");
  return {
    extra,
    outs: outs.map((item: unknown, index) => {
      if (item === null || typeof item !== "object" || Array.isArray(item))
        throw malformed(file, `outs[${index}] must be a mapping`);
      const { path, md5, size, nfiles, hash, isexec, ...rest } = item as Record<string, unknown>;
      if (typeof path !== "string" || path === "") throw malformed(file, `outs[${index}] needs a 'path' string`);
      if (md5 !== undefined && (typeof md5 !== "string" || !/^[0-9a-f]{32}(\.dir)?$/.test(md5)))
        throw malformed(file, `outs[${index}].md5 must be 32 hex digits, optionally followed by '.dir'`);
      for (const [key, number] of [
        ["size", size],
        ["nfiles", nfiles],
      ] as const)
        if (number !== undefined && (typeof number !== "number" || !Number.isInteger(number) || number < 0))
          throw malformed(file, `outs[${index}].${key} must be a non-negative integer`);
      if (hash !== undefined && hash !== "md5") throw malformed(file, `outs[${index}].hash must be 'md5'`);
      if (isexec !== undefined && typeof isexec !== "boolean")
        throw malformed(file, `outs[${index}].isexec must be true or false`);
      return {
        path,
        md5: md5 as string | undefined,
        size: size as number | undefined,
        nfiles: nfiles as number | undefined,
        hash: hash as string | undefined,
        ...(isexec === true ? { isexec } : {}),
        extra: rest,
      };
    }),
  };
}

/** Reads and validates a `.dvc` file. */
export async function readPointer(file: string): Promise<PointerFile> {
  return parsePointer(await readFile(file, "utf8"), file);
}

/** Plain scalar when ruamel.yaml (unicode allowed) would write one, else single-quoted as it does. */
function yamlScalar(text: string): string {
  const plain =
    /^[^\s'"#&*!|>%@`{}[\],?:-][^#]*$/.test(text) &&
    !/:\s|\s#|\s$|: ?$/.test(text) &&
    !/^(true|false|null|~|yes|no|on|off|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?)$/i.test(text) &&
    !Array.from(text).some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
  return plain ? text : `'${text.replace(/'/g, "''")}'`;
}

/** The exact text `dvc add` writes for one output. */
export function formatPointer(out: PointerRecord): string {
  const lines = ["outs:", `- md5: ${yamlScalar(out.md5)}`, `  size: ${out.size}`];
  if (out.nfiles !== undefined) lines.push(`  nfiles: ${out.nfiles}`);
  if (out.isexec) lines.push("  isexec: true");
  lines.push("  hash: md5", `  path: ${yamlScalar(out.path)}`);
  return `${lines.join("\n")}\n`;
}

/** An output's new hash fields. */
export interface PointerRecord {
  readonly path: string;
  readonly md5: string;
  readonly size: number;
  readonly nfiles?: number;
  /** An executable file (never a directory: a `.dir` manifest records no modes, reference/dvc.md §2.3). */
  readonly isexec?: boolean;
}

/**
 * The text to write for `out`, given the file's current text if any: DVC's fresh layout when the
 * file holds nothing but a plain `outs` entry, else the user's file with only the hash fields
 * updated, so comments and keys such as `desc`, `remote` or `cache` survive (as DVC keeps them).
 */
export function updatePointerText(existing: string | undefined, out: PointerRecord, file: string): string {
  if (existing === undefined) return formatPointer(out);
  const parsed = parsePointer(existing, file);
  const plain =
    Object.keys(parsed.extra).length === 0 &&
    parsed.outs.length === 1 &&
    Object.keys(parsed.outs[0]!.extra).length === 0 &&
    !existing.includes("#");
  if (plain) return formatPointer(out);
  const { isMap, isSeq, parseDocument } = yaml();
  const document = parseDocument(existing, { version: "1.2" });
  const outs = document.get("outs");
  const entry = isSeq(outs) ? outs.items.find((item) => isMap(item) && item.get("path") === out.path) : undefined;
  if (!isMap(entry)) return formatPointer(out);
  entry.set("md5", out.md5);
  entry.set("size", out.size);
  if (out.nfiles === undefined) entry.delete("nfiles");
  else entry.set("nfiles", out.nfiles);
  if (out.isexec) entry.set("isexec", true);
  else entry.delete("isexec");
  entry.set("hash", "md5");
  return document.toString({ indentSeq: false, lineWidth: 0 });
}

/** Writes a `.dvc` file atomically. */
export async function writePointer(file: string, out: PointerRecord): Promise<void> {
  await writeFileAtomic(file, formatPointer(out));
}
