/**
 * @module client/registry-client
 * Typed calls for MLflow's model registry (reference/mlflow.md §2.5–2.6) and Lathe's registry history
 * extension. Version numbers are accepted as numbers or strings and sent as the strings the wire
 * carries. The read methods match `RegistryLookup`, so `models:/` URIs resolve through this client.
 */
import { LatheError } from "../core/errors.js";
import type { ModelVersion, RegisteredModel, RegistryEvent } from "../registry/entities.js";
import type { Page } from "../tracking/entities.js";
import {
  asObject,
  decodeList,
  decodeModelVersion,
  decodePage,
  decodeRegisteredModel,
  decodeRegistryEvent,
} from "./decode.js";
import { collectPages, TrackingClient } from "./tracking-client.js";
import { type TagsInput, toTags } from "./tracking-options.js";

export type VersionInput = string | number;

export interface CreateRegisteredModelOptions {
  tags?: TagsInput;
  description?: string;
}

export interface CreateModelVersionOptions {
  runId?: string;
  tags?: TagsInput;
  runLink?: string;
  description?: string;
}

export interface SearchRegistryOptions {
  filter?: string;
  orderBy?: readonly string[];
  maxResults?: number;
  pageToken?: string;
}

export interface TransitionStageOptions {
  /** Move every other version in the target stage (Staging or Production) to Archived. */
  archiveExistingVersions?: boolean;
}

export interface RegistryHistoryOptions {
  /** Only this version's events. */
  version?: VersionInput;
}

/** The tracking and registry halves of `LatheClient`; use `LatheClient`. */
export class RegistryClient extends TrackingClient {
  async createRegisteredModel(name: string, options: CreateRegisteredModelOptions = {}): Promise<RegisteredModel> {
    const body = await this.rest.call(
      "POST",
      "registered-models/create",
      { name, tags: toTags(options.tags), description: options.description },
      { idempotent: false },
    );
    return decodeRegisteredModel(body.registered_model);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const body = await this.rest.call("GET", "registered-models/get", { name });
    return decodeRegisteredModel(body.registered_model);
  }

  async searchRegisteredModels(options: SearchRegistryOptions = {}): Promise<Page<RegisteredModel>> {
    const body = await this.rest.call("GET", "registered-models/search", {
      filter: options.filter,
      max_results: options.maxResults,
      order_by: options.orderBy,
      page_token: options.pageToken,
    });
    return decodePage(body, "registered_models", decodeRegisteredModel);
  }

  /** Every registered model matching, following page tokens. */
  searchAllRegisteredModels(options: Omit<SearchRegistryOptions, "pageToken"> = {}): Promise<RegisteredModel[]> {
    return collectPages((pageToken) => this.searchRegisteredModels({ ...options, pageToken }));
  }

