/**
 * @module pipeline/metrics/show
 * `metrics show` (the metrics files of one or more revisions) and `metrics diff` (two revisions
 * key by key with the numeric change), over the files the pipelines list as metrics (stage and
 * top-level `metrics`) or the files given.
 */
import { LatheError } from "../../core/errors.js";
import { diffFileValues, type FileValues, type ValueChange } from "./diff.js";
import { loadTargets } from "./load.js";
import { readFileValues } from "./read.js";
import { findProjectRoot, type Revision, toRepoPath, WORKSPACE, withRevisions } from "./revisions.js";
import type { Scalar } from "./values.js";

/** Options shared by {@link showMetrics} and {@link diffMetrics}. */
export interface MetricsOptions {
  /** Project root; default: found from the current folder. */
  root?: string;
  /** Metrics files to read instead of the ones the pipelines declare, relative to `cwd`. */
  targets?: string[];
  /** Folder `targets` are relative to; default `root` when given, else the current folder. */
  cwd?: string;
}

/** Metrics of one revision: file → dotted key → value. */
export interface RevisionMetrics {
  revision: string;
  files: Record<string, Record<string, Scalar>>;
}

function plain(values: FileValues): Record<string, Record<string, Scalar>> {
  return Object.fromEntries([...values].map(([path, flat]) => [path, Object.fromEntries(flat)]));
}

async function metricsFiles(options: MetricsOptions, root: string, revisions: readonly Revision[]): Promise<string[]> {
  if (options.targets && options.targets.length > 0)
    return options.targets.map((target) => toRepoPath(root, options.cwd ?? options.root ?? process.cwd(), target));
  const files = new Set<string>();
  for (const revision of revisions) for (const path of (await loadTargets(revision.source)).metrics) files.add(path);
  return [...files];
}

/** The metrics of each revision (default: the workspace). */
export async function showMetrics(options: MetricsOptions & { revisions?: string[] } = {}): Promise<RevisionMetrics[]> {
  const root = options.root ?? (await findProjectRoot(options.cwd));
  const names = options.revisions && options.revisions.length > 0 ? options.revisions : [WORKSPACE];
  return withRevisions(root, names, async (revisions) => {
    const files = await metricsFiles(options, root, revisions);
    const shown: RevisionMetrics[] = [];
    for (const revision of revisions) {
      const values = await readFileValues(
        revision.source,
        files.map((path) => ({ path })),
        revision.name,
      );
      if (options.targets?.length && values.size === 0 && revision.name === WORKSPACE)
        throw new LatheError(
          "RESOURCE_DOES_NOT_EXIST",
          `None of ${files.map((path) => `'${path}'`).join(", ")} exists in the workspace. Check the paths (relative to ${root}) or run the stage that writes them.`,
        );
      shown.push({ revision: revision.name, files: plain(values) });
    }
    return shown;
  });
}

/** Options of {@link diffMetrics}. */
export interface MetricsDiffOptions extends MetricsOptions {
  /** First revision, default `HEAD`. */
  a?: string;
  /** Second revision, default `workspace`. */
  b?: string;
  /** Include unchanged metrics. */
  all?: boolean;
}

/** The result of {@link diffMetrics}. */
export interface MetricsDiff {
  a: string;
  b: string;
  changes: ValueChange[];
}

/** Compares the metrics of two revisions; `change` is the numeric delta where both are numbers. */
export async function diffMetrics(options: MetricsDiffOptions = {}): Promise<MetricsDiff> {
  const root = options.root ?? (await findProjectRoot(options.cwd));
  const a = options.a ?? "HEAD";
  const b = options.b ?? WORKSPACE;
  return withRevisions(root, [a, b], async (revisions) => {
    const targets = (await metricsFiles(options, root, revisions)).map((path) => ({ path }));
    const [before, after] = revisions;
    const changes = diffFileValues(
      await readFileValues(before!.source, targets, a),
      await readFileValues(after!.source, targets, b),
      { all: options.all },
    );
    return { a, b, changes };
  });
}
