/**
 * @module client/artifacts
 * Moving a run's artifacts between this machine and its artifact root. An `mlflow-artifacts:` root goes
 * through the server's proxy (`/api/2.0/mlflow-artifacts/artifacts/<path>`, reference/mlflow.md §2.4);
 * a `file:` root (or a bare path) and an `s3:` root are read and written directly, as MLflow's local and
 * S3 repositories do (S3 credentials and endpoint from this machine's AWS_* environment and
 * `MLFLOW_S3_ENDPOINT_URL`). All sit behind one small store interface so uploading and downloading
 * folders is written once.
 */
import { createReadStream } from "node:fs";
import { mkdir, readdir, stat } from "node:fs/promises";
import { basename, join, posix, resolve } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { fileURLToPath } from "node:url";
import {
  type ArtifactFileInfo,
  type ArtifactRepository,
  LocalArtifactRepository,
  S3ArtifactRepository,
  validateArtifactPath,
} from "../artifacts/index.js";
import { invalidParameter, LatheError } from "../core/errors.js";
import { writeStreamAtomic } from "../core/fs.js";
import { asObject, decodeFileInfo, decodeList } from "./decode.js";
import type { RequestBody, RestClient } from "./rest.js";

/** Files under one artifact root; paths are relative to it, POSIX separators. */
export interface ArtifactStore {
  readonly rootUri: string;
  /** Stores a local file (given by path) or bytes at `path`. */
  upload(path: string, source: string | Uint8Array): Promise<void>;
  /** Writes the file at `path` to `localFile`; RESOURCE_DOES_NOT_EXIST when there is no such file. */
  download(path: string, localFile: string): Promise<void>;
  /** Direct children of `path`, with paths relative to the root; `[]` for a file or a missing folder. */
  list(path: string): Promise<ArtifactFileInfo[]>;
}

const PROXY_PREFIX = "/api/2.0/mlflow-artifacts/artifacts";
const PARALLEL_TRANSFERS = 4;

function encodePath(path: string): string {
  return path
    .split("/")
    .filter((segment) => segment !== "")
    .map(encodeURIComponent)
    .join("/");
}

/** Artifacts behind the tracking server's proxy, under `root` (e.g. `1/<run_id>/artifacts`). */
class ProxyArtifactStore implements ArtifactStore {
  constructor(
    private readonly rest: RestClient,
    private readonly root: string,
    readonly rootUri: string,
  ) {}

