/**
 * @module pipeline/params
 * `params diff`: the parameters of two revisions side by side (default `HEAD` against the
 * workspace). Without `deps` every params file is compared whole (stage dependencies, top-level
 * `params`, the default `params.yaml`); with `deps` only the keys stages depend on. Values compare
 * by value, so `0.20` and `0.2` are unchanged (reference/dvc.md §1.4).
 */
import { diffFileValues, type ValueChange } from "./metrics/diff.js";
import { loadTargets } from "./metrics/load.js";
import { type FileTarget, readFileValues } from "./metrics/read.js";
import { findProjectRoot, toRepoPath, WORKSPACE, withRevisions } from "./metrics/revisions.js";
import { mergeTargets } from "./metrics/targets.js";

/** Options of {@link diffParams}. */
export interface ParamsDiffOptions {
  /** Project root; default: found from the current folder. */
  root?: string;
  /** First revision, default `HEAD`. */
  a?: string;
  /** Second revision, default `workspace`. */
  b?: string;
  /** Include unchanged parameters. */
  all?: boolean;
  /** Only parameters that stages depend on. */
  deps?: boolean;
  /** Compare these params files (relative to `cwd`) instead of the ones the pipelines declare. */
  targets?: string[];
  /** Folder `targets` are relative to; default `root` when given, else the current folder. */
  cwd?: string;
}

/** The result of {@link diffParams}. */
export interface ParamsDiff {
  a: string;
  b: string;
  changes: ValueChange[];
}

/** Compares the parameters of two revisions. */
export async function diffParams(options: ParamsDiffOptions = {}): Promise<ParamsDiff> {
  const root = options.root ?? (await findProjectRoot(options.cwd));
  const a = options.a ?? "HEAD";
  const b = options.b ?? WORKSPACE;
  return withRevisions(root, [a, b], async ([before, after]) => {
    let targets: FileTarget[];
    if (options.targets && options.targets.length > 0)
      targets = options.targets.map((path) => ({
        path: toRepoPath(root, options.cwd ?? options.root ?? process.cwd(), path),
      }));
    else {
      const merged = mergeTargets([await loadTargets(before!.source), await loadTargets(after!.source)]);
      targets = options.deps ? merged.paramDeps : merged.params;
    }
    const changes = diffFileValues(
      await readFileValues(before!.source, targets, a),
      await readFileValues(after!.source, targets, b),
      { all: options.all },
    );
    // Parameters have no meaningful delta; the table shows the two values only.
    return { a, b, changes: changes.map(({ change: _change, ...rest }) => rest) };
  });
}
