/**
 * @module cli/train
 * `lathe train`: a built-in model from a CSV, evaluated, saved as an MLflow model directory, and
 * with `--track` recorded as a run (and with `--register`, registered).
 */
import type { Command } from "commander";
import { type ClientFlags, createClient, withClientFlags } from "./common.js";
import { wantsJson } from "./output.js";

interface TrainFlags extends ClientFlags {
  data: string;
  target?: string;
  algo: string;
  param: string[];
  test?: string;
  testFraction?: string;
  seed?: string;
  out?: string;
  track?: boolean;
  experiment?: string;
  runName?: string;
  register?: string;
}

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed)) throw new Error(`${name} must be a number, got '${value}'.`);
  return parsed;
}

export function registerTrainCommand(program: Command): void {
  withClientFlags(program.command("train"))
    .description(
      "Train a built-in model (tree, rf, hgb, logreg, linear, ridge) on a CSV and save it as an MLflow model.",
    )
    .requiredOption("--data <csv>", "training data with a header row")
    .option("--target <column>", "column to predict (default: the last)")
    .requiredOption("--algo <name>", "tree, rf, hgb, logreg, linear or ridge")
    .option("--param <key=value>", "algorithm parameter, repeatable (e.g. n_estimators=100)", collect, [])
    .option("--test <csv>", "evaluate on this file instead of held-out rows")
    .option("--test-fraction <share>", "share of rows held out for evaluation (default 0.2)")
    .option("--seed <n>", "seed of the split and the algorithm (default 0)")
    .option("--out <dir>", "write the model directory here (default ./model, or only to the run with --track)")
    .option("--track", "record a run on the tracking server: params, metrics, model, reference sample")
    .option("--experiment <name>", "experiment of the run (default: the Default experiment)")
    .option("--run-name <name>", "name of the run (default: the algorithm)")
    .option("--register <name>", "register the model under this name (with --track)")
    .action(async (flags: TrainFlags) => {
      const { parseParamPairs, trainCommand } = await import("../models/train-command.js");
      const { invalidParameter } = await import("../core/errors.js");
      let testFraction: number | undefined;
      let seed: number | undefined;
      try {
        testFraction = numberFlag("--test-fraction", flags.testFraction);
        seed = numberFlag("--seed", flags.seed);
      } catch (error) {
        throw invalidParameter((error as Error).message);
      }
      const result = await trainCommand({
        data: flags.data,
        target: flags.target,
        algo: flags.algo,
        params: parseParamPairs(flags.param),
        test: flags.test,
        testFraction,
        seed,
        out: flags.out,
        client: flags.track || flags.register ? await createClient(flags) : undefined,
        experiment: flags.experiment,
        runName: flags.runName,
        register: flags.register,
      });
      if (wantsJson(flags)) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = [
        `Trained ${result.algo} (${result.task}) on ${result.trainRows} rows; evaluated on ${result.testRows}.`,
        ...Object.entries(result.metrics).map(([key, value]) => `  ${key.padEnd(18)} ${Number(value.toFixed(4))}`),
      ];
      if (result.modelDir) lines.push(`Model directory: ${result.modelDir}`);
      if (result.runId) lines.push(`Run ${result.runId}; model ${result.modelUri}`);
      if (result.registered) lines.push(`Registered ${result.registered.name} version ${result.registered.version}.`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
