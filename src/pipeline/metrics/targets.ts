/**
 * @module pipeline/metrics/targets
 * Which files are metrics, params and plots in a project, from its resolved pipelines: stage
 * `metrics`/`plots`/`params` plus the top-level lists of each `dvc.yaml`, and `params.yaml` beside a
 * `dvc.yaml` whenever it exists (DVC shows it even when no stage lists it). All paths returned are
 * repository-relative.
 */
import { type Pipeline, type PlotDef, repoPath } from "../types.js";

/** A params file and the keys of it that matter (`all` for the whole file). */
export interface ParamsTarget {
  path: string;
  keys: string[] | "all";
}

/** A plot definition with its file path made repository-relative. */
export interface PlotTarget extends PlotDef {
  /** Repository-relative folder the definition's paths (including `{file: column}` keys) are relative to. */
  base: string;
}

/** The metrics, params and plots files a project declares. */
export interface ProjectTargets {
  metrics: string[];
  /** Every params file, whole: stage dependencies, top-level `params`, default `params.yaml`. */
  params: ParamsTarget[];
  /** Only the keys stages depend on (`params diff --deps`). */
  paramDeps: ParamsTarget[];
  plots: PlotTarget[];
}

function addParams(into: Map<string, ParamsTarget>, path: string, keys: string[] | "all"): void {
  const known = into.get(path);
  if (known === undefined) into.set(path, { path, keys: keys === "all" ? "all" : [...keys] });
  else if (known.keys !== "all") known.keys = keys === "all" ? "all" : [...new Set([...known.keys, ...keys])];
}

/**
 * Collects the targets of `pipelines`. `defaultParams` are the default `params.yaml` files that
 * exist (see {@link defaultParamsCandidates}); they are read whole.
 */
export function targetsOfPipelines(pipelines: readonly Pipeline[], defaultParams: readonly string[]): ProjectTargets {
  const metrics = new Set<string>();
  const params = new Map<string, ParamsTarget>();
  const deps = new Map<string, ParamsTarget>();
  const plots: PlotTarget[] = [];
  for (const pipeline of pipelines) {
    for (const stage of pipeline.stages) {
      for (const metric of stage.metrics) metrics.add(repoPath(stage.wdir, metric.path));
      for (const param of stage.params) {
        const path = repoPath(stage.wdir, param.file);
        addParams(deps, path, param.keys);
        addParams(params, path, "all");
      }
      for (const plot of stage.plots) {
        plots.push({
          ...plot,
          ...(plot.path === undefined ? {} : { path: repoPath(stage.wdir, plot.path) }),
          base: stage.wdir,
        });
      }
    }
    for (const metric of pipeline.metrics) metrics.add(repoPath(pipeline.dir, metric));
    for (const file of pipeline.params) addParams(params, repoPath(pipeline.dir, file), "all");
    for (const plot of pipeline.plots)
      plots.push({
        ...plot,
        ...(plot.path === undefined ? {} : { path: repoPath(pipeline.dir, plot.path) }),
        base: pipeline.dir,
      });
  }
  for (const path of defaultParams) addParams(params, path, "all");
  return { metrics: [...metrics], params: [...params.values()], paramDeps: [...deps.values()], plots };
}

/** Where a default `params.yaml` may sit: beside each `dvc.yaml`, and at the root. */
export function defaultParamsCandidates(pipelines: readonly Pipeline[]): string[] {
  return [...new Set(["params.yaml", ...pipelines.map((pipeline) => repoPath(pipeline.dir, "params.yaml"))])];
}

/** Merges the targets of several revisions, so a file listed at only one of them is still compared. */
export function mergeTargets(all: readonly ProjectTargets[]): ProjectTargets {
  const metrics = new Set<string>();
  const params = new Map<string, ParamsTarget>();
  const deps = new Map<string, ParamsTarget>();
  const plots: PlotTarget[] = [];
  const plotKeys = new Set<string>();
  for (const targets of all) {
    for (const metric of targets.metrics) metrics.add(metric);
    for (const target of targets.params) addParams(params, target.path, target.keys);
    for (const target of targets.paramDeps) addParams(deps, target.path, target.keys);
    for (const plot of targets.plots) {
      const key = `${plot.base}\0${plot.id ?? ""}\0${plot.path ?? ""}`;
      if (plotKeys.has(key)) continue;
      plotKeys.add(key);
      plots.push(plot);
    }
  }
  return { metrics: [...metrics], params: [...params.values()], paramDeps: [...deps.values()], plots };
}