  #full(path: string): string {
    return posix.join(this.root, path).replace(/^\.$/, "");
  }

  async upload(path: string, source: string | Uint8Array): Promise<void> {
    await this.rest.send("PUT", `${PROXY_PREFIX}/${encodePath(this.#full(path))}`, {
      // A fresh stream per attempt, so a retried upload sends the whole file again.
      body: () =>
        typeof source === "string" ? (Readable.toWeb(createReadStream(source)) as unknown as RequestBody) : source,
      headers: { "content-type": "application/octet-stream" },
    });
  }

  async download(path: string, localFile: string): Promise<void> {
    const response = await this.rest.send("GET", `${PROXY_PREFIX}/${encodePath(this.#full(path))}`);
    if (response.body === null)
      throw new LatheError("INTERNAL_ERROR", `The server sent no body for artifact '${path}'.`);
    await writeStreamAtomic(localFile, Readable.fromWeb(response.body as unknown as NodeReadableStream));
  }

  async list(path: string): Promise<ArtifactFileInfo[]> {
    const response = await this.rest.send("GET", PROXY_PREFIX, { query: { path: this.#full(path) } });
    const body = asObject(JSON.parse((await response.text()) || "{}"), "artifact listing");
    // The proxy names children by their base name only; make them relative to the store root again.
    return decodeList(body, "files", decodeFileInfo).map((file) => ({ ...file, path: posix.join(path, file.path) }));
  }
}

/** Artifacts this machine reads and writes itself: a folder it can reach, or an S3 prefix. */
class DirectArtifactStore implements ArtifactStore {
  readonly rootUri: string;
  readonly #repository: ArtifactRepository;

  constructor(repository: ArtifactRepository) {
    this.#repository = repository;
    this.rootUri = repository.rootUri;
  }

  async upload(path: string, source: string | Uint8Array): Promise<void> {
    await this.#repository.put(path, typeof source === "string" ? createReadStream(source) : Readable.from([source]));
  }

  async download(path: string, localFile: string): Promise<void> {
    const { stream } = await this.#repository.get(path);
    await writeStreamAtomic(localFile, stream);
  }

  list(path: string): Promise<ArtifactFileInfo[]> {
    return this.#repository.list(path);
  }
}

/**
 * The store behind a run's `artifact_uri`: the proxy for `mlflow-artifacts:/...`, the folder itself for
 * `file:///...` or a bare path, the bucket itself for `s3://bucket/prefix`. Other schemes (gs:, ...) are
 * NOT_IMPLEMENTED: serve them through the proxy.
 */
export function openArtifactStore(rest: RestClient, artifactUri: string): ArtifactStore {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(artifactUri)?.[1]?.toLowerCase();
  if (scheme === "mlflow-artifacts") {
    let remainder = artifactUri.slice("mlflow-artifacts:".length);
    if (remainder.startsWith("//")) {
      const authority = remainder.slice(2).split("/")[0] ?? "";
      if (authority !== "" && authority !== new URL(rest.baseUrl).host) {
        throw new LatheError(
          "NOT_IMPLEMENTED",
          `Artifact URI '${artifactUri}' is proxied by ${authority}, not by ${rest.baseUrl}; point MLFLOW_TRACKING_URI at that server.`,
        );
      }
      remainder = remainder.slice(2 + authority.length);
    }
    return new ProxyArtifactStore(rest, validateArtifactPath(remainder.replace(/^\/+/, "")), artifactUri);
  }
  if (scheme === "file")
    return new DirectArtifactStore(new LocalArtifactRepository(fileURLToPath(artifactUri), artifactUri));
  if (scheme === undefined)
    return new DirectArtifactStore(new LocalArtifactRepository(resolve(artifactUri), artifactUri));
  if (scheme === "s3") return new DirectArtifactStore(new S3ArtifactRepository(artifactUri));
  throw new LatheError(
    "NOT_IMPLEMENTED",
    `The Lathe client cannot read or write artifact URI '${artifactUri}' directly (scheme '${scheme}:'). Start the server with --serve-artifacts so runs get mlflow-artifacts:/ URIs.`,
  );
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Every file under `dir`, as POSIX paths relative to it. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    const info = entry.isSymbolicLink() ? await stat(join(dir, rel)) : entry;
    if (info.isDirectory()) files.push(...(await listFiles(dir, rel)));
    else if (info.isFile()) files.push(rel);
  }
  return files;
}

export interface UploadOptions {
  /** Put a folder's files directly under `artifactPath` instead of under `<artifactPath>/<folder name>`. */
  contents?: boolean;
  /** Files (relative to the folder) to leave out. */
  skip?: (relativePath: string) => boolean;
}

/**
 * Uploads a file or folder to `artifactPath`. A file keeps its name (`<artifactPath>/<name>`); a folder
 * keeps its name too unless `contents` is set, in which case what it holds goes directly under `artifactPath`.
 */
export async function uploadPath(
  store: ArtifactStore,
  localPath: string,
  artifactPath = "",
  options: UploadOptions = {},
): Promise<void> {
  const target = validateArtifactPath(artifactPath);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(localPath);
  } catch {
    throw invalidParameter(`Cannot log artifact '${localPath}': no such file or folder.`);
  }
  if (info.isFile()) return store.upload(posix.join(target, basename(localPath)), localPath);
  if (!info.isDirectory()) throw invalidParameter(`Cannot log artifact '${localPath}': not a file or folder.`);
  const prefix = options.contents ? target : posix.join(target, basename(resolve(localPath)));
  const files = (await listFiles(localPath)).filter((file) => !options.skip?.(file));
  await eachLimited(files, PARALLEL_TRANSFERS, (file) => store.upload(posix.join(prefix, file), join(localPath, file)));
}

/** A child's base name, refused when it would step out of the download folder. */
function safeName(path: string): string {
  const name = posix.basename(path);
  if (name === "" || name === "." || name === ".." || name.includes("\\")) {
    throw new LatheError("INTERNAL_ERROR", `The server listed an artifact with an unsafe name: '${path}'.`);
  }
  return name;
}

async function downloadTree(store: ArtifactStore, path: string, localPath: string): Promise<void> {
  const children = await store.list(path);
  if (children.length === 0) {
    if (path === "") {
      await mkdir(localPath, { recursive: true });
      return;
    }
    return store.download(path, localPath);
  }
  await mkdir(localPath, { recursive: true });
  const folders = children.filter((child) => child.is_dir);
  const files = children.filter((child) => !child.is_dir);
  await eachLimited(files, PARALLEL_TRANSFERS, (file) =>
    store.download(file.path, join(localPath, safeName(file.path))),
  );
  for (const folder of folders) await downloadTree(store, folder.path, join(localPath, safeName(folder.path)));
}

/**
 * Downloads the file or folder at `artifactPath` (`""` = everything) into `destDir`, keeping its relative
 * path, and returns the local path of what was downloaded.
 */
export async function downloadPath(store: ArtifactStore, artifactPath: string, destDir: string): Promise<string> {
  const path = validateArtifactPath(artifactPath);
  const localPath = path === "" ? resolve(destDir) : join(resolve(destDir), ...path.split("/"));
  await downloadTree(store, path, localPath);
  return localPath;
}
