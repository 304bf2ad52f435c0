/**
 * @module pipeline/metrics/load
 * The metrics, params and plots targets of a project at one revision.
 */

import { loadPipelines } from "../parse.js";
import type { FileSource } from "../types.js";
import { defaultParamsCandidates, type ProjectTargets, targetsOfPipelines } from "./targets.js";

/** Reads the project's `dvc.yaml` files from `source` and lists what they declare. */
export async function loadTargets(source: FileSource): Promise<ProjectTargets> {
  const pipelines = await loadPipelines(source);
  const defaults: string[] = [];
  for (const candidate of defaultParamsCandidates(pipelines)) {
    if ((await source.read(candidate)) !== undefined) defaults.push(candidate);
  }
  return targetsOfPipelines(pipelines, defaults);
}
