/**
 * @module cli/card
 * `lathe card model|dataset`: Hugging Face cards, printed or written to a file.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { type ClientFlags, createClient, withClientFlags } from "./common.js";

interface CardFlags extends ClientFlags {
  output?: string;
  template?: string;
  license?: string;
}

async function emit(text: string, flags: CardFlags): Promise<void> {
  if (flags.output) {
    await writeFile(flags.output, text);
    process.stdout.write(`Wrote ${flags.output}.\n`);
  } else process.stdout.write(text);
}

async function template(flags: CardFlags): Promise<string | undefined> {
  return flags.template === undefined ? undefined : readFile(flags.template, "utf8");
}

export function registerCardCommands(program: Command): void {
  const card = program.command("card").description("Write model and dataset cards (Hugging Face format).");
  withClientFlags(card.command("model <uri>"))
    .description("A model card for a registered version: models:/name/3 or models:/name@alias.")
    .option("-o, --output <file>", "write the card here instead of printing it")
    .option("--template <file>", "Markdown template with {{placeholders}} (default: the built-in one)")
    .option("--license <id>", "license in the front matter (default: other)")
    .action(async (uri: string, flags: CardFlags) => {
      const { modelCard } = await import("../cards/model-card.js");
      const client = await createClient(flags);
      await emit(await modelCard(client, uri, { license: flags.license, template: await template(flags) }), flags);
    });
  card
    .command("dataset <data>")
    .description("A dataset card for a CSV or Parquet file: schema, statistics, provenance from its .dvc hash.")
    .option("-o, --output <file>", "write the card here instead of printing it")
    .option("--template <file>", "Markdown template with {{placeholders}} (default: the built-in one)")
    .option("--license <id>", "license in the front matter (default: other)")
    .action(async (data: string, flags: CardFlags) => {
      const { datasetCard } = await import("../cards/dataset-card.js");
      await emit(await datasetCard(data, { license: flags.license, template: await template(flags) }), flags);
    });
}
