/**
 * @module pipeline/exp
 * `exp run` and `exp show`. An experiment applies `-S` parameter changes to the workspace, runs
 * the pipeline (repro), and records its name, parameter changes, resulting params and metrics,
 * time and baseline commit as `.dvc/tmp/exps/<name>.json`. As with DVC, the workspace keeps the
 * change afterwards; nothing is restored.
 */
import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import { applyParamChanges, parseParamChange } from "./exp-params.js";
import { loadTargets } from "./metrics/load.js";
import { readFileValues } from "./metrics/read.js";
import { findProjectRoot, WORKSPACE, withRevisions } from "./metrics/revisions.js";
import type { Scalar } from "./metrics/values.js";
import { type ReproEvent, type ReproFailure, type ReproResult, reproduce } from "./repro.js";
import type { FileSource } from "./types.js";

const run = promisify(execFile);

/** Values by file, then dotted key. */
export type ValuesByFile = Record<string, Record<string, Scalar>>;

/** An experiment as recorded in `.dvc/tmp/exps/<name>.json`. */
export interface ExperimentRecord {
  name: string;
  /** ISO 8601 time the run finished. */
  created: string;
  /** The commit the workspace was on (HEAD), absent in a repository without commits. */
  baseline?: string;
  /** The `-S` arguments, as given. */
  changes: string[];
  state: "success" | "failed";
  failures?: ReproFailure[];
  params: ValuesByFile;
  metrics: ValuesByFile;
}

/** Options of {@link runExperiment}. */
export interface ExpRunOptions {
  /** Folder inside the project (default: the process's). */
  cwd?: string;
  /** `-S` arguments. */
  set?: string[];
  /** Experiment name; default a random two-word name. */
  name?: string;
  /** Stages to reproduce (default all). */
  targets?: string[];
  /** Progress of the repro. */
  onEvent?: (event: ReproEvent) => void;
}

const ADJECTIVES = ["brisk", "calm", "dusty", "eager", "fuzzy", "gentle", "hollow", "jolly", "keen", "lucky"];
const NOUNS = ["anvil", "badger", "comet", "delta", "ember", "falcon", "glade", "harbor", "island", "juniper"];

function experimentsDir(root: string): string {
  return join(root, ".dvc", "tmp", "exps");
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name))
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `Experiment name '${name}' is not allowed: use letters, digits, '.', '_' and '-' (starting with a letter or digit).`,
    );
}

