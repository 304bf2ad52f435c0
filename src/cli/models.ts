/**
 * @module cli/models
 * `lathe models list|show|versions|register|promote|rollback|alias|history`.
 */
import type { Command } from "commander";
import { invalidParameter } from "../core/errors.js";
import type { ModelVersion, RegisteredModel, RegistryEvent } from "../registry/entities.js";
import { type ClientFlags, createClient, withClientFlags } from "./common.js";
import { type Column, formatTime, printResult } from "./output.js";

const MODEL_COLUMNS: Column<RegisteredModel>[] = [
  { header: "NAME", value: (model) => model.name },
  {
    header: "LATEST",
    value: (model) =>
      (model.latest_versions ?? []).map((version) => `${version.current_stage}:${version.version}`).join(" "),
  },
  {
    header: "ALIASES",
    value: (model) => (model.aliases ?? []).map((alias) => `${alias.alias}→${alias.version}`).join(" "),
  },
  { header: "UPDATED", value: (model) => formatTime(model.last_updated_timestamp) },
  { header: "DESCRIPTION", value: (model) => model.description },
];

const VERSION_COLUMNS: Column<ModelVersion>[] = [
  { header: "VERSION", value: (version) => version.version },
  { header: "STAGE", value: (version) => version.current_stage },
  { header: "ALIASES", value: (version) => (version.aliases ?? []).join(" ") },
  { header: "RUN", value: (version) => version.run_id },
  { header: "CREATED", value: (version) => formatTime(version.creation_timestamp) },
  { header: "SOURCE", value: (version) => version.source },
];

const EVENT_COLUMNS: Column<RegistryEvent>[] = [
  { header: "WHEN", value: (event) => formatTime(event.timestamp) },
  { header: "WHAT", value: (event) => (event.kind === "alias" ? `alias ${event.alias ?? ""}` : "stage") },
  { header: "VERSION", value: (event) => event.version },
  { header: "FROM", value: (event) => event.from ?? "—" },
  { header: "TO", value: (event) => event.to ?? "—" },
  { header: "WHO", value: (event) => event.user },
];

interface GoalFlags {
  alias?: string;
  stage?: string;
}

function goalOf(flags: GoalFlags): { alias: string } | { stage: string } {
  if (flags.alias && flags.stage) throw invalidParameter("Give --alias or --stage, not both.");
  if (flags.alias) return { alias: flags.alias };
  if (flags.stage) return { stage: flags.stage };
  throw invalidParameter("Say where to promote: --alias champion or --stage Production.");
}

