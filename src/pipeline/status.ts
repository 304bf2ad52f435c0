/**
 * @module pipeline/status
 * Whether a stage changed since its `dvc.lock` entry, in DVC's words and shape (reference/dvc.md
 * §3 "status"): `{"changed deps": {path: state}}` (params per key `new|modified|deleted`),
 * `{"changed outs": {path: state}}` (`modified|deleted|not in cache`), `"always changed"`,
 * `"changed command"`. Files are hashed through the workspace's hash state, so an unchanged file
 * costs one stat.
 */
import { statSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { withLock } from "../data/lock.js";
import { parseManifest } from "../data/manifest.js";
import { FILE_CONCURRENCY, mapLimit } from "../data/pool.js";
import { hashPath } from "../data/walk.js";
import { stageAddress, stageDeps, stageOutputs } from "./graph.js";
import { lockEntryOf, openProject, type Project, resolveTargets } from "./project.js";
import { workspaceSource } from "./source.js";
import { readParamsFile } from "./structured-file.js";
import type { LockedParams, LockedPath, ParamDep, Stage } from "./types.js";
import { repoPath } from "./types.js";
import { valuesEqual } from "./values.js";

/** A path's change state. */
export type PathState = "modified" | "deleted" | "new" | "not in cache";

/** One reason a stage is out of date, as DVC's `status --json` prints it. */
export type StatusReason =
  | { "changed deps": Record<string, PathState | Record<string, "new" | "modified" | "deleted">> }
  | { "changed outs": Record<string, PathState> }
  | "always changed"
  | "changed command";

/** Stage address → reasons; stages that did not change are absent. */
export type PipelineStatus = Record<string, StatusReason[]>;

const normal = (path: string) => posix.normalize(path);

function findLocked(entries: readonly LockedPath[] | undefined, path: string): LockedPath | undefined {
  const wanted = normal(path);
  return entries?.find((entry) => normal(entry.path) === wanted);
}

// Folders whose .dvcignore files are loaded, per project: many dependencies share a folder.
const loadedFolders = new WeakMap<Project, Set<string>>();

async function loadIgnores(project: Project, absolute: string): Promise<void> {
  const folders = loadedFolders.get(project) ?? new Set<string>();
  loadedFolders.set(project, folders);
  const folder = dirname(absolute);
  if (folders.has(folder)) return;
  folders.add(folder);
  await project.workspace.ignore.loadAncestors(absolute);
}

/** The hash of a workspace path as a lock entry (DVC 3, or legacy to match a DVC 2 `recorded` entry). */
export async function hashEntry(
  project: Project,
  stage: Stage,
  path: string,
  recorded?: LockedPath,
): Promise<LockedPath | undefined> {
  const absolute = join(project.root, ...repoPath(stage.wdir, path).split("/"));
  const { workspace } = project;
  await loadIgnores(project, absolute);
  const legacy = recorded !== undefined && recorded.hash !== "md5" && recorded.md5 !== undefined;
  if (legacy) {
    const old = await hashPath(absolute, workspace.ignore, workspace.state, "md5-dos2unix");
    // A DVC 2 entry stays as it is while the content is the same (reference/dvc.md §0.3).
    if (old === undefined) return undefined;
    if (old.md5 === recorded.md5) return { ...recorded };
  } else {
    // The common case, an unchanged file: one stat and a lookup in the hash state.
    // A synchronous stat costs a fraction of an asynchronous one, and there may be thousands.
    const info = statSync(absolute, { bigint: true, throwIfNoEntry: false });
    if (info === undefined) return undefined;
    if (info.isFile()) {
      const known = workspace.state.storedHash(absolute, info);
      if (known) return { path, hash: "md5", md5: known.md5, size: known.size };
    }
  }
  const hashed = await hashPath(absolute, workspace.ignore, workspace.state, "md5");
  if (hashed === undefined) return undefined;
  const entry: LockedPath = { path, hash: "md5", md5: hashed.md5, size: hashed.size };
  if (hashed.kind === "dir") entry.nfiles = hashed.nfiles;
  return entry;
}

/** Looks up a dotted key (`train.lr`) in parsed params. */
export function paramValue(values: Record<string, unknown>, key: string): { found: boolean; value?: unknown } {
  if (Object.hasOwn(values, key)) return { found: true, value: values[key] };
  let current: unknown = values;
  for (const part of key.split(".")) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return { found: false };
    const record = current as Record<string, unknown>;
    if (!Object.hasOwn(record, part)) return { found: false };
    current = record[part];
  }
  return { found: true, value: current };
}

