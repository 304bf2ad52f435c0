/**
 * @module pipeline/stage-schema
 * Validates one resolved stage definition into a {@link Stage} (reference/dvc.md §1.2): `cmd`,
 * `wdir`, `deps`, `params`, `outs`, `metrics`, `plots`, `frozen`, `always_changed`, `desc`, `meta`.
 */
import { posix } from "node:path";
import type { OutputDef, ParamDep, PlotDef, Stage } from "./types.js";
import { repoPath } from "./types.js";
import type { YamlFile, YamlPath } from "./yaml-doc.js";

const STAGE_KEYS = [
  "cmd",
  "wdir",
  "deps",
  "params",
  "outs",
  "metrics",
  "plots",
  "frozen",
  "always_changed",
  "desc",
  "meta",
] as const;
const OUT_OPTIONS = new Set(["cache", "persist", "remote", "push", "desc", "type", "labels", "meta", "checkpoint"]);
const PLOT_OPTIONS = new Set([...OUT_OPTIONS, "template", "x", "y", "x_label", "y_label", "title", "header"]);

/** Finds the line of a stage field, for later errors (missing dependency …). */
export interface StageLines {
  line(field?: string, index?: number): number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkPath(yaml: YamlFile, path: YamlPath, value: string, what: string): string {
  if (value.trim() === "") throw yaml.error(path, `${what} path is empty`, "Give a path relative to the stage's wdir.");
  if (posix.isAbsolute(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    throw yaml.error(
      path,
      `${what} '${value}' is not a local relative path`,
      "Only paths inside the repository are supported; use a path relative to the stage's wdir.",
    );
  return value;
}

function outputs(yaml: YamlFile, value: unknown, path: YamlPath, kind: "outs" | "metrics" | "plots") {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw yaml.error(path, `'${kind}' must be a list`, `Write one '- path' (or '- path: {options}') per line.`);
  const allowed = kind === "plots" ? PLOT_OPTIONS : OUT_OPTIONS;
  return value.map((entry, index) => {
    const at = [...path, index];
    if (typeof entry === "string") return { path: checkPath(yaml, at, entry, kind), options: {} };
    if (!isPlainObject(entry) || Object.keys(entry).length !== 1)
      throw yaml.error(at, `a '${kind}' entry must be a path or '{path: {options}}'`, "Fix the entry.");
    const [name, options] = Object.entries(entry)[0]!;
    if (options !== null && !isPlainObject(options))
      throw yaml.error([...at, name], `options of '${name}' must be a mapping`, "Write e.g. '- path: {cache: false}'.");
    const record = options ?? {};
    for (const [key, option] of Object.entries(record)) {
      if (!allowed.has(key))
        throw yaml.error(
          [...at, name, key],
          `unknown option '${key}' of '${name}'`,
          `Use only ${[...allowed].join(", ")}.`,
        );
      if ((key === "cache" || key === "persist" || key === "push" || key === "header") && typeof option !== "boolean")
        throw yaml.error([...at, name, key], `'${key}' of '${name}' must be true or false`, `Write '${key}: true'.`);
    }
    return { path: checkPath(yaml, [...at, name], name, kind), options: record };
  });
}

function toOutput(entry: { path: string; options: Record<string, unknown> }): OutputDef {
  const { options } = entry;
  const out: OutputDef = {
    path: entry.path,
    cache: options.cache === undefined ? true : options.cache === true,
    persist: options.persist === true,
  };
  if (typeof options.remote === "string") out.remote = options.remote;
  if (typeof options.push === "boolean") out.push = options.push;
  if (typeof options.desc === "string") out.desc = options.desc;
  if (typeof options.type === "string") out.type = options.type;
  if (Array.isArray(options.labels)) out.labels = options.labels.map(String);
  if (options.meta !== undefined) out.meta = options.meta;
  return out;
}

function toPlot(entry: { path: string; options: Record<string, unknown> }): PlotDef {
  const { options } = entry;
  const plot: PlotDef = { path: entry.path, cache: options.cache !== false, persist: options.persist === true };
  for (const key of ["template", "x_label", "y_label", "title", "desc"] as const)
    if (typeof options[key] === "string") plot[key] = options[key] as string;
  if (options.x !== undefined) plot.x = options.x as PlotDef["x"];
  if (options.y !== undefined) plot.y = options.y as PlotDef["y"];
  if (typeof options.header === "boolean") plot.header = options.header;
  return plot;
}

function params(yaml: YamlFile, value: unknown, path: YamlPath): ParamDep[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw yaml.error(path, "'params' must be a list", "Write '- key' for params.yaml or '- file.yaml: [keys]'.");
  const byFile = new Map<string, ParamDep>();
  const add = (file: string, keys: string[] | "all") => {
    const known = byFile.get(file);
    if (!known) byFile.set(file, { file, keys: keys === "all" ? "all" : [...keys] });
    else if (keys === "all" || known.keys === "all") known.keys = "all";
    else for (const key of keys) if (!known.keys.includes(key)) known.keys.push(key);
  };
  value.forEach((entry, index) => {
    const at = [...path, index];
    if (typeof entry === "string") {
      if (entry === "") throw yaml.error(at, "a params key is empty", "Name a key of params.yaml, e.g. 'train.lr'.");
      add("params.yaml", [entry]);
    } else if (isPlainObject(entry)) {
      for (const [file, keys] of Object.entries(entry)) {
        checkPath(yaml, [...at, file], file, "params file");
        if (keys === null || (Array.isArray(keys) && keys.length === 0)) add(file, "all");
        else if (Array.isArray(keys) && keys.every((key) => typeof key === "string" && key !== "")) add(file, keys);
        else
          throw yaml.error(
            [...at, file],
            `keys of params file '${file}' must be a list of names`,
            `Write '- ${file}: [key1, key2]', or '- ${file}:' to track the whole file.`,
          );
      }
    } else throw yaml.error(at, "a params entry must be a key or '{file: [keys]}'", "Fix the entry.");
  });
  return [...byFile.values()];
}

function optionalBoolean(yaml: YamlFile, value: unknown, path: YamlPath, key: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw yaml.error(path, `'${key}' must be true or false`, `Write '${key}: true'.`);
  return value;
}

/** Builds a stage from its resolved definition at `path` in a `dvc.yaml` in folder `dir`. */
export function buildStage(
  yaml: YamlFile,
  name: string,
  definition: Record<string, unknown>,
  path: YamlPath,
  dir: string,
): { stage: Stage; lines: StageLines } {
  for (const key of Object.keys(definition))
    if (!(STAGE_KEYS as readonly string[]).includes(key))
      throw yaml.error(
        [...path, key],
        `unknown key '${key}' in stage '${name}'`,
        `Use only ${STAGE_KEYS.join(", ")} (and 'foreach'/'do' or 'matrix', 'vars').`,
      );
  const cmd = definition.cmd;
  let commands: string[];
  if (typeof cmd === "string" && cmd.trim() !== "") commands = [cmd];
  else if (Array.isArray(cmd) && cmd.length > 0 && cmd.every((item) => typeof item === "string" && item.trim() !== ""))
    commands = cmd as string[];
  else
    throw yaml.error(
      cmd === undefined ? path : [...path, "cmd"],
      `stage '${name}' needs a 'cmd': a command string or a non-empty list of them`,
      "Add e.g. 'cmd: python train.py'.",
    );
  const wdirValue = definition.wdir ?? ".";
  if (typeof wdirValue !== "string")
    throw yaml.error([...path, "wdir"], "'wdir' must be a path", "Give a folder relative to the dvc.yaml.");
  const wdir = repoPath(dir, checkPath(yaml, [...path, "wdir"], wdirValue, "wdir"));
  if (wdir === ".." || wdir.startsWith("../"))
    throw yaml.error([...path, "wdir"], `wdir '${wdirValue}' leaves the repository`, "Use a folder inside it.");
  const depsValue = definition.deps ?? [];
  if (!Array.isArray(depsValue) || depsValue.some((dep) => typeof dep !== "string"))
    throw yaml.error([...path, "deps"], "'deps' must be a list of paths", "Write one '- path' per line.");
  const deps = (depsValue as string[]).map((dep, index) =>
    checkPath(yaml, [...path, "deps", index], dep, "dependency"),
  );
  if (definition.desc !== undefined && typeof definition.desc !== "string")
    throw yaml.error([...path, "desc"], "'desc' must be a string", "Quote the description.");
  const stage: Stage = {
    name,
    file: yaml.file,
    wdir,
    cmd: commands,
    cmdText: typeof cmd === "string" ? cmd : commands,
    deps,
    outs: outputs(yaml, definition.outs, [...path, "outs"], "outs").map(toOutput),
    metrics: outputs(yaml, definition.metrics, [...path, "metrics"], "metrics").map(toOutput),
    plots: outputs(yaml, definition.plots, [...path, "plots"], "plots").map(toPlot),
    params: params(yaml, definition.params, [...path, "params"]),
    frozen: optionalBoolean(yaml, definition.frozen, [...path, "frozen"], "frozen"),
    alwaysChanged: optionalBoolean(yaml, definition.always_changed, [...path, "always_changed"], "always_changed"),
  };
  if (typeof definition.desc === "string") stage.desc = definition.desc;
  if (definition.meta !== undefined) stage.meta = definition.meta;
  const lines: StageLines = {
    line: (field, index) =>
      yaml.lineOf(field === undefined ? path : index === undefined ? [...path, field] : [...path, field, index]),
  };
  return { stage, lines };
}
