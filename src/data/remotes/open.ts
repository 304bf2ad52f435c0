/**
 * @module data/remotes/open
 * Turns a remote URL (and the settings of its `['remote "name"']` section in `.dvc/config`) into a
 * {@link Remote}. Each scheme is one entry in a table; a new backend is a new file plus one line here.
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { invalidParameter, LatheError } from "../../core/errors.js";
import { LocalRemote } from "./local.js";
import type { Remote } from "./remote.js";
import { S3Remote, type S3RemoteOptions } from "./s3.js";

/** Options for {@link openRemote}. */
export interface OpenRemoteOptions extends S3RemoteOptions {
  /** The remote's name in `.dvc/config`, shown in messages as `'name' (url)`. */
  name?: string;
  /**
   * Folder a relative local path resolves against; default the working directory. DVC resolves a
   * relative `url` against the folder of the config file that defines it (`.dvc/`).
   */
  baseDir?: string;
}

type Opener = (url: string, options: OpenRemoteOptions, label: string) => Remote;

const OPENERS: Record<string, Opener> = {
  "s3:": (url, options, label) => new S3Remote(url, options, label),
  "file:": (url, _options, label) => new LocalRemote(url, fileURLToPath(url), label),
};

/**
 * Opens the remote at `url`: a plain path or `file://` URL gives a folder remote, `s3://bucket/prefix`
 * an S3 remote. Nothing is contacted until the first call.
 * @throws LatheError INVALID_PARAMETER_VALUE for an empty or malformed URL; NOT_IMPLEMENTED for other schemes.
 * @example openRemote("s3://my-bucket/dvcstore", { endpointUrl: "http://127.0.0.1:9000" })
 */
export function openRemote(url: string, options: OpenRemoteOptions = {}): Remote {
  if (url.trim() === "") throw invalidParameter("The remote URL is empty");
  const label = options.name ? `'${options.name}' (${url})` : url;
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(url)?.[1];
  if (scheme === undefined) {
    const root = isAbsolute(url) ? url : resolve(options.baseDir ?? process.cwd(), url);
    return new LocalRemote(url, root, label);
  }
  const opener = OPENERS[`${scheme.toLowerCase()}:`];
  if (!opener) {
    throw new LatheError(
      "NOT_IMPLEMENTED",
      `Remote ${label} uses the scheme "${scheme}", which Lathe does not support yet; use a folder path, file:// or s3://`,
    );
  }
  return opener(url, options, label);
}

function positiveInteger(key: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw invalidParameter(`Remote setting ${key} = ${value} is not a positive integer`);
  return parsed;
}

/**
 * Maps the keys of a DVC `['remote "name"']` config section to {@link OpenRemoteOptions}
 * (`endpointurl`, `region`, `access_key_id`, `secret_access_key`, `session_token`, and the
 * transfer `jobs`). Unknown keys are ignored, as they belong to schemes Lathe does not speak.
 */
export function remoteOptionsFromConfig(section: Readonly<Record<string, string>>): OpenRemoteOptions & {
  jobs?: number;
} {
  const options: OpenRemoteOptions & { jobs?: number } = {};
  if (section.endpointurl) options.endpointUrl = section.endpointurl;
  if (section.region) options.region = section.region;
  if (section.access_key_id) options.accessKeyId = section.access_key_id;
  if (section.secret_access_key) options.secretAccessKey = section.secret_access_key;
  if (section.session_token) options.sessionToken = section.session_token;
  if (section.jobs) options.jobs = positiveInteger("jobs", section.jobs);
  return options;
}
