/**
 * @module pipeline/types
 * The resolved pipeline model: what `dvc.yaml` files say once templating, `foreach` and `matrix`
 * are expanded (reference/dvc.md §1.2–1.3), and the `dvc.lock` entry shape (§1.4). Everything the
 * pipeline commands (repro, status, dag, metrics, params, plots) share is declared here.
 *
 * Paths: `Stage.wdir` and `Pipeline.dir` are relative to the repository root; every path *inside*
 * a stage (deps, outs, metrics, plots, params files) is kept as written, relative to the stage's
 * `wdir`; top-level `metrics`, `plots` and `params` paths are relative to `Pipeline.dir`. All are
 * POSIX. {@link repoPath} joins them into repository-relative paths.
 */
import { posix } from "node:path";

/** Reads repository files: the workspace, or a git revision. */
export interface FileSource {
  /** Text of `relpath` (POSIX, relative to the repository root); undefined when absent. */
  read(relpath: string): Promise<string | undefined>;
  /**
   * Repository-relative paths of every file named `name` (e.g. `dvc.yaml`), sorted. Optional:
   * sources without it only offer the root file.
   */
  find?(name: string): Promise<string[]>;
  /** A label for messages, e.g. `workspace` or `HEAD`. */
  readonly label?: string;
}

/** An output (`outs` or `metrics` entry). */
export interface OutputDef {
  /** Relative to the stage's wdir, as written. */
  path: string;
  /** False for `cache: false` (git-tracked output such as a metrics file). */
  cache: boolean;
  /** True for `persist: true`: not deleted before the stage runs. */
  persist: boolean;
  remote?: string;
  push?: boolean;
  desc?: string;
  type?: string;
  labels?: string[];
  meta?: unknown;
}

/** Axis field of a plot: a column name, or `{file: column}` / `{file: [columns]}`. */
export type PlotField = string | string[] | Record<string, string | string[]>;

/**
 * A plot: a stage's `plots` output (with `path`) or a top-level plot, given either as a path or
 * as `{id: {…}}` (then `id` is set and `path` only when the id names a file).
 */
export interface PlotDef {
  /** The file, relative to the stage wdir (stage plots) or the dvc.yaml folder (top-level). */
  path?: string;
  /** Top-level `{id: {...}}` key (may be a path or a free name). */
  id?: string;
  x?: PlotField;
  y?: PlotField;
  template?: string;
  x_label?: string;
  y_label?: string;
  title?: string;
  header?: boolean;
  /** Stage plots are outputs too. */
  cache?: boolean;
  persist?: boolean;
  desc?: string;
}

/** Parameters a stage depends on: listed keys (dotted paths) of a file, or the whole file. */
export interface ParamDep {
  /** Relative to the stage wdir, default `params.yaml`. */
  file: string;
  keys: string[] | "all";
}

/** One stage after templating, `foreach` and `matrix` expansion. */
export interface Stage {
  /** As addressed on the command line: `train`, or `train@0` / `train@a-b` for generated stages. */
  name: string;
  /** The `dvc.yaml` declaring it, repository-relative. */
  file: string;
  /** Working directory, repository-relative (`.` for the root). */
  wdir: string;
  /** Commands run in order; `cmdText` keeps the form written (string or list) for `dvc.lock`. */
  cmd: string[];
  /** `cmd` as the lock records it: a string for one command, else the list. */
  cmdText: string | string[];
  deps: string[];
  outs: OutputDef[];
  metrics: OutputDef[];
  plots: PlotDef[];
  params: ParamDep[];
  frozen: boolean;
  alwaysChanged: boolean;
  desc?: string;
  meta?: unknown;
}

/** One `dvc.yaml` file, resolved. */
export interface Pipeline {
  /** Repository-relative path of the `dvc.yaml`. */
  file: string;
  /** Repository-relative folder of the `dvc.yaml` (`.` for the root). */
  dir: string;
  stages: Stage[];
  /** Top-level metrics files, relative to `dir`. */
  metrics: string[];
  /** Top-level plots, paths relative to `dir`. */
  plots: PlotDef[];
  /** Top-level params files (shown by params commands, not dependencies), relative to `dir`. */
  params: string[];
}

/** Options of `loadPipelines`. */
export interface LoadOptions {
  /** Only these `dvc.yaml` files (repository-relative); default: every file the source finds, else the root one. */
  files?: string[];
}

/** A dependency or output as `dvc.lock` records it. */
export interface LockedPath {
  path: string;
  /** `"md5"` on DVC 3 entries; absent on DVC 2 entries. */
  hash?: "md5";
  md5?: string;
  size?: number;
  nfiles?: number;
  isexec?: boolean;
}

/** Parameter values by file, then key (dotted path as listed, or every top-level key). */
export type LockedParams = Record<string, Record<string, unknown>>;

/** One stage's `dvc.lock` entry. */
export interface LockEntry {
  cmd: string | string[];
  deps: LockedPath[];
  params: LockedParams;
  outs: LockedPath[];
}

/** A `dvc.lock` file: stage name → entry. */
export type LockFile = Map<string, LockEntry>;

/** Joins a path written relative to `base` (a repository-relative folder) into a repository-relative path. */
export function repoPath(base: string, path: string): string {
  const joined = posix.normalize(posix.join(base, path));
  return joined.endsWith("/") && joined !== "/" ? joined.slice(0, -1) : joined;
}

/** The lock file beside a `dvc.yaml` (repository-relative). */
export function lockFileFor(dvcYaml: string): string {
  return repoPath(posix.dirname(dvcYaml), "dvc.lock");
}
