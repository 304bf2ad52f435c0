/**
 * @module pipeline/repro
 * `lathe repro` (reference/dvc.md §3 "repro"): runs the stages whose command, dependencies or
 * outputs changed since `dvc.lock`, in dependency order restricted to the targets' ancestors,
 * up to `jobs` independent stages at once. Each finished stage's outputs go to the cache, its
 * lock entry is written at once (so an interrupted repro resumes where it stopped) and the run
 * is remembered in the run-cache, which later restores outputs instead of running.
 */
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { LatheError } from "../core/errors.js";
import type { LockOptions } from "../data/lock.js";
import { type StageOutput, stageAddress, stageOutputs } from "./graph.js";
import { LockGate } from "./lock-gate.js";
import { writeLockEntry } from "./lockfile.js";
import { absoluteOf, checkoutOutput, commitOutput, ignoreOutputInGit, prepareOutput } from "./outputs.js";
import { stageLocation } from "./parse.js";
import { lockEntryOf, openProject, type Project, requirePipelines, resolveTargets } from "./project.js";
import { canRunCache, findRuns, saveRun } from "./run-cache.js";
import { runCommands } from "./runner.js";
import { currentParams, evaluateStage, hashEntry, outputInCache, type StageEvaluation } from "./status.js";
import type { LockEntry, LockedParams, LockedPath, Stage } from "./types.js";
import { lockFileFor, repoPath } from "./types.js";

/** Options of {@link reproduce}. */
export interface ReproOptions {
  /** Folder the command runs in (default: the process's). */
  cwd?: string;
  /** Stage names, `file:name` or `dvc.yaml` paths; default every stage. */
  targets?: readonly string[];
  /** Run even unchanged stages (and skip the run-cache). */
  force?: boolean;
  /** Only the targets, not their ancestors. */
  single?: boolean;
  /** The targets and every stage after them, instead of their ancestors. */
  downstream?: boolean;
  /** Run every stage after a stage that ran, changed or not. */
  forceDownstream?: boolean;
  /** The whole connected pipeline of each target. */
  pipeline?: boolean;
  /** Every stage of every dvc.yaml (targets ignored). */
  allPipelines?: boolean;
  /** Independent stages run at once (default 1). */
  jobs?: number;
  /** Say what would run without running anything. */
  dry?: boolean;
  /** After a failure, go on with stages that do not depend on it. */
  keepGoing?: boolean;
  /** Neither restore from nor consult the run-cache. */
  noRunCache?: boolean;
  /** Stops the run: no new stage starts and running commands are terminated. */
  signal?: AbortSignal;
  onEvent?: (event: ReproEvent) => void;
  lock?: LockOptions;
}

/** What happens during a repro, in order; times are milliseconds since the epoch (fractional). */
export type ReproEvent =
  | { type: "skipped"; stage: string; reason: "unchanged" | "frozen" }
  | { type: "restored"; stage: string }
  | { type: "would-run"; stage: string; commands: string[] }
  | { type: "started"; stage: string; commands: string[]; time: number }
  | { type: "output"; stage: string; stream: "stdout" | "stderr"; line: string }
  | { type: "finished"; stage: string; time: number; ok: boolean; message?: string }
  | { type: "lock-updated"; stage: string; file: string };

/** One stage that did not complete. */
export interface ReproFailure {
  stage: string;
  message: string;
  exitCode?: number;
}

/** What a repro did, by stage address. */
export interface ReproResult {
  ran: string[];
  restored: string[];
  skipped: string[];
  wouldRun: string[];
  failed: ReproFailure[];
  /** Stages not attempted because something they depend on failed, or the run stopped. */
  notRun: string[];
}

type Outcome = "ran" | "restored" | "skipped" | "would-run" | "failed";

const now = () => performance.timeOrigin + performance.now();

