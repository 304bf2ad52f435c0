/**
 * @module pipeline/graph
 * The stage graph (reference/dvc.md §1.2): stage B depends on stage A when one of B's deps is A's
 * output, inside it, or a folder holding it. Building the graph refuses an output claimed twice,
 * overlapping outputs and cycles, naming where each is written.
 */
import { posix } from "node:path";
import { LatheError } from "../core/errors.js";
import { stageLocation } from "./parse.js";
import type { OutputDef, Pipeline, PlotDef, Stage } from "./types.js";
import { repoPath } from "./types.js";

/** An output of a stage with its repository-relative path. */
export interface StageOutput {
  stage: Stage;
  /** Repository-relative. */
  path: string;
  def: OutputDef | PlotDef;
  field: "outs" | "metrics" | "plots";
  index: number;
}

/** How a stage is addressed: `name` in the root `dvc.yaml`, `dir/dvc.yaml:name` elsewhere. */
export function stageAddress(stage: Stage): string {
  return stage.file === "dvc.yaml" ? stage.name : `${stage.file}:${stage.name}`;
}

/** Every output of a stage (outs, metrics, plots) with repository-relative paths. */
export function stageOutputs(stage: Stage): StageOutput[] {
  const list: StageOutput[] = [];
  for (const field of ["outs", "metrics", "plots"] as const)
    stage[field].forEach((def, index) => {
      list.push({ stage, path: repoPath(stage.wdir, def.path ?? ""), def, field, index });
    });
  return list;
}

/** Every dependency of a stage as a repository-relative path (params files excluded). */
export function stageDeps(stage: Stage): string[] {
  return stage.deps.map((dep) => repoPath(stage.wdir, dep));
}

function ancestorsOf(path: string): string[] {
  const list: string[] = [];
  for (let parent = posix.dirname(path); parent !== "." && parent !== "/"; parent = posix.dirname(parent))
    list.push(parent);
  return list;
}

/** The validated stage graph of a set of pipelines. */
export class StageGraph {
  /** Stages in declaration order (file order, then stage order). */
  readonly stages: Stage[];
  /** Outputs by repository-relative path. */
  readonly outputs = new Map<string, StageOutput>();
  private readonly upstreamOf = new Map<Stage, Set<Stage>>();
  private readonly downstreamOf = new Map<Stage, Set<Stage>>();

  constructor(pipelines: readonly Pipeline[]) {
    this.stages = pipelines.flatMap((pipeline) => pipeline.stages);
    for (const stage of this.stages) {
      this.upstreamOf.set(stage, new Set());
      this.downstreamOf.set(stage, new Set());
    }
    this.collectOutputs();
    this.connect();
    this.checkCycles();
  }

  private collectOutputs(): void {
    for (const stage of this.stages)
      for (const output of stageOutputs(stage)) {
        const other = this.outputs.get(output.path);
        if (other)
          throw new LatheError(
            "CONFIG_INVALID",
            `${stageLocation(stage, output.field, output.index)}: output '${output.path}' of stage '${stageAddress(stage)}' is also an output of stage '${stageAddress(other.stage)}' (${stageLocation(other.stage, other.field, other.index)}). Each path may be produced by one stage only; remove it from one of them.`,
          );
        this.outputs.set(output.path, output);
      }
    for (const output of this.outputs.values())
      for (const parent of ancestorsOf(output.path)) {
        const outer = this.outputs.get(parent);
        if (outer)
          throw new LatheError(
            "CONFIG_INVALID",
            `${stageLocation(output.stage, output.field, output.index)}: output '${output.path}' of stage '${stageAddress(output.stage)}' is inside output '${outer.path}' of stage '${stageAddress(outer.stage)}' (${stageLocation(outer.stage, outer.field, outer.index)}). Outputs may not overlap; declare the inner path elsewhere or drop one of them.`,
          );
      }
  }

  private connect(): void {
    const within = new Map<string, StageOutput[]>();
    for (const output of this.outputs.values())
      for (const parent of ancestorsOf(output.path)) {
        const list = within.get(parent) ?? [];
        list.push(output);
        within.set(parent, list);
      }
    for (const stage of this.stages)
      for (const dep of stageDeps(stage)) {
        for (const producer of this.producersOf(dep, within)) {
          this.upstreamOf.get(stage)!.add(producer);
          this.downstreamOf.get(producer)!.add(stage);
        }
      }
  }

