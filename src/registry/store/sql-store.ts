/**
 * @module registry/store/sql-store
 * The model registry on SQL, written once against Kysely for SQLite and PostgreSQL, on the tracking
 * store's database. Semantics follow MLflow's SQL registry store (reference/mlflow.md §5): version
 * numbers are the highest ever used plus one, never reused; deleting a version soft-deletes and
 * redacts it and drops its aliases; deleting a model removes everything but its history.
 */
import { alreadyExists, invalidParameter, notFound } from "../../core/errors.js";
import type { Page, Tag } from "../../tracking/entities.js";
import type { DialectName, OpenedDatabase } from "../../tracking/store/database.js";
import { migrateToLatest, trackingMigrations } from "../../tracking/store/migrations.js";
import type { TrackingDatabase } from "../../tracking/store/schema.js";
import { writeTransaction } from "../../tracking/store/transaction.js";
import { validateKey } from "../../tracking/validation.js";
import {
  type CreateModelVersionInput,
  type CreateRegisteredModelInput,
  MODEL_STAGES,
  type ModelVersion,
  type RegisteredModel,
  type RegistryEvent,
  type SearchRegistryInput,
  type TransitionStageInput,
} from "../entities.js";
import { validateModelVersionSource } from "../source.js";
import type { RegistryStore } from "../store.js";
import { resolveModelUri, storeRegistryLookup } from "../uri.js";
import { canonicalStage, parseVersion, validateAlias, validateModelName, validateRegistryTag } from "../validation.js";
import { loadEvents, recordEvents } from "./history.js";
import {
  dedupeTags,
  isUniqueViolation,
  loadModel,
  loadVersion,
  lockModel,
  requireModel,
  requireVersion,
} from "./lookups.js";
import type { RegistryDb } from "./rows.js";
import type { RegistryDatabase } from "./schema.js";
import { searchModelVersions, searchRegisteredModels } from "./search.js";
import { insertVersion, moveToStage, softDeleteVersion } from "./version-writes.js";

function joinUri(root: string, path: string): string {
  return path === "" ? root : `${root.replace(/\/+$/, "")}/${path}`;
}

export class SqlRegistryStore implements RegistryStore {
  private readonly db: RegistryDb;
  private readonly dialect: DialectName;

  /** Uses a database the tracking store has opened (and so migrated); see `open` otherwise. */
  constructor(opened: OpenedDatabase<TrackingDatabase>) {
    this.db = opened.db.withTables<RegistryDatabase>();
    this.dialect = opened.dialect;
  }

  /** Migrates the database (tracking and registry tables) and opens the store on it. */
  static async open(opened: OpenedDatabase<TrackingDatabase>): Promise<SqlRegistryStore> {
    await migrateToLatest(opened.db, trackingMigrations(opened.dialect));
    return new SqlRegistryStore(opened);
  }

  private async runArtifactUri(runId: string): Promise<string> {
    const row = await this.db
      .selectFrom("runs")
      .select("artifact_uri")
      .where("run_uuid", "=", runId)
      .executeTakeFirst();
    if (!row) throw notFound(`Run with id=${runId} not found`);
    return row.artifact_uri;
  }

  // ── registered models ────────────────────────────────────────────────────────────────────────