/** Runs `action`s one at a time (lock file and .gitignore rewrites of concurrent stages). */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(action: () => Promise<T>): Promise<T> {
    const result = this.tail.then(action);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

class StageFailure extends Error {
  constructor(
    message: string,
    readonly exitCode?: number,
  ) {
    super(message);
  }
}

interface Run {
  project: Project;
  options: ReproOptions;
  gate: LockGate;
  serial: Serial;
  emit: (event: ReproEvent) => void;
  /** Stages that ran or would run in this repro (dry runs treat dependents as changed). */
  changedUpstream: Set<Stage>;
}

function missingInputs(run: Run, stage: Stage, evaluation: StageEvaluation): void {
  for (const { path: dep, index } of evaluation.missingDeps) {
    const where = stageLocation(stage, "deps", index);
    const producer = run.project.graph.producerOf(dep);
    throw new StageFailure(
      producer
        ? `${where}: dependency '${dep}' of stage '${stageAddress(stage)}' is missing; stage '${stageAddress(producer.stage)}' produces it. Reproduce that stage first (drop -s/--downstream), or 'lathe pull' the data.`
        : `${where}: dependency '${dep}' of stage '${stageAddress(stage)}' does not exist and no stage produces it. Create it, fetch it with 'lathe pull', or fix the path in 'deps'.`,
    );
  }
  if (evaluation.missingParams.length > 0)
    throw new StageFailure(
      `${stageLocation(stage, "params")}: parameters of stage '${stageAddress(stage)}' are missing: ${evaluation.missingParams.join(", ")}. Add them to the params file or remove them from 'params'.`,
    );
}

/** The lock entry the current workspace gives a stage, with outputs as recorded by `outs`. */
function entryFor(
  stage: Stage,
  evaluation: { deps: LockedPath[]; params: LockedParams },
  outs: LockedPath[],
): LockEntry {
  return { cmd: stage.cmdText, deps: evaluation.deps, params: evaluation.params, outs };
}

async function tryRunCache(run: Run, stage: Stage, evaluation: StageEvaluation): Promise<boolean> {
  const { project } = run;
  const outputs = stageOutputs(stage);
  const probe = entryFor(
    stage,
    evaluation,
    outputs.map((output) => ({ path: output.def.path ?? "" })),
  );
  for (const candidate of await findRuns(project.workspace.cache.cacheDir, probe)) {
    const byPath = new Map(candidate.outs.map((out) => [out.path, out]));
    const usable = await Promise.all(
      outputs.map(async (output) => {
        const recorded = byPath.get(output.def.path ?? "");
        return recorded !== undefined && (await outputInCache(project, recorded));
      }),
    );
    if (!usable.every(Boolean)) continue;
    run.emit({ type: "restored", stage: stageAddress(stage) });
    for (const output of outputs) await checkoutOutput(project, output, byPath.get(output.def.path ?? "")!);
    await recordLock(run, stage, candidate, outputs);
    return true;
  }
  return false;
}

async function recordLock(run: Run, stage: Stage, entry: LockEntry, outputs: StageOutput[]): Promise<void> {
  const { project } = run;
  const file = lockFileFor(stage.file);
  await run.serial.run(async () => {
    for (const output of outputs) if (output.def.cache !== false) await ignoreOutputInGit(project, output);
    await writeLockEntry(project.root, file, stage.name, entry);
  });
  const lock = project.locks.get(file) ?? new Map<string, LockEntry>();
  project.locks.set(file, lock);
  lock.set(stage.name, entry);
  run.emit({ type: "lock-updated", stage: stageAddress(stage), file });
}

/** After a successful command: commit outputs, write the lock entry, remember the run. */
async function commitStage(run: Run, stage: Stage): Promise<void> {
  const { project } = run;
  const outputs = stageOutputs(stage);
  const outs: LockedPath[] = [];
  for (const output of outputs) {
    const path = output.def.path ?? "";
    const entry =
      output.def.cache === false ? await hashEntry(project, stage, path) : await commitOutput(project, output);
    if (entry === undefined)
      throw new StageFailure(
        `${stageLocation(stage, output.field, output.index)}: stage '${stageAddress(stage)}' finished but did not create its output '${output.path}'. Make the command write it, or remove it from '${output.field}'.`,
      );
    outs.push(entry);
  }
  const previous = lockEntryOf(project, stage);
  const deps: LockedPath[] = [];
  for (const dep of stage.deps) {
    const recorded = previous?.deps.find((entry) => entry.path === dep);
    const entry = await hashEntry(project, stage, dep, recorded);
    if (entry) deps.push(entry);
  }
  const params: LockedParams = {};
  for (const [dep, values] of await currentParams(project, stage)) if (values) params[dep.file] = values;
  const entry = entryFor(stage, { deps, params }, outs);
  await recordLock(run, stage, entry, outputs);
  if (!run.options.noRunCache && canRunCache(stage)) {
    // Uncached outputs (metrics) go to the cache too, so the run-cache can restore them.
    for (const output of outputs) if (output.def.cache === false) await commitOutput(project, output, false);
    await saveRun(project.workspace.cache.cacheDir, entry);
  }
}

/** Decides, then runs or restores one stage. */
async function processStage(run: Run, stage: Stage, upstream: readonly Stage[]): Promise<Outcome> {
  const { project, options } = run;
  const address = stageAddress(stage);
  if (stage.frozen) {
    run.emit({ type: "skipped", stage: address, reason: "frozen" });
    return "skipped";
  }
  const decision = await run.gate.run(async () => {
    const evaluation = await evaluateStage(project, stage);
    const upstreamRan = upstream.some((other) => run.changedUpstream.has(other));
    const forced = options.force === true || (options.forceDownstream === true && upstreamRan);
    // A dry run has not produced new upstream outputs, so stages after one that would run would run too.
    if (!forced && evaluation.reasons.length === 0 && !(options.dry && upstreamRan)) return "skip" as const;
    if (options.dry) return "dry" as const;
    missingInputs(run, stage, evaluation);
    if (!forced && !options.noRunCache && canRunCache(stage) && (await tryRunCache(run, stage, evaluation)))
      return "restored" as const;
    for (const output of stageOutputs(stage)) await prepareOutput(project, output);
    return "run" as const;
  });
  if (decision === "skip") {
    run.emit({ type: "skipped", stage: address, reason: "unchanged" });
    return "skipped";
  }
  if (decision === "dry") {
    run.emit({ type: "would-run", stage: address, commands: stage.cmd });
    run.changedUpstream.add(stage);
    return "would-run";
  }
  if (decision === "restored") {
    run.changedUpstream.add(stage);
    return "restored";
  }
  run.emit({ type: "started", stage: address, commands: stage.cmd, time: now() });
  const outcome = await runCommands(stage.cmd, {
    cwd: absoluteOf(project, stage.wdir),
    signal: options.signal,
    onLine: (stream, line) => run.emit({ type: "output", stage: address, stream, line }),
  });
  if (!outcome.ok) {
    const how =
      outcome.exitCode !== null && outcome.signal === null
        ? `exit code ${outcome.exitCode}`
        : `stopped by ${outcome.signal ?? "a signal"}`;
    throw new StageFailure(
      `failed to reproduce '${address}': ${how} from '${outcome.command}'`,
      outcome.exitCode ?? undefined,
    );
  }
  await run.gate.run(() => commitStage(run, stage));
  run.changedUpstream.add(stage);
  run.emit({ type: "finished", stage: address, time: now(), ok: true });
  return "ran";
}

/**
 * Refuses, before anything runs, a dependency that does not exist and that no stage produces
 * (frozen stages are left alone: they do not run).
 */
function checkSources(project: Project, stages: readonly Stage[]): void {
  for (const stage of stages) {
    if (stage.frozen) continue;
    stage.deps.forEach((dep, index) => {
      const path = repoPath(stage.wdir, dep);
      if (project.graph.producerOf(path)) return;
      if (existsSync(absoluteOf(project, path))) return;
      throw new LatheError(
        "RESOURCE_DOES_NOT_EXIST",
        `${stageLocation(stage, "deps", index)}: dependency '${path}' of stage '${stageAddress(stage)}' does not exist and no stage produces it. Create it, fetch it with 'lathe pull', or fix the path in 'deps'.`,
      );
    });
  }
}

/** Picks the stages a repro considers, in dependency order. */
function selectStages(project: Project, options: ReproOptions, cwd: string): Stage[] {
  if (options.allPipelines) return project.graph.order();
  const targets = resolveTargets(project, options.targets ?? [], cwd);
  if (options.pipeline) {
    const picked = new Set(targets);
    const groups = project.graph.components().filter((group) => group.some((stage) => picked.has(stage)));
    const members = new Set(groups.flat());
    return project.graph.order().filter((stage) => members.has(stage));
  }
  if (options.single) return targets;
  if (options.downstream) return project.graph.closure(targets, "downstream");
  // Frozen stages are not reproduced, and neither is anything above them (reference/dvc.md §3).
  return project.graph.closure(targets, "upstream", (stage) => stage.frozen);
}

async function schedule(run: Run, stages: Stage[], result: ReproResult): Promise<void> {
  const { options, project } = run;
  const jobs = options.jobs ?? 1;
  const selected = new Set(stages);
  const state = new Map<Stage, "pending" | "running" | "done" | "failed" | "blocked">();
  for (const stage of stages) state.set(stage, "pending");
  const running = new Map<Stage, Promise<void>>();
  let stopped = false;
  const upstreamOf = (stage: Stage) => project.graph.upstream(stage).filter((other) => selected.has(other));

  const start = (stage: Stage) => {
    state.set(stage, "running");
    const task = processStage(run, stage, upstreamOf(stage)).then(
      (outcome) => {
        state.set(stage, outcome === "failed" ? "failed" : "done");
        if (outcome === "ran") result.ran.push(stageAddress(stage));
        else if (outcome === "restored") result.restored.push(stageAddress(stage));
        else if (outcome === "skipped") result.skipped.push(stageAddress(stage));
        else if (outcome === "would-run") result.wouldRun.push(stageAddress(stage));
      },
      (error: unknown) => {
        state.set(stage, "failed");
        const message = error instanceof Error ? error.message : String(error);
        const exitCode = error instanceof StageFailure ? error.exitCode : undefined;
        result.failed.push({ stage: stageAddress(stage), message, ...(exitCode === undefined ? {} : { exitCode }) });
        run.emit({ type: "finished", stage: stageAddress(stage), time: now(), ok: false, message });
        // Any error (a failed command, a missing input, a file system error) fails this stage
        // only; what finished before stays recorded in dvc.lock.
        if (!options.keepGoing) stopped = true;
      },
    );
    running.set(
      stage,
      task.finally(() => running.delete(stage)),
    );
  };

  for (;;) {
    if (options.signal?.aborted) stopped = true;
    if (!stopped)
      for (const stage of stages) {
        if (state.get(stage) !== "pending") continue;
        const ups = upstreamOf(stage);
        if (ups.some((other) => state.get(other) === "failed" || state.get(other) === "blocked")) {
          state.set(stage, "blocked");
          continue;
        }
        if (running.size >= jobs) break;
        if (ups.every((other) => state.get(other) === "done")) start(stage);
      }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  for (const stage of stages) {
    const current = state.get(stage);
    if (current === "pending" || current === "blocked") result.notRun.push(stageAddress(stage));
  }
}

/**
 * Reproduces the pipelines of the repository holding `options.cwd`. Stage failures are reported
 * in the result (and as events), not thrown; invalid pipelines and targets throw a LatheError.
 */
export async function reproduce(options: ReproOptions = {}): Promise<ReproResult> {
  const cwd = options.cwd ?? process.cwd();
  if (options.jobs !== undefined && (!Number.isInteger(options.jobs) || options.jobs < 1))
    throw new LatheError("INVALID_PARAMETER_VALUE", `-j must be a positive whole number, got '${options.jobs}'.`);
  const project = await openProject(cwd);
  try {
    requirePipelines(project);
  } catch (error) {
    project.close();
    throw error;
  }
  const gate = new LockGate(project.workspace.repo.tmpDir, options.lock);
  const result: ReproResult = { ran: [], restored: [], skipped: [], wouldRun: [], failed: [], notRun: [] };
  try {
    const stages = selectStages(project, options, cwd);
    checkSources(project, stages);
    const run: Run = {
      project,
      options,
      gate,
      serial: new Serial(),
      emit: (event) => options.onEvent?.(event),
      changedUpstream: new Set(),
    };
    await schedule(run, stages, result);
    project.workspace.state.flush();
    return result;
  } finally {
    await gate.close();
    project.close();
  }
}
