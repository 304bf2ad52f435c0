/**
 * @module registry/store/version-writes
 * The model version writes that carry MLflow's registry semantics (reference/mlflow.md §5):
 * numbering a new version, moving versions between stages, and soft-deleting one. Each runs in one
 * write transaction; stage moves and the aliases a deletion drops are written to the history in it.
 */
import { invalidParameter, LatheError } from "../../core/errors.js";
import type { Tag } from "../../tracking/entities.js";
import type { DialectName } from "../../tracking/store/database.js";
import { writeTransaction } from "../../tracking/store/transaction.js";
import { ACTIVE_STAGES, type ModelStage, type ModelVersion, STAGE_DELETED_INTERNAL } from "../entities.js";
import { type EventInput, recordEvents } from "./history.js";
import { isUniqueViolation, loadVersion, lockModel, requireModel, requireVersion } from "./lookups.js";
import { type RegistryDb, versionFromRow } from "./rows.js";
import type { ModelVersionsTable } from "./schema.js";

/** MLflow's store tries a version number three times before giving up. */
const CREATE_VERSION_ATTEMPTS = 3;

const REDACTED = { source: "REDACTED-SOURCE-PATH", runId: "REDACTED-RUN-ID", runLink: "REDACTED-RUN-LINK" };

export interface NewVersion {
  name: string;
  source: string;
  storageLocation: string | null;
  runId: string;
  runLink: string;
  description: string;
  userId: string | null;
  tags: Tag[];
}

/**
 * Registers the next version of a model: the highest number ever used (deleted versions included)
 * plus one. The read and the insert share one write transaction, which on SQLite holds the write
 * lock from its start; on PostgreSQL the model's row is locked first, so creators take turns. Should
 * two inserts of one number still meet, the primary key refuses the second and it is retried.
 */
export async function insertVersion(db: RegistryDb, dialect: DialectName, input: NewVersion): Promise<ModelVersion> {
  const { name, tags } = input;
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeTransaction(db, dialect, async (trx) => {
        await lockModel(trx, dialect, name);
        await requireModel(trx, name);
        const now = Date.now();
        const last = await trx
          .selectFrom("model_versions")
          .select((eb) => eb.fn.max("version").as("max"))
          .where("name", "=", name)
          .executeTakeFirst();
        const row: ModelVersionsTable = {
          name,
          version: Number(last?.max ?? 0) + 1,
          creation_time: now,
          last_updated_time: now,
          description: input.description,
          user_id: input.userId,
          current_stage: "None",
          source: input.source,
          storage_location: input.storageLocation,
          run_id: input.runId,
          run_link: input.runLink,
          status: "READY",
          status_message: null,
        };
        await trx.insertInto("model_versions").values(row).execute();
        if (tags.length > 0) {
          await trx
            .insertInto("model_version_tags")
            .values(tags.map((tag) => ({ name, version: row.version, key: tag.key, value: tag.value })))
            .execute();
        }
        await trx.updateTable("registered_models").set({ last_updated_time: now }).where("name", "=", name).execute();
        return versionFromRow(row, tags);
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (attempt >= CREATE_VERSION_ATTEMPTS) {
        // 503 is a status MLflow's clients retry with backoff.
        throw new LatheError(
          "TEMPORARILY_UNAVAILABLE",
          `Model Version creation error (name=${name}): other versions were being registered at the same time. Giving up after ${CREATE_VERSION_ATTEMPTS} attempts; try again.`,
        );
      }
    }
  }
}

export interface StageMove {
  name: string;
  version: number;
  stage: ModelStage;
  /** As written by the caller, for the error message. */
  stageText: string;
  archiveExistingVersions: boolean;
  user: string;
}

/**
 * Moves a version to a stage; with `archiveExistingVersions` (Staging or Production only), every
 * other version in that stage goes to Archived in the same transaction. Each real move is recorded.
 */
export async function moveToStage(db: RegistryDb, dialect: DialectName, move: StageMove): Promise<ModelVersion> {
  const { name, version, stage, user } = move;
  if (move.archiveExistingVersions && !ACTIVE_STAGES.includes(stage)) {
    throw invalidParameter(
      `Model version transition cannot archive existing model versions because '${move.stageText}' is not an Active stage. Valid stages are ${ACTIVE_STAGES.join(", ")}; pass archive_existing_versions=false for other stages.`,
    );
  }
  return writeTransaction(db, dialect, async (trx) => {
    await lockModel(trx, dialect, name);
    const row = await requireVersion(trx, name, version);
    const now = Date.now();
    const events: EventInput[] = [];
    if (move.archiveExistingVersions) {
      const others = trx
        .updateTable("model_versions")
        .where("name", "=", name)
        .where("version", "<>", version)
        .where("current_stage", "=", stage);
      for (const other of await others
        .returning("version")
        .set({ current_stage: "Archived", last_updated_time: now })
        .execute()) {
        events.push({
          name,
          version: Number(other.version),
          kind: "stage",
          from: stage,
          to: "Archived",
          user,
          timestamp: now,
        });
      }
    }
    if (row.current_stage !== stage) {
      events.push({ name, version, kind: "stage", from: row.current_stage, to: stage, user, timestamp: now });
    }
    await trx
      .updateTable("model_versions")
      .set({ current_stage: stage, last_updated_time: now })
      .where("name", "=", name)
      .where("version", "=", version)
      .execute();
    await trx.updateTable("registered_models").set({ last_updated_time: now }).where("name", "=", name).execute();
    await recordEvents(trx, events);
    return loadVersion(trx, name, version);
  });
}

/**
 * Soft-deletes a version: its row stays so its number is never reused, but what it pointed to is
 * redacted, every read of it becomes a 404, and the aliases on it are removed (and recorded).
 * Tags are kept, as in MLflow.
 */
export async function softDeleteVersion(
  db: RegistryDb,
  dialect: DialectName,
  name: string,
  version: number,
  user: string,
): Promise<void> {
  await writeTransaction(db, dialect, async (trx) => {
    await lockModel(trx, dialect, name);
    await requireVersion(trx, name, version);
    const now = Date.now();
    const aliases = await trx
      .deleteFrom("registered_model_aliases")
      .where("name", "=", name)
      .where("version", "=", version)
      .returning("alias")
      .execute();
    await recordEvents(
      trx,
      aliases.map(({ alias }) => ({
        name,
        version,
        kind: "alias",
        alias,
        from: String(version),
        user,
        timestamp: now,
      })),
    );
    await trx
      .updateTable("model_versions")
      .set({
        current_stage: STAGE_DELETED_INTERNAL,
        last_updated_time: now,
        description: null,
        user_id: null,
        source: REDACTED.source,
        storage_location: null,
        run_id: REDACTED.runId,
        run_link: REDACTED.runLink,
        status_message: null,
      })
      .where("name", "=", name)
      .where("version", "=", version)
      .execute();
    await trx.updateTable("registered_models").set({ last_updated_time: now }).where("name", "=", name).execute();
  });
}
