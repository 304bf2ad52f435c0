/**
 * @module server/routes/ui-pipeline
 * `GET /ajax-api/2.0/mlflow/lathe/pipeline`, the web UI's Pipeline page: the stages of the
 * `dvc.yaml` files of the project given with `lathe server --project DIR`, the edges between them
 * and each stage's status in `lathe status`'s terms. Without `--project` it answers
 * `{enabled: false, message}` saying how to turn the page on.
 */
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { lockEntryOf, openProject, pipelineStatus, type StatusReason, stageAddress } from "../../pipeline/index.js";

/** How a stage stands against its `dvc.lock` entry. */
export type StageState = "up to date" | "changed" | "never run" | "frozen";

export interface PipelineStageView {
  address: string;
  name: string;
  file: string;
  cmd: string[];
  deps: string[];
  outs: string[];
  state: StageState;
  reasons: StatusReason[];
}

export interface PipelineView {
  enabled: true;
  project: string;
  stages: PipelineStageView[];
  /** `[upstream, downstream]` stage addresses. */
  edges: [string, string][];
}

const DISABLED_MESSAGE =
  "No project folder is set. Start the server with `lathe server --project DIR` (or LATHE_PROJECT=DIR) where DIR holds a dvc.yaml.";

/** Reads the stages, edges and status of the project at `folder`. */
export async function readPipelineView(folder: string): Promise<PipelineView> {
  const root = resolve(folder);
  const status = await pipelineStatus(root);
  const project = await openProject(root);
  try {
    const edges: [string, string][] = [];
    const stages = project.graph.order().map((stage): PipelineStageView => {
      const address = stageAddress(stage);
      for (const up of project.graph.upstream(stage)) edges.push([stageAddress(up), address]);
      const reasons = status[address] ?? [];
      const state: StageState = stage.frozen
        ? "frozen"
        : lockEntryOf(project, stage) === undefined
          ? "never run"
          : reasons.length > 0
            ? "changed"
            : "up to date";
      return {
        address,
        name: stage.name,
        file: stage.file,
        cmd: stage.cmd,
        deps: stage.deps,
        outs: [...stage.outs, ...stage.metrics, ...stage.plots].map((out) => out.path ?? ""),
        state,
        reasons,
      };
    });
    return { enabled: true, project: project.root, stages, edges };
  } finally {
    project.close();
  }
}

/** Registers the route; `project` is the `--project` folder, if any. */
export function registerPipelineRoute(app: FastifyInstance, project: string | undefined): void {
  app.get("/ajax-api/2.0/mlflow/lathe/pipeline", async () => {
    if (project === undefined) return { enabled: false, message: DISABLED_MESSAGE };
    return readPipelineView(project);
  });
}