async function headCommit(root: string): Promise<string | undefined> {
  try {
    return (await run("git", ["rev-parse", "--verify", "--quiet", "HEAD"], { cwd: root })).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The params and metrics files of a revision, read whole. */
async function valuesAt(
  source: FileSource,
  revision: string,
): Promise<{ params: ValuesByFile; metrics: ValuesByFile }> {
  const targets = await loadTargets(source);
  const plain = (values: Map<string, Map<string, Scalar>>): ValuesByFile =>
    Object.fromEntries([...values].map(([path, flat]) => [path, Object.fromEntries(flat)]));
  return {
    params: plain(await readFileValues(source, targets.params, revision)),
    metrics: plain(
      await readFileValues(
        source,
        targets.metrics.map((path) => ({ path })),
        revision,
      ),
    ),
  };
}

/** Recorded experiments, oldest first. */
export async function listExperiments(root: string): Promise<ExperimentRecord[]> {
  let names: string[];
  try {
    names = (await readdir(experimentsDir(root))).filter((name) => name.endsWith(".json"));
  } catch {
    return [];
  }
  const records: ExperimentRecord[] = [];
  for (const name of names) {
    const file = join(experimentsDir(root), name);
    try {
      records.push(JSON.parse(await readFile(file, "utf8")) as ExperimentRecord);
    } catch (error) {
      throw new LatheError(
        "INVALID_STATE",
        `Experiment record ${file} does not parse (${(error as Error).message}). Delete it or restore it from a backup.`,
      );
    }
  }
  return records.sort((a, b) => a.created.localeCompare(b.created));
}

async function freshName(root: string): Promise<string> {
  const taken = new Set((await listExperiments(root)).map((record) => record.name));
  for (;;) {
    const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}`;
    if (!taken.has(name)) return name;
    if (taken.size >= ADJECTIVES.length * NOUNS.length) return `${name}-${randomInt(1_000_000)}`;
  }
}

/** What {@link runExperiment} did. */
export interface ExpRunResult {
  record: ExperimentRecord;
  /** Where the record was written. */
  file: string;
  repro: ReproResult;
}

/**
 * Applies the `-S` changes, reproduces the pipeline and records the experiment. A stage failure
 * is recorded (state `failed`) and then thrown as a LatheError naming the stage.
 */
export async function runExperiment(options: ExpRunOptions = {}): Promise<ExpRunResult> {
  const cwd = options.cwd ?? process.cwd();
  const root = await findProjectRoot(cwd);
  const changes = (options.set ?? []).map(parseParamChange);
  const name = options.name ?? (await freshName(root));
  checkName(name);
  const file = join(experimentsDir(root), `${name}.json`);
  if ((await listExperiments(root)).some((record) => record.name === name))
    throw new LatheError(
      "RESOURCE_ALREADY_EXISTS",
      `Experiment '${name}' already exists. Choose another name with -n, or delete ${file}.`,
    );
  const baseline = await headCommit(root);
  await applyParamChanges(root, changes);
  const repro = await reproduce({ cwd: root, targets: options.targets, onEvent: options.onEvent });
  const values = await withRevisions(root, [WORKSPACE], ([workspace]) => valuesAt(workspace!.source, WORKSPACE));
  const record: ExperimentRecord = {
    name,
    created: new Date().toISOString(),
    ...(baseline === undefined ? {} : { baseline }),
    changes: changes.map((change) => change.spec),
    state: repro.failed.length > 0 ? "failed" : "success",
    ...(repro.failed.length > 0 ? { failures: repro.failed } : {}),
    ...values,
  };
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
  if (repro.failed.length > 0)
    throw new LatheError(
      "INVALID_STATE",
      `Experiment '${name}' failed: ${repro.failed.map((failure) => `stage '${failure.stage}': ${failure.message}`).join("; ")}. Its parameter changes stay in the workspace; fix the stage and run 'lathe exp run' again.`,
    );
  return { record, file, repro };
}

/** One row of `exp show`. */
export interface ExperimentRow {
  experiment: string;
  /** `workspace`, `baseline` or `experiment`. */
  kind: "workspace" | "baseline" | "experiment";
  created?: string;
  state?: string;
  baseline?: string;
  params: ValuesByFile;
  metrics: ValuesByFile;
}

/** The workspace, its baseline commit (HEAD) and every recorded experiment. */
export async function showExperiments(options: { cwd?: string } = {}): Promise<ExperimentRow[]> {
  const root = await findProjectRoot(options.cwd ?? process.cwd());
  const head = await headCommit(root);
  const rows: ExperimentRow[] = [];
  await withRevisions(root, head ? [WORKSPACE, "HEAD"] : [WORKSPACE], async ([workspace, baseline]) => {
    rows.push({ experiment: WORKSPACE, kind: "workspace", ...(await valuesAt(workspace!.source, WORKSPACE)) });
    if (baseline && head)
      rows.push({
        experiment: head.slice(0, 7),
        kind: "baseline",
        baseline: head,
        ...(await valuesAt(baseline.source, "HEAD")),
      });
  });
  for (const record of await listExperiments(root))
    rows.push({
      experiment: record.name,
      kind: "experiment",
      created: record.created,
      state: record.state,
      ...(record.baseline === undefined ? {} : { baseline: record.baseline }),
      params: record.params,
      metrics: record.metrics,
    });
  return rows;
}