  async createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel> {
    const name = validateModelName(input.name);
    const tags = dedupeTags(input.tags ?? []).map((tag) => validateRegistryTag(tag, "Registered model"));
    const now = Date.now();
    const exists = () =>
      alreadyExists(
        `Registered Model (name=${name}) already exists. Choose another name, or register a new version of it with model-versions/create.`,
      );
    try {
      return await writeTransaction(this.db, this.dialect, async (trx) => {
        const existing = await trx
          .selectFrom("registered_models")
          .select("name")
          .where("name", "=", name)
          .executeTakeFirst();
        if (existing) throw exists();
        await trx
          .insertInto("registered_models")
          .values({
            name,
            creation_time: now,
            last_updated_time: now,
            description: input.description ?? "",
            user_id: input.user ?? null,
          })
          .execute();
        if (tags.length > 0) {
          await trx
            .insertInto("registered_model_tags")
            .values(tags.map((tag) => ({ name, key: tag.key, value: tag.value })))
            .execute();
        }
        return loadModel(trx, name);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw exists();
      throw error;
    }
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return loadModel(this.db, validateModelName(name));
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    validateModelName(name);
    const target = validateModelName(newName);
    const now = Date.now();
    const exists = () => alreadyExists(`Registered Model (name=${target}) already exists. Choose another name.`);
    try {
      return await writeTransaction(this.db, this.dialect, async (trx) => {
        await lockModel(trx, this.dialect, name);
        await requireModel(trx, name);
        if (target !== name) {
          const clash = await trx
            .selectFrom("registered_models")
            .select("name")
            .where("name", "=", target)
            .executeTakeFirst();
          if (clash) throw exists();
          // Versions, tags and aliases follow through ON UPDATE CASCADE; the history has no foreign key.
          await trx.updateTable("registered_models").set({ name: target }).where("name", "=", name).execute();
          await trx.updateTable("registry_events").set({ name: target }).where("name", "=", name).execute();
        }
        await trx.updateTable("registered_models").set({ last_updated_time: now }).where("name", "=", target).execute();
        await trx.updateTable("model_versions").set({ last_updated_time: now }).where("name", "=", target).execute();
        return loadModel(trx, target);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw exists();
      throw error;
    }
  }

  /** An absent description becomes "", as MLflow's handler passes the proto default. */
  async updateRegisteredModel(name: string, description: string | undefined): Promise<RegisteredModel> {
    validateModelName(name);
    return writeTransaction(this.db, this.dialect, async (trx) => {
      await requireModel(trx, name);
      await trx
        .updateTable("registered_models")
        .set({ description: description ?? "", last_updated_time: Date.now() })
        .where("name", "=", name)
        .execute();
      return loadModel(trx, name);
    });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    validateModelName(name);
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await lockModel(trx, this.dialect, name);
      await requireModel(trx, name);
      // Children first, so the delete does not depend on the cascades being enforced.
      await trx.deleteFrom("model_version_tags").where("name", "=", name).execute();
      await trx.deleteFrom("registered_model_aliases").where("name", "=", name).execute();
      await trx.deleteFrom("registered_model_tags").where("name", "=", name).execute();
      await trx.deleteFrom("model_versions").where("name", "=", name).execute();
      await trx.deleteFrom("registered_models").where("name", "=", name).execute();
    });
  }

  searchRegisteredModels(input: SearchRegistryInput): Promise<Page<RegisteredModel>> {
    return searchRegisteredModels(this.db, this.dialect, input);
  }

  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    validateModelName(name);
    const wanted = new Set<string>(stages && stages.length > 0 ? stages.map(canonicalStage) : MODEL_STAGES);
    const model = await loadModel(this.db, name);
    const latest = (model.latest_versions ?? []).filter((version) => wanted.has(version.current_stage));
    return Promise.all(latest.map((version) => loadVersion(this.db, name, Number(version.version))));
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    validateModelName(name);
    validateRegistryTag(tag, "Registered model");
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await lockModel(trx, this.dialect, name);
      await requireModel(trx, name);
      await trx
        .insertInto("registered_model_tags")
        .values({ name, key: tag.key, value: tag.value })
        .onConflict((conflict) => conflict.columns(["name", "key"]).doUpdateSet({ value: tag.value }))
        .execute();
    });
  }

  /** Deleting a tag the model does not have is a no-op, as in MLflow. */
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateModelName(name);
    validateKey("tag", key);
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await lockModel(trx, this.dialect, name);
      await requireModel(trx, name);
      await trx.deleteFrom("registered_model_tags").where("name", "=", name).where("key", "=", key).execute();
    });
  }

  // ── aliases ──────────────────────────────────────────────────────────────────────────────────

  async setRegisteredModelAlias(name: string, alias: string, version: string, user: string): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    const number = parseVersion(version);
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await lockModel(trx, this.dialect, name);
      await requireVersion(trx, name, number);
      const current = await trx
        .selectFrom("registered_model_aliases")
        .select("version")
        .where("name", "=", name)
        .where("alias", "=", alias)
        .executeTakeFirst();
      if (current && Number(current.version) === number) return;
      await trx
        .insertInto("registered_model_aliases")
        .values({ name, alias, version: number })
        .onConflict((conflict) => conflict.columns(["name", "alias"]).doUpdateSet({ version: number }))
        .execute();
      await recordEvents(trx, [
        {
          name,
          version: number,
          kind: "alias",
          alias,
          ...(current ? { from: String(current.version) } : {}),
          to: String(number),
          user,
          timestamp: Date.now(),
        },
      ]);
    });
  }

  async deleteRegisteredModelAlias(name: string, alias: string, user: string): Promise<void> {
    validateModelName(name);
    validateAlias(alias);
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await lockModel(trx, this.dialect, name);
      await requireModel(trx, name);
      const current = await trx
        .selectFrom("registered_model_aliases")
        .select("version")
        .where("name", "=", name)
        .where("alias", "=", alias)
        .executeTakeFirst();
      if (!current) return;
      await trx.deleteFrom("registered_model_aliases").where("name", "=", name).where("alias", "=", alias).execute();
      const version = Number(current.version);
      await recordEvents(trx, [
        { name, version, kind: "alias", alias, from: String(version), user, timestamp: Date.now() },
      ]);
    });
  }

  /** An unknown alias is MLflow's 400 INVALID_PARAMETER_VALUE, not a 404. */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    validateAlias(alias);
    const row = await this.db
      .selectFrom("registered_model_aliases")
      .select("version")
      .where("name", "=", name)
      .where("alias", "=", alias)
      .executeTakeFirst();
    if (!row) throw invalidParameter(`Registered model alias ${alias} not found.`);
    return loadVersion(this.db, name, Number(row.version));
  }

  // ── model versions ───────────────────────────────────────────────────────────────────────────

  /** Where a new version's files are: `runs:/` and `models:/` sources resolved, others as given. */
  private async storageLocation(input: CreateModelVersionInput): Promise<string | null> {
    const source = await validateModelVersionSource(input.source, input.runId, (runId) => this.runArtifactUri(runId));
    if (source.kind === "run") return joinUri(await this.runArtifactUri(source.runId), source.path);
    if (source.kind === "model") {
      const lookup = storeRegistryLookup(this, {
        getRun: async (runId) => ({ info: { run_id: runId, artifact_uri: await this.runArtifactUri(runId) } }),
      });
      return (await resolveModelUri(input.source, lookup)).artifactUri;
    }
    return null;
  }

  async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    const name = validateModelName(input.name);
    const tags = dedupeTags(input.tags ?? []).map((tag) => validateRegistryTag(tag, "Model version"));
    // Resolved before the transaction: it reads through this.db, which the transaction holds on SQLite.
    const storageLocation = await this.storageLocation(input);
    return insertVersion(this.db, this.dialect, {
      name,
      source: input.source,
      storageLocation,
      // MLflow stores the proto defaults, so an unset run_id, run_link or description reads back as "".
      runId: input.runId ?? "",
      runLink: input.runLink ?? "",
      description: input.description ?? "",
      userId: input.user ?? null,
      tags,
    });
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return loadVersion(this.db, validateModelName(name), parseVersion(version));
  }

  /** An absent description clears it, as MLflow's handler passes None when the field is unset. */
  async updateModelVersion(name: string, version: string, description: string | undefined): Promise<ModelVersion> {
    validateModelName(name);
    const number = parseVersion(version);
    return writeTransaction(this.db, this.dialect, async (trx) => {
      await requireVersion(trx, name, number);
      await trx
        .updateTable("model_versions")
        .set({ description: description ?? null, last_updated_time: Date.now() })
        .where("name", "=", name)
        .where("version", "=", number)
        .execute();
      return loadVersion(trx, name, number);
    });
  }

  async transitionModelVersionStage(input: TransitionStageInput): Promise<ModelVersion> {
    return moveToStage(this.db, this.dialect, {
      name: validateModelName(input.name),
      version: parseVersion(input.version),
      stage: canonicalStage(input.stage),
      stageText: input.stage,
      archiveExistingVersions: input.archiveExistingVersions ?? false,
      user: input.user,
    });
  }

  async deleteModelVersion(name: string, version: string, user: string): Promise<void> {
    await softDeleteVersion(this.db, this.dialect, validateModelName(name), parseVersion(version), user);
  }

  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const row = await requireVersion(this.db, validateModelName(name), parseVersion(version));
    return row.storage_location ?? row.source ?? "";
  }

  searchModelVersions(input: SearchRegistryInput): Promise<Page<ModelVersion>> {
    return searchModelVersions(this.db, this.dialect, input);
  }

  async setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    validateRegistryTag(tag, "Model version");
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await lockModel(trx, this.dialect, name);
      await requireVersion(trx, name, number);
      await trx
        .insertInto("model_version_tags")
        .values({ name, version: number, key: tag.key, value: tag.value })
        .onConflict((conflict) => conflict.columns(["name", "version", "key"]).doUpdateSet({ value: tag.value }))
        .execute();
    });
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    validateKey("tag", key);
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await lockModel(trx, this.dialect, name);
      await requireVersion(trx, name, number);
      await trx
        .deleteFrom("model_version_tags")
        .where("name", "=", name)
        .where("version", "=", number)
        .where("key", "=", key)
        .execute();
    });
  }

  // ── history ──────────────────────────────────────────────────────────────────────────────────

  async getHistory(name: string, version?: string): Promise<RegistryEvent[]> {
    validateModelName(name);
    const events = await loadEvents(this.db, name, version === undefined ? undefined : parseVersion(version));
    // A model deleted after its moves still has a history; one that never existed is a 404.
    if (events.length === 0) await requireModel(this.db, name);
    return events;
  }
}