// Params files are read once per file and command run: many stages share one params.yaml.
const paramsCache = new WeakMap<Project, Map<string, Promise<Record<string, unknown> | undefined>>>();

function readParamsCached(project: Project, relpath: string): Promise<Record<string, unknown> | undefined> {
  const files = paramsCache.get(project) ?? new Map<string, Promise<Record<string, unknown> | undefined>>();
  paramsCache.set(project, files);
  let values = files.get(relpath);
  if (!values) {
    values = readParamsFile(workspaceSource(project.root), relpath);
    files.set(relpath, values);
  }
  return values;
}

/** Current values of a stage's params, by file (as written) then key; absent files map to undefined. */
export async function currentParams(
  project: Project,
  stage: Stage,
): Promise<Map<ParamDep, Record<string, unknown> | undefined>> {
  const result = new Map<ParamDep, Record<string, unknown> | undefined>();
  for (const dep of stage.params) {
    const values = await readParamsCached(project, repoPath(stage.wdir, dep.file));
    if (values === undefined) {
      result.set(dep, undefined);
      continue;
    }
    const picked: Record<string, unknown> = {};
    if (dep.keys === "all") Object.assign(picked, values);
    else
      for (const key of dep.keys) {
        const found = paramValue(values, key);
        if (found.found) picked[key] = found.value;
      }
    result.set(dep, picked);
  }
  return result;
}

/** True when every object of a recorded output is in the cache (a directory's files too). */
export async function outputInCache(project: Project, entry: LockedPath): Promise<boolean> {
  if (entry.md5 === undefined) return false;
  const { cache } = project.workspace;
  const legacy = entry.hash !== "md5";
  if (!(await cache.has(entry.md5, legacy))) return false;
  if (!entry.md5.endsWith(".dir")) return true;
  try {
    for (const file of parseManifest(await cache.readManifest(entry.md5, legacy)))
      if (!(await cache.has(file.md5, legacy))) return false;
  } catch {
    return false;
  }
  return true;
}

/** What changed about a stage, and its current dependency hashes and params (for the lock and run-cache). */
export interface StageEvaluation {
  reasons: StatusReason[];
  deps: LockedPath[];
  params: LockedParams;
  /** Dependencies that do not exist: repository-relative path and index in `deps`. */
  missingDeps: { path: string; index: number }[];
  /** Params keys missing from their files, as `file: key`. */
  missingParams: string[];
}

async function evaluateDeps(project: Project, stage: Stage, evaluation: StageEvaluation): Promise<void> {
  const entry = lockEntryOf(project, stage);
  const changed: Record<string, PathState | Record<string, "new" | "modified" | "deleted">> = {};
  const repoDeps = stageDeps(stage);
  const hashes = await mapLimit(stage.deps, FILE_CONCURRENCY, (dep) =>
    hashEntry(project, stage, dep, findLocked(entry?.deps, dep)),
  );
  for (const [index, dep] of stage.deps.entries()) {
    const recorded = findLocked(entry?.deps, dep);
    const current = hashes[index];
    if (current === undefined) {
      changed[dep] = "deleted";
      evaluation.missingDeps.push({ path: repoDeps[index]!, index });
      continue;
    }
    evaluation.deps.push(current);
    if (recorded?.md5 !== current.md5) changed[dep] = "modified";
  }
  for (const [dep, values] of await currentParams(project, stage)) {
    const recorded = entry?.params[dep.file] ?? {};
    if (values === undefined) {
      changed[dep.file] = "deleted";
      evaluation.missingParams.push(`${dep.file} (file missing)`);
      continue;
    }
    evaluation.params[dep.file] = values;
    const states: Record<string, "new" | "modified" | "deleted"> = {};
    const keys = dep.keys === "all" ? [...new Set([...Object.keys(values), ...Object.keys(recorded)])] : dep.keys;
    for (const key of keys) {
      const known = Object.hasOwn(recorded, key);
      if (!Object.hasOwn(values, key)) {
        states[key] = "deleted";
        if (dep.keys !== "all") evaluation.missingParams.push(`${dep.file}: ${key}`);
      } else if (!known) states[key] = "new";
      else if (!valuesEqual(values[key], recorded[key])) states[key] = "modified";
    }
    if (Object.keys(states).length > 0) changed[dep.file] = states;
  }
  if (Object.keys(changed).length > 0) evaluation.reasons.push({ "changed deps": changed });
}

