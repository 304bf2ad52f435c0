/**
 * @module pipeline/project
 * One command's view of the pipelines of a data repository: the workspace (cache, hash state,
 * ignore rules), every `dvc.yaml` resolved, the stage graph, and the `dvc.lock` beside each file.
 */
import { posix, relative, resolve, sep } from "node:path";
import { LatheError } from "../core/errors.js";
import { openWorkspace, type Workspace } from "../data/workspace.js";
import { StageGraph, stageAddress } from "./graph.js";
import { readLockFile } from "./lockfile.js";
import { loadPipelines } from "./parse.js";
import { workspaceSource } from "./source.js";
import type { LockEntry, LockFile, Pipeline, Stage } from "./types.js";
import { lockFileFor } from "./types.js";

/** An opened pipeline project; `close()` it when done. */
export interface Project {
  readonly workspace: Workspace;
  /** Absolute repository root. */
  readonly root: string;
  readonly pipelines: Pipeline[];
  readonly graph: StageGraph;
  /** Lock files by repository-relative path, as read when the project was opened. */
  readonly locks: Map<string, LockFile>;
  close(): void;
}

/** Opens the data repository holding `cwd` and resolves its pipelines. */
export async function openProject(cwd: string = process.cwd()): Promise<Project> {
  const workspace = await openWorkspace(cwd);
  try {
    const root = workspace.repo.root;
    const pipelines = await loadPipelines(workspaceSource(root));
    const graph = new StageGraph(pipelines);
    const locks = new Map<string, LockFile>();
    for (const pipeline of pipelines) {
      const file = lockFileFor(pipeline.file);
      locks.set(file, await readLockFile(root, file));
    }
    return { workspace, root, pipelines, graph, locks, close: () => workspace.close() };
  } catch (error) {
    workspace.close();
    throw error;
  }
}

/** Refuses to go on when the repository has no `dvc.yaml`, saying how to start one. */
export function requirePipelines(project: Project): void {
  if (project.pipelines.length === 0)
    throw new LatheError(
      "RESOURCE_DOES_NOT_EXIST",
      `No dvc.yaml found in ${project.root}. Describe the stages in a dvc.yaml (stages: <name>: cmd/deps/outs), as in examples/pipeline.`,
    );
}

/** The recorded lock entry of a stage, if any. */
export function lockEntryOf(project: Project, stage: Stage): LockEntry | undefined {
  return project.locks.get(lockFileFor(stage.file))?.get(stage.name);
}

/**
 * The stages named by `targets`: a stage name (`train`, `train@1`), `path/dvc.yaml:name`, a
 * `dvc.yaml` path (all its stages) or a name prefix before `@` (all generated stages). Relative
 * paths are taken from `cwd`. No targets means every stage.
 */
export function resolveTargets(project: Project, targets: readonly string[], cwd: string): Stage[] {
  if (targets.length === 0) return project.graph.order();
  const stages = project.graph.stages;
  const fileOf = (path: string) => relative(project.root, resolve(cwd, path)).split(sep).join("/");
  const cwdPrefix = relative(project.root, resolve(cwd)).split(sep).join("/");
  const picked = new Set<Stage>();
  for (const target of targets) {
    let found: Stage[] = [];
    const colon = target.lastIndexOf(":");
    if (colon > 0) {
      const file = fileOf(target.slice(0, colon));
      const name = target.slice(colon + 1);
      found = stages.filter(
        (stage) => stage.file === file && (stage.name === name || stage.name.startsWith(`${name}@`)),
      );
    } else if (target === "dvc.yaml" || target.endsWith("/dvc.yaml") || target.endsWith(`${sep}dvc.yaml`)) {
      const file = fileOf(target);
      found = stages.filter((stage) => stage.file === file);
    } else {
      // A bare name refers to the dvc.yaml in cwd first, then to any stage of that name.
      const local = posix.normalize(posix.join(cwdPrefix === "" ? "." : cwdPrefix, "dvc.yaml"));
      const matches = (stage: Stage) => stage.name === target || stage.name.startsWith(`${target}@`);
      found = stages.filter((stage) => stage.file === local && matches(stage));
      if (found.length === 0) found = stages.filter(matches);
    }
    if (found.length === 0)
      throw new LatheError(
        "RESOURCE_DOES_NOT_EXIST",
        `No stage '${target}' in ${project.pipelines.map((pipeline) => pipeline.file).join(", ") || "this repository (no dvc.yaml found)"}. Known stages: ${stages.map(stageAddress).join(", ") || "none"}.`,
      );
    for (const stage of found) picked.add(stage);
  }
  return project.graph.order().filter((stage) => picked.has(stage));
}
