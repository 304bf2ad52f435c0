/**
 * @module registry/promotion
 * Promote and roll back: the two moves a deployment needs. Promotion points an alias (or a stage)
 * at a version; rollback points an alias back at the version that held it before its last move,
 * read from the registry's history. Works through any client that speaks the registry API.
 */
import { invalidParameter } from "../core/errors.js";
import type { ModelVersion, RegistryEvent } from "./entities.js";

/** The registry calls promotion needs; `LatheClient` provides them. */
export interface PromotionTarget {
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    options?: { archiveExistingVersions?: boolean },
  ): Promise<ModelVersion>;
  getRegistryHistory(name: string): Promise<RegistryEvent[]>;
}

export type PromotionGoal = { alias: string } | { stage: string };

export interface PromotionResult {
  name: string;
  version: string;
  alias?: string;
  stage?: string;
  /** The version that held the alias before, when there was one. */
  previous?: string;
}

function currentHolder(events: readonly RegistryEvent[], alias: string): string | undefined {
  const last = events.filter((event) => event.kind === "alias" && event.alias === alias).at(-1);
  return last?.to;
}

/** Points `alias` at `version` (or moves the version to `stage`, archiving the one there before). */
export async function promote(
  target: PromotionTarget,
  name: string,
  version: string,
  goal: PromotionGoal,
): Promise<PromotionResult> {
  await target.getModelVersion(name, version);
  if ("alias" in goal) {
    const previous = currentHolder(await target.getRegistryHistory(name), goal.alias);
    await target.setRegisteredModelAlias(name, goal.alias, version);
    return { name, version, alias: goal.alias, previous };
  }
  const archive = ["staging", "production"].includes(goal.stage.toLowerCase());
  const moved = await target.transitionModelVersionStage(name, version, goal.stage, {
    archiveExistingVersions: archive,
  });
  return { name, version, stage: moved.current_stage };
}

/**
 * Moves `alias` back to the version that held it before its most recent move. Refuses, saying
 * why, when the alias never pointed elsewhere or that version has since been deleted.
 */
export async function rollback(target: PromotionTarget, name: string, alias: string): Promise<PromotionResult> {
  const moves = (await target.getRegistryHistory(name)).filter(
    (event) => event.kind === "alias" && event.alias === alias,
  );
  const last = moves.at(-1);
  if (!last) {
    throw invalidParameter(`Model '${name}' has no history for alias '${alias}': promote a version to it first.`);
  }
  if (last.to === undefined) {
    throw invalidParameter(
      `Alias '${alias}' of model '${name}' was removed; promote a version to it instead of rolling back.`,
    );
  }
  if (last.from === undefined) {
    throw invalidParameter(
      `Alias '${alias}' of model '${name}' has pointed only at version ${last.to}; there is no earlier version to roll back to.`,
    );
  }
  try {
    await target.getModelVersion(name, last.from);
  } catch (error) {
    throw invalidParameter(
      `Cannot roll '${alias}' back to version ${last.from} of model '${name}': that version no longer exists (${(error as Error).message}). Promote another version instead.`,
    );
  }
  await target.setRegisteredModelAlias(name, alias, last.from);
  return { name, version: last.from, alias, previous: last.to };
}
