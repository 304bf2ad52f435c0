/**
 * @module cli/experiments
 * `lathe experiments list|create|delete|restore`.
 */
import type { Command } from "commander";
import type { Experiment } from "../tracking/entities.js";
import { type ClientFlags, createClient, parseViewType, withClientFlags } from "./common.js";
import { type Column, formatTime, printResult } from "./output.js";

const COLUMNS: Column<Experiment>[] = [
  { header: "ID", value: (experiment) => experiment.experiment_id },
  { header: "NAME", value: (experiment) => experiment.name },
  { header: "STAGE", value: (experiment) => experiment.lifecycle_stage },
  { header: "CREATED", value: (experiment) => formatTime(experiment.creation_time) },
  { header: "ARTIFACTS", value: (experiment) => experiment.artifact_location },
];

export function registerExperimentsCommand(program: Command): void {
  const experiments = program.command("experiments").description("List, create, delete and restore experiments.");

  withClientFlags(experiments.command("list"))
    .description("List experiments.")
    .option("--view <type>", "ACTIVE_ONLY, DELETED_ONLY or ALL", "ACTIVE_ONLY")
    .option("--filter <filter>", "MLflow filter, e.g. \"name LIKE 'iris%'\"")
    .action(async (flags: ClientFlags & { view: string; filter?: string }) => {
      const client = await createClient(flags);
      const list = await client.searchAllExperiments({ viewType: parseViewType(flags.view), filter: flags.filter });
      printResult(flags, list, list, COLUMNS);
    });

  withClientFlags(experiments.command("create <name>"))
    .description("Create an experiment.")
    .option("--artifact-location <uri>", "artifact root for its runs")
    .action(async (name: string, flags: ClientFlags & { artifactLocation?: string }) => {
      const client = await createClient(flags);
      const id = await client.createExperiment(name, { artifactLocation: flags.artifactLocation });
      const experiment = await client.getExperiment(id);
      printResult(flags, experiment, [experiment], COLUMNS);
    });

  for (const [verb, description] of [
    ["delete", "Mark an experiment and its runs deleted (restore undoes it)."],
    ["restore", "Restore a deleted experiment and its runs."],
  ] as const) {
    withClientFlags(experiments.command(`${verb} <id>`))
      .description(description)
      .action(async (id: string, flags: ClientFlags) => {
        const client = await createClient(flags);
        if (verb === "delete") await client.deleteExperiment(id);
        else await client.restoreExperiment(id);
        const experiment = await client.getExperiment(id);
        printResult(flags, experiment, [experiment], COLUMNS);
      });
  }
}
