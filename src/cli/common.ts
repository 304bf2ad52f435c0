/**
 * @module cli/common
 * What every client command shares: `--tracking-uri` (else MLFLOW_TRACKING_URI) and `--json`, and
 * a client built from them. The SDK loads lazily so `lathe --help` stays quick.
 */
import type { Command } from "commander";
import type { LatheClient } from "../client/client.js";
import { invalidParameter } from "../core/errors.js";
import { VIEW_TYPES, type ViewType } from "../tracking/entities.js";

export interface ClientFlags {
  trackingUri?: string;
  json?: boolean;
}

/** Adds the shared flags to a command. */
export function withClientFlags(command: Command): Command {
  return command
    .option("--tracking-uri <uri>", "tracking server (default MLFLOW_TRACKING_URI, else http://127.0.0.1:5000)")
    .option("--json", "print JSON instead of a table");
}

export async function createClient(flags: ClientFlags): Promise<LatheClient> {
  const { LatheClient } = await import("../client/client.js");
  return new LatheClient({ trackingUri: flags.trackingUri });
}

/** The metrics or params of a run as a record. */
export function toRecord(entries: readonly { key: string; value: unknown }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((entries ?? []).map((entry) => [entry.key, entry.value]));
}

/** `--view` as a view type, refusing anything else with the accepted values. */
export function parseViewType(value: string): ViewType {
  const upper = value.toUpperCase() as ViewType;
  if (!VIEW_TYPES.includes(upper))
    throw invalidParameter(`Unknown --view '${value}': use one of ${VIEW_TYPES.join(", ")}.`);
  return upper;
}
