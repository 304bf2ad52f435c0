/**
 * @module cli/retrain
 * `lathe retrain`: challenger against champion on fresh labelled data; the alias moves only if the
 * challenger wins.
 */
import type { Command } from "commander";
import { type ClientFlags, createClient, withClientFlags } from "./common.js";
import { wantsJson } from "./output.js";

interface RetrainFlags extends ClientFlags {
  data: string;
  target?: string;
  algo: string;
  param: string[];
  evaluate: string;
  margin?: string;
  experiment?: string;
  repro?: boolean;
}

export function registerRetrainCommand(program: Command): void {
  withClientFlags(program.command("retrain <model>"))
    .description(
      "Train a challenger on new data and move the champion's alias (models:/name@alias) to it only if it scores better on fresh labelled rows.",
    )
    .requiredOption("--data <csv>", "the newest training data")
    .option("--target <column>", "column to predict (default: the evaluation file's last)")
    .requiredOption("--algo <name>", "tree, rf, hgb, logreg, linear or ridge")
    .option(
      "--param <key=value>",
      "algorithm parameter, repeatable",
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .requiredOption("--evaluate <csv>", "fresh labelled rows both models are scored on")
    .option("--margin <score>", "how much better the challenger must score (default 0)")
    .option("--experiment <name>", "experiment of the runs (default retrain-<name>)")
    .option("--repro", "first reproduce the pipeline here (tracked), so --data is the newest it makes")
    .action(async (model: string, flags: RetrainFlags) => {
      const [{ retrain }, { parseParamPairs }, { invalidParameter }] = await Promise.all([
        import("../models/retrain.js"),
        import("../models/train-command.js"),
        import("../core/errors.js"),
      ]);
      const margin = flags.margin === undefined ? undefined : Number(flags.margin);
      if (margin !== undefined && !Number.isFinite(margin))
        throw invalidParameter(`--margin must be a number, got '${flags.margin}'.`);
      const result = await retrain({
        client: await createClient(flags),
        model,
        data: flags.data,
        target: flags.target,
        algo: flags.algo,
        params: parseParamPairs(flags.param),
        evaluate: flags.evaluate,
        margin,
        experiment: flags.experiment,
        repro: flags.repro,
      });
      if (wantsJson(flags)) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else
        process.stdout.write(
          `${result.promoted ? `Promoted: ${result.name}@${result.alias} → version ${result.challenger.version}` : `Kept version ${result.champion.version} as ${result.name}@${result.alias}`} (${result.reason}).\n`,
        );
    });
}
