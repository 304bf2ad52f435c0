/**
 * @module registry/store
 * What the server, CLI and SDK need from a model registry backend. One SQL implementation serves
 * SQLite and PostgreSQL on the tracking store's database. Version numbers arrive and leave as the
 * strings the wire carries; `user` is who asks, recorded in the history of stage and alias moves.
 */
import type {
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  ModelVersion,
  Page,
  RegisteredModel,
  RegistryEvent,
  SearchRegistryInput,
  Tag,
  TransitionStageInput,
} from "./entities.js";

export interface RegistryStore {
  createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Renames the model with its versions, tags, aliases and history. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string | undefined): Promise<RegisteredModel>;
  /** Deletes the model and everything under it for good; its history stays. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(input: SearchRegistryInput): Promise<Page<RegisteredModel>>;
  /** The highest READY version in each of `stages` (every stage when none are given). */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, tag: Tag): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  /** Points `alias` at a version, creating or moving it. */
  setRegisteredModelAlias(name: string, alias: string, version: string, user: string): Promise<void>;
  /** Removes an alias; a no-op when the model has no such alias. */
  deleteRegisteredModelAlias(name: string, alias: string, user: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  updateModelVersion(name: string, version: string, description: string | undefined): Promise<ModelVersion>;
  transitionModelVersionStage(input: TransitionStageInput): Promise<ModelVersion>;
  /** Soft-deletes a version: every later read of it is a 404, and its number is never reused. */
  deleteModelVersion(name: string, version: string, user: string): Promise<void>;
  /** Where the version's files are stored (a `runs:/` source resolved to the run's artifact URI). */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  searchModelVersions(input: SearchRegistryInput): Promise<Page<ModelVersion>>;
  setModelVersionTag(name: string, version: string, tag: Tag): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;

  /** Every stage transition and alias move of a model, oldest first; `version` narrows it to one version. */
  getHistory(name: string, version?: string): Promise<RegistryEvent[]>;
}