  /** Renames a model and its versions. */
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    const body = await this.rest.call(
      "POST",
      "registered-models/rename",
      { name, new_name: newName },
      { idempotent: false },
    );
    return decodeRegisteredModel(body.registered_model);
  }

  async updateRegisteredModel(name: string, options: { description?: string }): Promise<RegisteredModel> {
    const body = await this.rest.call("PATCH", "registered-models/update", {
      name,
      description: options.description,
    });
    return decodeRegisteredModel(body.registered_model);
  }

  /** Deletes a model with all its versions, tags and aliases, for good. */
  async deleteRegisteredModel(name: string): Promise<void> {
    await this.rest.call("DELETE", "registered-models/delete", { name }, { idempotent: false });
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.rest.call("POST", "registered-models/set-tag", { name, key, value }, { idempotent: true });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.rest.call("DELETE", "registered-models/delete-tag", { name, key }, { idempotent: false });
  }

  /** Points `alias` at a version, creating or moving it. */
  async setRegisteredModelAlias(name: string, alias: string, version: VersionInput): Promise<void> {
    await this.rest.call(
      "POST",
      "registered-models/alias",
      { name, alias, version: String(version) },
      { idempotent: true },
    );
  }

  /** Removes an alias; nothing happens when the model has no such alias. */
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.rest.call("DELETE", "registered-models/alias", { name, alias });
  }

  /** The version an alias points at; INVALID_PARAMETER_VALUE for an unknown alias, as in MLflow. */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const body = await this.rest.call("GET", "registered-models/alias", { name, alias });
    return decodeModelVersion(body.model_version);
  }

  /** The highest READY version in each of `stages` (every stage when none are given). */
  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    const body = await this.rest.call(
      "POST",
      "registered-models/get-latest-versions",
      { name, stages },
      { idempotent: true },
    );
    return decodeList(body, "model_versions", decodeModelVersion);
  }

  /**
   * Registers the files at `source` (e.g. `runs:/<run_id>/model`) as the model's next version.
   *
   * @example
   * const version = await client.createModelVersion("iris", `runs:/${run.id}/model`, { runId: run.id });
   */
  async createModelVersion(
    name: string,
    source: string,
    options: CreateModelVersionOptions = {},
  ): Promise<ModelVersion> {
    const body = await this.rest.call(
      "POST",
      "model-versions/create",
      {
        name,
        source,
        run_id: options.runId,
        tags: toTags(options.tags),
        run_link: options.runLink,
        description: options.description,
      },
      { idempotent: false },
    );
    return decodeModelVersion(body.model_version);
  }

  async getModelVersion(name: string, version: VersionInput): Promise<ModelVersion> {
    const body = await this.rest.call("GET", "model-versions/get", { name, version: String(version) });
    return decodeModelVersion(body.model_version);
  }

  async updateModelVersion(
    name: string,
    version: VersionInput,
    options: { description?: string },
  ): Promise<ModelVersion> {
    const body = await this.rest.call("PATCH", "model-versions/update", {
      name,
      version: String(version),
      description: options.description,
    });
    return decodeModelVersion(body.model_version);
  }

  /** Deletes a version; its number is never reused. */
  async deleteModelVersion(name: string, version: VersionInput): Promise<void> {
    await this.rest.call("DELETE", "model-versions/delete", { name, version: String(version) }, { idempotent: false });
  }

  /** Moves a version to a stage (None, Staging, Production, Archived). */
  async transitionModelVersionStage(
    name: string,
    version: VersionInput,
    stage: string,
    options: TransitionStageOptions = {},
  ): Promise<ModelVersion> {
    const body = await this.rest.call(
      "POST",
      "model-versions/transition-stage",
      {
        name,
        version: String(version),
        stage,
        archive_existing_versions: options.archiveExistingVersions ?? false,
      },
      { idempotent: true },
    );
    return decodeModelVersion(body.model_version);
  }

  /** Where the version's files are stored. */
  async getModelVersionDownloadUri(name: string, version: VersionInput): Promise<string> {
    const body = await this.rest.call("GET", "model-versions/get-download-uri", { name, version: String(version) });
    return String(body.artifact_uri ?? "");
  }

  async searchModelVersions(options: SearchRegistryOptions = {}): Promise<Page<ModelVersion>> {
    const body = await this.rest.call("GET", "model-versions/search", {
      filter: options.filter,
      max_results: options.maxResults,
      order_by: options.orderBy,
      page_token: options.pageToken,
    });
    return decodePage(body, "model_versions", decodeModelVersion);
  }

  /** Every model version matching, following page tokens. */
  searchAllModelVersions(options: Omit<SearchRegistryOptions, "pageToken"> = {}): Promise<ModelVersion[]> {
    return collectPages((pageToken) => this.searchModelVersions({ ...options, pageToken }));
  }

  async setModelVersionTag(name: string, version: VersionInput, key: string, value: string): Promise<void> {
    await this.rest.call(
      "POST",
      "model-versions/set-tag",
      { name, version: String(version), key, value },
      { idempotent: true },
    );
  }

  async deleteModelVersionTag(name: string, version: VersionInput, key: string): Promise<void> {
    await this.rest.call(
      "DELETE",
      "model-versions/delete-tag",
      { name, version: String(version), key },
      { idempotent: false },
    );
  }

  /**
   * A model's stage transitions and alias moves, oldest first, from Lathe's `registry/history`
   * extension. MLflow servers do not have it: against one this throws ENDPOINT_NOT_FOUND saying so.
   *
   * @example
   * for (const event of await client.getRegistryHistory("iris")) console.log(event.kind, event.from, event.to);
   */
  async getRegistryHistory(name: string, options: RegistryHistoryOptions = {}): Promise<RegistryEvent[]> {
    let body: Record<string, unknown>;
    try {
      body = await this.rest.call("GET", "registry/history", {
        name,
        version: options.version === undefined ? undefined : String(options.version),
      });
    } catch (error) {
      if (error instanceof LatheError && error.code === "ENDPOINT_NOT_FOUND") {
        throw new LatheError(
          "ENDPOINT_NOT_FOUND",
          `The server at ${this.trackingUri} has no registry history endpoint (GET /api/2.0/mlflow/registry/history). It is a Lathe extension that MLflow servers lack; point MLFLOW_TRACKING_URI at a \`lathe server\` to read a model's history.`,
          { cause: error },
        );
      }
      throw error;
    }
    return decodeList(asObject(body, "registry history"), "events", decodeRegistryEvent);
  }
}