export function registerModelsCommand(program: Command): void {
  const models = program.command("models").description("The model registry: versions, promotion, rollback, history.");

  withClientFlags(models.command("list"))
    .description("List registered models.")
    .option("--filter <filter>", "MLflow filter, e.g. \"name LIKE 'iris%'\"")
    .action(async (flags: ClientFlags & { filter?: string }) => {
      const list = await (await createClient(flags)).searchAllRegisteredModels({ filter: flags.filter });
      printResult(flags, list, list, MODEL_COLUMNS);
    });

  withClientFlags(models.command("show <name>"))
    .description("Show a registered model with its latest versions and aliases.")
    .action(async (name: string, flags: ClientFlags) => {
      const model = await (await createClient(flags)).getRegisteredModel(name);
      printResult(flags, model, [model], MODEL_COLUMNS);
    });

  withClientFlags(models.command("versions <name>"))
    .description("List a model's versions, newest first.")
    .action(async (name: string, flags: ClientFlags) => {
      const client = await createClient(flags);
      const [versions, model] = await Promise.all([
        client.searchAllModelVersions({ filter: `name = '${name.replaceAll("'", "\\'")}'` }),
        client.getRegisteredModel(name),
      ]);
      const aliases = new Map<string, string[]>();
      for (const alias of model.aliases ?? [])
        aliases.set(alias.version, [...(aliases.get(alias.version) ?? []), alias.alias]);
      const rows = versions
        .map((version) => ({ ...version, aliases: aliases.get(version.version) ?? [] }))
        .sort((a, b) => Number(b.version) - Number(a.version));
      printResult(flags, rows, rows, VERSION_COLUMNS);
    });

  withClientFlags(models.command("register <source> <name>"))
    .description("Register a model version from a source such as runs:/<run_id>/model (creates the model if new).")
    .option("--run-id <id>", "the run that produced it (read from runs:/ sources when absent)")
    .option("--description <text>", "version description")
    .action(async (source: string, name: string, flags: ClientFlags & { runId?: string; description?: string }) => {
      const client = await createClient(flags);
      try {
        await client.getRegisteredModel(name);
      } catch {
        await client.createRegisteredModel(name);
      }
      const runId = flags.runId ?? /^runs:\/([^/]+)\//.exec(source)?.[1];
      const version = await client.createModelVersion(name, source, { runId, description: flags.description });
      printResult(flags, version, [version], VERSION_COLUMNS);
    });

  withClientFlags(models.command("promote <name> <version>"))
    .description("Point an alias at a version (--alias champion), or move it to a stage (--stage Production).")
    .option("--alias <alias>", "alias to move")
    .option("--stage <stage>", "stage to move the version to (Staging, Production, Archived, None)")
    .action(async (name: string, version: string, flags: ClientFlags & GoalFlags) => {
      const { promote } = await import("../registry/promotion.js");
      const result = await promote(await createClient(flags), name, version, goalOf(flags));
      printResult(
        flags,
        result,
        [result],
        [
          { header: "MODEL", value: (row) => row.name },
          { header: "VERSION", value: (row) => row.version },
          { header: "ALIAS", value: (row) => row.alias },
          { header: "STAGE", value: (row) => row.stage },
          { header: "PREVIOUS", value: (row) => row.previous },
        ],
      );
    });

  withClientFlags(models.command("rollback <name>"))
    .description("Move an alias back to the version that held it before its last move.")
    .requiredOption("--alias <alias>", "alias to roll back, e.g. champion")
    .action(async (name: string, flags: ClientFlags & { alias: string }) => {
      const { rollback } = await import("../registry/promotion.js");
      const result = await rollback(await createClient(flags), name, flags.alias);
      printResult(
        flags,
        result,
        [result],
        [
          { header: "MODEL", value: (row) => row.name },
          { header: "ALIAS", value: (row) => row.alias },
          { header: "NOW", value: (row) => row.version },
          { header: "WAS", value: (row) => row.previous },
        ],
      );
    });

  withClientFlags(models.command("alias <name> <alias> [version]"))
    .description("Show which version an alias points at, set it (with a version), or remove it (--delete).")
    .option("--delete", "remove the alias")
    .action(
      async (name: string, alias: string, version: string | undefined, flags: ClientFlags & { delete?: boolean }) => {
        const client = await createClient(flags);
        if (flags.delete) await client.deleteRegisteredModelAlias(name, alias);
        else if (version !== undefined) await client.setRegisteredModelAlias(name, alias, version);
        if (flags.delete) {
          printResult(flags, { name, alias, deleted: true }, [], VERSION_COLUMNS);
          return;
        }
        const current = await client.getModelVersionByAlias(name, alias);
        printResult(flags, current, [current], VERSION_COLUMNS);
      },
    );

  withClientFlags(models.command("resolve <uri>"))
    .description("Resolve models:/name/3, models:/name/Production, models:/name@alias or runs:/<run>/path.")
    .action(async (uri: string, flags: ClientFlags) => {
      const resolved = await (await createClient(flags)).resolveModelUri(uri);
      printResult(
        flags,
        resolved,
        [resolved],
        [
          { header: "MODEL", value: (row) => row.name },
          { header: "VERSION", value: (row) => row.version },
          { header: "RUN", value: (row) => row.runId },
          { header: "ARTIFACTS", value: (row) => row.artifactUri },
        ],
      );
    });

  withClientFlags(models.command("history <name>"))
    .description("Every stage transition and alias move of a model: who, when, from, to.")
    .action(async (name: string, flags: ClientFlags) => {
      const events = await (await createClient(flags)).getRegistryHistory(name);
      printResult(flags, events, events, EVENT_COLUMNS);
    });
}
