/**
 * @module pipeline/parse
 * Reads `dvc.yaml` files into {@link Pipeline}s (reference/dvc.md §1.2–1.3): validates every key,
 * builds the template context (`params.yaml` beside the file, then `vars`), resolves `${…}`,
 * expands `foreach` and `matrix`, and reports any mistake as `file:line: problem. fix`.
 */
import { posix } from "node:path";
import { LatheError } from "../core/errors.js";
import { buildStage, type StageLines } from "./stage-schema.js";
import { readParamsFile } from "./structured-file.js";
import { type Context, hasTemplate, interpolate, mergeContext, TemplateError } from "./template.js";
import type { FileSource, LoadOptions, Pipeline, PlotDef, Stage } from "./types.js";
import { pythonStr } from "./values.js";
import { YamlFile, type YamlPath } from "./yaml-doc.js";

const TOP_KEYS = new Set(["stages", "vars", "params", "metrics", "plots", "artifacts", "datasets"]);
const GENERATOR_KEYS = new Set(["foreach", "do", "matrix"]);

const lineTable = new WeakMap<Stage, StageLines>();

/**
 * Where a stage (or one of its fields) is written, for error messages: `dvc.yaml:12`. `field` is
 * a stage key such as `deps`; `index` an item of it.
 */
export function stageLocation(stage: Stage, field?: string, index?: number): string {
  const lines = lineTable.get(stage);
  if (!lines) return stage.file;
  return `${stage.file}:${lines.line(field, index)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Resolves every `${…}` in a parsed value; `path` locates it for errors. */
function resolveValue(yaml: YamlFile, value: unknown, context: Context, path: YamlPath, inCommand: boolean): unknown {
  try {
    if (typeof value === "string") return interpolate(value, context, inCommand);
  } catch (error) {
    if (error instanceof TemplateError)
      throw yaml.error(
        path,
        `cannot resolve '${value}': ${error.message}`,
        "Define the name in params.yaml or 'vars', or escape a literal as '\\${'.",
      );
    throw error;
  }
  if (Array.isArray(value))
    return value.map((item, index) => resolveValue(yaml, item, context, [...path, index], inCommand));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolvedKey = hasTemplate(key) ? pythonStr(resolveValue(yaml, key, context, path, false)) : key;
      out[resolvedKey] = resolveValue(yaml, item, context, [...path, key], inCommand || key === "cmd");
    }
    return out;
  }
  return value;
}

interface FileContext {
  yaml: YamlFile;
  dir: string;
  source: FileSource;
  /** Files already merged whole into the file's context (listing one again is a no-op, as in DVC). */
  imported: Set<string>;
}

/** Adds a `vars` list (files, `file:k1,k2`, or inline mappings) to `context`. */
async function addVars(file: FileContext, vars: unknown, path: YamlPath, context: Context, base: string) {
  if (vars === undefined || vars === null) return;
  if (!Array.isArray(vars))
    throw file.yaml.error(path, "'vars' must be a list", "Write each entry as '- file.yaml' or '- {name: value}'.");
  for (const [index, entry] of vars.entries()) {
    const at = [...path, index];
    try {
      if (isPlainObject(entry)) {
        mergeContext(context, entry, `vars[${index}]`);
        continue;
      }
      if (typeof entry !== "string")
        throw file.yaml.error(
          at,
          "a 'vars' entry must be a file name or a mapping",
          "Use '- params.yaml' or '- {k: v}'.",
        );
      const colon = entry.lastIndexOf(":");
      const name = colon > 0 ? entry.slice(0, colon) : entry;
      const keys =
        colon > 0
          ? entry
              .slice(colon + 1)
              .split(",")
              .filter((key) => key !== "")
          : undefined;
      const relpath = posix.normalize(posix.join(base, name));
      if (!keys && file.imported.has(relpath)) continue;
      const values = await readParamsFile(file.source, relpath);
      if (values === undefined)
        throw file.yaml.error(
          at,
          `vars file '${name}' does not exist (looked for ${relpath})`,
          "Create it or fix the name.",
        );
      const picked: Record<string, unknown> = {};
      if (keys)
        for (const key of keys) {
          if (!Object.hasOwn(values, key))
            throw file.yaml.error(
              at,
              `'${key}' is not in ${relpath}`,
              "Add the key to the file or drop it from 'vars'.",
            );
          picked[key] = values[key];
        }
      mergeContext(context, keys ? picked : values, relpath);
      if (!keys) file.imported.add(relpath);
    } catch (error) {
      if (error instanceof TemplateError)
        throw file.yaml.error(at, error.message, "Rename one of the variables or remove the duplicate.");
      if (error instanceof LatheError && !error.message.startsWith(file.yaml.file))
        throw file.yaml.error(at, error.message.replace(/\.$/, ""), "Fix that file.");
      throw error;
    }
  }
}

/** Python-`str` of a generated stage's key part, as DVC names `stage@key`. */
function keyPart(value: unknown): string {
  return pythonStr(value);
}

interface Generated {
  name: string;
  definition: Record<string, unknown>;
  context: Context;
  path: YamlPath;
}

function expandForeach(file: FileContext, name: string, raw: Record<string, unknown>, context: Context): Generated[] {
  const path: YamlPath = ["stages", name];
  for (const key of Object.keys(raw))
    if (key !== "foreach" && key !== "do")
      throw file.yaml.error([...path, key], `'${key}' cannot sit beside 'foreach'`, "Move it inside 'do:'.");
  const items = resolveValue(file.yaml, raw.foreach, context, [...path, "foreach"], false);
  const template = raw.do;
  if (!isPlainObject(template))
    throw file.yaml.error(
      path,
      `stage '${name}' has 'foreach' but no 'do' mapping`,
      "Add 'do:' with the stage template.",
    );
  const entries: [string, unknown, string | undefined][] = [];
  if (Array.isArray(items)) {
    const scalars = items.every((item) => item === null || typeof item !== "object");
    items.forEach((item, index) => {
      entries.push([scalars ? keyPart(item) : String(index), item, undefined]);
    });
  } else if (isPlainObject(items)) for (const [key, item] of Object.entries(items)) entries.push([key, item, key]);
  else
    throw file.yaml.error(
      [...path, "foreach"],
      `'foreach' of stage '${name}' must be a list or a mapping`,
      "Give a list, a mapping, or a reference to one such as '$\u007Bmodels\u007D'.",
    );
  return entries.map(([key, item, dictKey]) => {
    const local: Context = { ...context, item };
    if (dictKey !== undefined) local.key = dictKey;
    return { name: `${name}@${key}`, definition: template, context: local, path: [...path, "do"] };
  });
}

function expandMatrix(file: FileContext, name: string, raw: Record<string, unknown>, context: Context): Generated[] {
  const path: YamlPath = ["stages", name];
  const matrix = raw.matrix;
  if (!isPlainObject(matrix) || Object.keys(matrix).length === 0)
    throw file.yaml.error(
      [...path, "matrix"],
      "'matrix' must be a mapping of names to lists",
      "Write 'matrix: {a: [1, 2]}'.",
    );
  const dimensions: [string, unknown[]][] = [];
  for (const [dimension, values] of Object.entries(matrix)) {
    const resolved = resolveValue(file.yaml, values, context, [...path, "matrix", dimension], false);
    if (!Array.isArray(resolved) || resolved.length === 0)
      throw file.yaml.error(
        [...path, "matrix", dimension],
        `matrix entry '${dimension}' must be a non-empty list`,
        "Give a list of values, or a reference to one such as '$\u007Bvalues\u007D'.",
      );
    dimensions.push([dimension, resolved]);
  }
  const { matrix: _matrix, ...template } = raw;
  let combos: { item: Record<string, unknown>; parts: string[] }[] = [{ item: {}, parts: [] }];
  for (const [dimension, values] of dimensions)
    combos = combos.flatMap((combo) =>
      values.map((value, index) => ({
        item: { ...combo.item, [dimension]: value },
        parts: [...combo.parts, value !== null && typeof value === "object" ? `${dimension}${index}` : keyPart(value)],
      })),
    );
  return combos.map((combo) => {
    const key = combo.parts.join("-");
    return { name: `${name}@${key}`, definition: template, context: { ...context, item: combo.item, key }, path };
  });
}

function resolveTopPlots(file: FileContext, plots: unknown, context: Context): PlotDef[] {
  if (plots === undefined || plots === null) return [];
  const resolved = resolveValue(file.yaml, plots, context, ["plots"], false);
  if (!Array.isArray(resolved))
    throw file.yaml.error(
      ["plots"],
      "top-level 'plots' must be a list",
      "Write '- path' or '- id: {x: …, y: …}' items.",
    );
  return resolved.map((entry, index) => {
    if (typeof entry === "string") return { path: entry };
    if (isPlainObject(entry) && Object.keys(entry).length === 1) {
      const [id, options] = Object.entries(entry)[0]!;
      if (options !== null && !isPlainObject(options))
        throw file.yaml.error(["plots", index, id], `plot '${id}' options must be a mapping`, "Write '{x: …, y: …}'.");
      const allowed = new Set(["x", "y", "template", "x_label", "y_label", "title", "header"]);
      for (const key of Object.keys(options ?? {}))
        if (!allowed.has(key))
          throw file.yaml.error(
            ["plots", index, id, key],
            `unknown plot option '${key}'`,
            `Use only ${[...allowed].join(", ")}.`,
          );
      const plot: PlotDef = { id, ...(options as Partial<PlotDef>) };
      // An id with no y naming files is itself the data file.
      if (!isPlainObject(plot.y)) plot.path = id;
      return plot;
    }
    throw file.yaml.error(["plots", index], "a plot must be a path or a single '{id: {...}}'", "Fix the entry.");
  });
}

function stringList(file: FileContext, value: unknown, key: string, context: Context): string[] {
  if (value === undefined || value === null) return [];
  const resolved = resolveValue(file.yaml, value, context, [key], false);
  if (!Array.isArray(resolved) || resolved.some((item) => typeof item !== "string"))
    throw file.yaml.error([key], `top-level '${key}' must be a list of paths`, "Write one '- path' per line.");
  return resolved as string[];
}

/** Parses one `dvc.yaml` text; `file` is its repository-relative path. */
export async function parsePipeline(text: string, file: string, source: FileSource): Promise<Pipeline> {
  const yaml = YamlFile.parse(text, file);
  const dir = posix.dirname(file);
  const top = yaml.value ?? {};
  if (!isPlainObject(top))
    throw yaml.error([], "the top level must be a mapping with a 'stages' key", "Start the file with 'stages:'.");
  for (const key of Object.keys(top))
    if (!TOP_KEYS.has(key))
      throw yaml.error([key], `unknown top-level key '${key}'`, `Use only ${[...TOP_KEYS].join(", ")}.`);
  const fileContext: FileContext = { yaml, dir, source, imported: new Set() };
  const context: Context = {};
  const defaultParams = posix.normalize(posix.join(dir, "params.yaml"));
  const params = await readParamsFile(source, defaultParams);
  if (params) {
    mergeContext(context, params, "params.yaml");
    fileContext.imported.add(defaultParams);
  }
  await addVars(fileContext, top.vars, ["vars"], context, dir);

  const stagesValue = top.stages ?? {};
  if (!isPlainObject(stagesValue))
    throw yaml.error(["stages"], "'stages' must be a mapping of stage names", "Write 'stages:' then '  name:' blocks.");
  const stages: Stage[] = [];
  const seen = new Set<string>();
  for (const [name, raw] of Object.entries(stagesValue)) {
    if (!/^[^\\/@:#]+$/.test(name) || name.trim() !== name)
      throw yaml.error(
        ["stages", name],
        `stage name '${name}' is not allowed`,
        "Use letters, digits, '-', '_' or '.'; names may not hold '/', '\\', '@', ':' or '#'.",
      );
    if (!isPlainObject(raw))
      throw yaml.error(["stages", name], `stage '${name}' must be a mapping`, "Give it at least 'cmd:'.");
    let generated: Generated[];
    if (raw.foreach !== undefined) generated = expandForeach(fileContext, name, raw, context);
    else if (raw.matrix !== undefined) generated = expandMatrix(fileContext, name, raw, context);
    else {
      if (raw.do !== undefined)
        throw yaml.error(["stages", name, "do"], `stage '${name}' has 'do' without 'foreach'`, "Add 'foreach:'.");
      generated = [{ name, definition: raw, context, path: ["stages", name] }];
    }
    for (const item of generated) {
      for (const key of Object.keys(item.definition))
        if (GENERATOR_KEYS.has(key))
          throw yaml.error(
            [...item.path, key],
            `'${key}' cannot be nested`,
            "Use one 'foreach' or 'matrix' per stage.",
          );
      if (seen.has(item.name))
        throw yaml.error(item.path, `stage '${item.name}' is defined twice`, "Rename one of the stages.");
      seen.add(item.name);
      const local: Context = { ...item.context };
      const { vars: stageVars, ...definition } = item.definition;
      if (stageVars !== undefined) {
        // Stage vars may not shadow the file's names either, but they are private to the stage.
        const scoped: Context = {};
        await addVars(fileContext, stageVars, [...item.path, "vars"], scoped, dir);
        try {
          mergeContext(local, scoped, `vars of stage '${item.name}'`);
        } catch (error) {
          if (error instanceof TemplateError)
            throw yaml.error([...item.path, "vars"], error.message, "Rename the stage variable.");
          throw error;
        }
      }
      const resolved = resolveValue(yaml, definition, local, item.path, false) as Record<string, unknown>;
      const { stage, lines } = buildStage(yaml, item.name, resolved, item.path, dir);
      lineTable.set(stage, lines);
      stages.push(stage);
    }
  }
  return {
    file,
    dir,
    stages,
    metrics: stringList(fileContext, top.metrics, "metrics", context),
    params: stringList(fileContext, top.params, "params", context),
    plots: resolveTopPlots(fileContext, top.plots, context),
  };
}

/** Reads and parses one `dvc.yaml` (repository-relative); undefined when the source lacks it. */
export async function loadPipeline(source: FileSource, file: string): Promise<Pipeline | undefined> {
  const text = await source.read(file);
  return text === undefined ? undefined : parsePipeline(text, file, source);
}

/**
 * Every pipeline of a source: the `dvc.yaml` files it finds (nested ones included), or the root
 * `dvc.yaml` when it cannot search, or `options.files`.
 */
export async function loadPipelines(source: FileSource, options: LoadOptions = {}): Promise<Pipeline[]> {
  const files = options.files ?? (source.find ? await source.find("dvc.yaml") : ["dvc.yaml"]);
  const pipelines: Pipeline[] = [];
  for (const file of files) {
    const pipeline = await loadPipeline(source, file);
    if (pipeline) pipelines.push(pipeline);
  }
  return pipelines;
}