  private producersOf(dep: string, within: Map<string, StageOutput[]>): Stage[] {
    const found: Stage[] = [];
    const exact = this.outputs.get(dep);
    if (exact) found.push(exact.stage);
    for (const parent of ancestorsOf(dep)) {
      const outer = this.outputs.get(parent);
      if (outer) found.push(outer.stage);
    }
    for (const inner of within.get(dep) ?? []) found.push(inner.stage);
    return found;
  }

  /** The output a dependency path reads (exactly, or a folder containing it), if a stage produces it. */
  producerOf(dep: string): StageOutput | undefined {
    const exact = this.outputs.get(dep);
    if (exact) return exact;
    for (const parent of ancestorsOf(dep)) {
      const outer = this.outputs.get(parent);
      if (outer) return outer;
    }
    for (const output of this.outputs.values()) if (output.path.startsWith(`${dep}/`)) return output;
    return undefined;
  }

  private checkCycles(): void {
    const state = new Map<Stage, "visiting" | "done">();
    const path: Stage[] = [];
    const visit = (stage: Stage): void => {
      state.set(stage, "visiting");
      path.push(stage);
      for (const next of this.upstreamOf.get(stage)!) {
        const seen = state.get(next);
        if (seen === "visiting") {
          const cycle = [...path.slice(path.indexOf(next)), next].reverse().map(stageAddress);
          throw new LatheError(
            "CONFIG_INVALID",
            `${stageLocation(stage)}: the pipeline has a cycle: ${cycle.join(" -> ")}. A stage may not depend, directly or through others, on its own outputs; remove one of those dependencies.`,
          );
        }
        if (seen === undefined) visit(next);
      }
      path.pop();
      state.set(stage, "done");
    };
    for (const stage of this.stages) if (!state.has(stage)) visit(stage);
  }

  /** Stages whose outputs `stage` reads. */
  upstream(stage: Stage): Stage[] {
    return [...(this.upstreamOf.get(stage) ?? [])];
  }

  /** Stages that read `stage`'s outputs. */
  downstream(stage: Stage): Stage[] {
    return [...(this.downstreamOf.get(stage) ?? [])];
  }

  /**
   * `stages` with their ancestors (`upstream: true`) or descendants, in dependency order (each
   * stage after everything it reads). `stopAt` stages are included but not walked past.
   */
  closure(stages: readonly Stage[], direction: "upstream" | "downstream", stopAt?: (stage: Stage) => boolean): Stage[] {
    const picked = new Set<Stage>();
    const walk = (stage: Stage) => {
      if (picked.has(stage)) return;
      picked.add(stage);
      if (stopAt?.(stage)) return;
      const next = direction === "upstream" ? this.upstreamOf.get(stage)! : this.downstreamOf.get(stage)!;
      for (const other of next) walk(other);
    };
    for (const stage of stages) walk(stage);
    return this.order().filter((stage) => picked.has(stage));
  }

  /** Every stage, each after the stages it depends on (depth-first post-order, declaration order). */
  order(): Stage[] {
    const done = new Set<Stage>();
    const result: Stage[] = [];
    const visit = (stage: Stage) => {
      if (done.has(stage)) return;
      done.add(stage);
      for (const up of this.upstreamOf.get(stage)!) visit(up);
      result.push(stage);
    };
    for (const stage of this.stages) visit(stage);
    return result;
  }

  /** Weakly connected groups of stages (each a separate pipeline), sorted by their first address. */
  components(): Stage[][] {
    const seen = new Set<Stage>();
    const groups: Stage[][] = [];
    for (const stage of this.stages) {
      if (seen.has(stage)) continue;
      const group: Stage[] = [];
      const queue = [stage];
      seen.add(stage);
      while (queue.length > 0) {
        const next = queue.pop()!;
        group.push(next);
        for (const other of [...this.upstreamOf.get(next)!, ...this.downstreamOf.get(next)!])
          if (!seen.has(other)) {
            seen.add(other);
            queue.push(other);
          }
      }
      groups.push(group);
    }
    const first = (group: Stage[]) => group.map(stageAddress).sort()[0]!;
    return groups.sort((a, b) => (first(a) < first(b) ? -1 : first(a) > first(b) ? 1 : 0));
  }
}
