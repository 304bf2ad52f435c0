/**
 * @module pipeline/exp-params
 * `exp run -S` parameter changes: `[file:]key=value` sets an existing key, `+key=value` adds a new
 * one, `++key=value` sets or adds, `~key` removes (the override forms DVC accepts). The file
 * defaults to `params.yaml`. YAML files are edited in place through the YAML document model, so
 * comments, key order and untouched values keep their formatting; JSON files are rewritten with
 * two-space indentation.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isSeq, parseDocument } from "yaml";
import { LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import { formatOf } from "./metrics/formats.js";

/** How a change applies. */
export type ParamChangeMode = "set" | "add" | "upsert" | "remove";

/** One parsed `-S` argument. */
export interface ParamChange {
  file: string;
  key: string;
  mode: ParamChangeMode;
  /** The value, parsed as a YAML scalar or flow collection (`0.1`, `true`, `[1, 2]`); absent for `remove`. */
  value?: unknown;
  /** The argument as given. */
  spec: string;
}

function badSpec(spec: string, problem: string): LatheError {
  return new LatheError(
    "INVALID_PARAMETER_VALUE",
    `-S '${spec}': ${problem}. Write [file:]key=value (e.g. -S train.lr=0.01 or -S params.yaml:train.lr=0.01); +key=value adds a key, ~key removes one.`,
  );
}

/** Parses `[file:][+|++|~]key[=value]`. */
export function parseParamChange(spec: string): ParamChange {
  const equals = spec.indexOf("=");
  const left = equals < 0 ? spec : spec.slice(0, equals);
  const colon = left.lastIndexOf(":");
  const file = colon < 0 ? "params.yaml" : left.slice(0, colon);
  let key = colon < 0 ? left : left.slice(colon + 1);
  let mode: ParamChangeMode = "set";
  if (key.startsWith("++")) [mode, key] = ["upsert", key.slice(2)];
  else if (key.startsWith("+")) [mode, key] = ["add", key.slice(1)];
  else if (key.startsWith("~")) [mode, key] = ["remove", key.slice(1)];
  if (file === "") throw badSpec(spec, "the file name before ':' is empty");
  if (!/^[^.\s][^\s]*$/.test(key) || key.endsWith(".") || key.includes(".."))
    throw badSpec(spec, `'${key}' is not a dotted key`);
  if (mode === "remove") {
    if (equals >= 0) throw badSpec(spec, "~key removes a key and takes no value");
    return { file, key, mode, spec };
  }
  if (equals < 0) throw badSpec(spec, "there is no '=value'");
  const text = spec.slice(equals + 1);
  let value: unknown;
  try {
    value = text.trim() === "" ? "" : parseDocument(text, { version: "1.2" }).toJS();
  } catch {
    value = text;
  }
  return { file, key, mode, value, spec };
}

function pathOf(document: ReturnType<typeof parseDocument>, key: string): (string | number)[] {
  const path: (string | number)[] = [];
  for (const part of key.split(".")) {
    const parent = path.length === 0 ? document.contents : document.getIn(path, true);
    path.push(isSeq(parent) && /^\d+$/.test(part) ? Number(part) : part);
  }
  return path;
}

function applyToYaml(text: string, file: string, changes: readonly ParamChange[]): string {
  const document = parseDocument(text, { version: "1.2" });
  if (document.errors.length > 0)
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `'${file}' is not valid YAML: ${document.errors[0]!.message.split("\n")[0]}. Fix it before changing parameters.`,
    );
  for (const change of changes) {
    const path = pathOf(document, change.key);
    const present = document.hasIn(path);
    if (change.mode === "set" && !present)
      throw new LatheError(
        "INVALID_PARAMETER_VALUE",
        `-S '${change.spec}': '${change.key}' is not in ${file}. Check the key, or add it with -S '${file}:+${change.key}=…'.`,
      );
    if (change.mode === "add" && present)
      throw new LatheError(
        "INVALID_PARAMETER_VALUE",
        `-S '${change.spec}': '${change.key}' is already in ${file}. Set it with -S '${file}:${change.key}=…' instead.`,
      );
    if (change.mode === "remove") {
      if (!present)
        throw new LatheError("INVALID_PARAMETER_VALUE", `-S '${change.spec}': '${change.key}' is not in ${file}.`);
      document.deleteIn(path);
    } else document.setIn(path, change.value);
  }
  return document.toString();
}

function applyToJson(text: string, file: string, changes: readonly ParamChange[]): string {
  // The YAML model reads JSON too; writing it back as JSON keeps the file's format.
  const yaml = applyToYaml(text, file, changes);
  return `${JSON.stringify(parseDocument(yaml, { version: "1.2" }).toJS(), null, 2)}\n`;
}

/** Applies `changes` to their files under `root`; a missing YAML file is created for `+`/`++` keys. */
export async function applyParamChanges(root: string, changes: readonly ParamChange[]): Promise<string[]> {
  const byFile = new Map<string, ParamChange[]>();
  for (const change of changes) byFile.set(change.file, [...(byFile.get(change.file) ?? []), change]);
  // Every file is edited in memory first, so one bad change leaves all files untouched.
  const edited: [string, string][] = [];
  for (const [file, fileChanges] of byFile) {
    const format = formatOf(file);
    if (format !== "yaml" && format !== "json")
      throw new LatheError(
        "INVALID_PARAMETER_VALUE",
        `-S cannot edit '${file}': only YAML and JSON params files can be changed. Move these parameters to params.yaml.`,
      );
    const absolute = join(root, ...file.split("/"));
    let text: string;
    try {
      text = await readFile(absolute, "utf8");
    } catch {
      if (fileChanges.some((change) => change.mode === "set" || change.mode === "remove"))
        throw new LatheError(
          "RESOURCE_DOES_NOT_EXIST",
          `-S '${fileChanges[0]!.spec}': '${file}' does not exist. Check the file name, or create it with +key=value.`,
        );
      text = format === "json" ? "{}" : "";
    }
    edited.push([
      absolute,
      format === "json" ? applyToJson(text, file, fileChanges) : applyToYaml(text, file, fileChanges),
    ]);
  }
  for (const [absolute, text] of edited) await writeFileAtomic(absolute, text);
  return [...byFile.keys()];
}