async function evaluateOuts(project: Project, stage: Stage, reasons: StatusReason[]): Promise<void> {
  const entry = lockEntryOf(project, stage);
  const changed: Record<string, PathState> = {};
  const outputs = stageOutputs(stage);
  const hashes = await mapLimit(outputs, FILE_CONCURRENCY, (output) =>
    hashEntry(project, stage, output.def.path ?? "", findLocked(entry?.outs, output.def.path ?? "")),
  );
  for (const [index, output] of outputs.entries()) {
    const path = output.def.path ?? "";
    const recorded = findLocked(entry?.outs, path);
    const current = hashes[index];
    if (current === undefined) changed[path] = "deleted";
    else if (recorded?.md5 !== current.md5) changed[path] = "modified";
    else if (output.def.cache !== false && !(await outputInCache(project, current))) changed[path] = "not in cache";
  }
  if (Object.keys(changed).length > 0) reasons.push({ "changed outs": changed });
}

function sameCommand(recorded: string | string[] | undefined, current: string | string[]): boolean {
  if (recorded === undefined) return true;
  if (typeof recorded === "string" || typeof current === "string") return recorded === current;
  return recorded.length === current.length && recorded.every((item, index) => item === current[index]);
}

/** A stage with a command but no dependencies and no outputs always runs (DVC's callback stage). */
export function isAlwaysChanged(stage: Stage): boolean {
  const outputs = stage.outs.length + stage.metrics.length + stage.plots.length;
  return stage.alwaysChanged || (stage.deps.length === 0 && stage.params.length === 0 && outputs === 0);
}

/** Evaluates one stage against its lock entry, in DVC's order: deps, outs, always changed, command. */
export async function evaluateStage(project: Project, stage: Stage): Promise<StageEvaluation> {
  const evaluation: StageEvaluation = { reasons: [], deps: [], params: {}, missingDeps: [], missingParams: [] };
  // Frozen stages skip dependency checks (reference/dvc.md §3 "status").
  if (!stage.frozen) await evaluateDeps(project, stage, evaluation);
  await evaluateOuts(project, stage, evaluation.reasons);
  if (isAlwaysChanged(stage) && !stage.frozen) evaluation.reasons.push("always changed");
  if (!sameCommand(lockEntryOf(project, stage)?.cmd, stage.cmdText)) evaluation.reasons.push("changed command");
  return evaluation;
}

/** Status of the given (or all) stages of an opened project. */
export async function projectStatus(
  project: Project,
  targets: readonly string[],
  cwd: string,
): Promise<PipelineStatus> {
  const status: PipelineStatus = {};
  for (const stage of resolveTargets(project, targets, cwd)) {
    const { reasons } = await evaluateStage(project, stage);
    if (reasons.length > 0) status[stageAddress(stage)] = reasons;
  }
  return status;
}

/**
 * `lathe status` for pipelines: changed stages of the repository holding `cwd` (all, or those
 * named by `targets`) with DVC's reasons; `{}` when everything is up to date.
 */
export async function pipelineStatus(
  cwd: string = process.cwd(),
  targets: readonly string[] = [],
): Promise<PipelineStatus> {
  const project = await openProject(cwd);
  try {
    return await withLock(project.workspace.repo.tmpDir, "read", () => projectStatus(project, targets, cwd));
  } finally {
    project.close();
  }
}

/**
 * For `lathe status`: the pipeline status of the repository holding `cwd`, or undefined when it
 * has no `dvc.yaml`. Targets that name no stage are returned in `otherTargets` (they may be data
 * tracked by `.dvc` files).
 */
export async function pipelineStatusForTargets(
  cwd: string,
  targets: readonly string[],
): Promise<{ status: PipelineStatus; otherTargets: string[] } | undefined> {
  const project = await openProject(cwd);
  try {
    if (project.pipelines.length === 0) return undefined;
    const stageTargets: string[] = [];
    const otherTargets: string[] = [];
    for (const target of targets) {
      try {
        resolveTargets(project, [target], cwd);
        stageTargets.push(target);
      } catch {
        otherTargets.push(target);
      }
    }
    if (targets.length > 0 && stageTargets.length === 0) return { status: {}, otherTargets };
    const status = await withLock(project.workspace.repo.tmpDir, "read", () =>
      projectStatus(project, stageTargets, cwd),
    );
    return { status, otherTargets };
  } finally {
    project.close();
  }
}
