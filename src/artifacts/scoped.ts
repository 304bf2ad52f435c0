/**
 * @module artifacts/scoped
 * A view of a sub-folder of another repository, used for `mlflow-artifacts:/<rel>` URIs. Delegating to a
 * repository rooted at the artifacts destination (rather than opening one rooted at `<dest>/<rel>`) keeps the
 * symlink check anchored at the destination, so a link at `<dest>/<rel>` itself cannot move the root elsewhere.
 * Methods are async so that a rejected path surfaces as a rejected promise, never a synchronous throw.
 */
import type { Readable } from "node:stream";
import { invalidParameter } from "../core/errors.js";
import { validateArtifactPath } from "./path-safety.js";
import type { ArtifactFileInfo, ArtifactRepository } from "./repository.js";

/** Repository whose root is `prefix` inside `inner`; paths in and out are relative to that prefix. */
export class ScopedArtifactRepository implements ArtifactRepository {
  readonly rootUri: string;
  readonly #inner: ArtifactRepository;
  readonly #prefix: string;

  /** @param prefix a non-empty path already accepted by `validateArtifactPath`. */
  constructor(inner: ArtifactRepository, prefix: string, rootUri: string) {
    this.#inner = inner;
    this.#prefix = prefix;
    this.rootUri = rootUri;
  }

  async put(path: string, body: Readable): Promise<number> {
    return this.#inner.put(this.#nonRoot(path, "write a file over"), body);
  }

  async get(path: string): Promise<{ stream: Readable; size: number }> {
    return this.#inner.get(this.#full(path));
  }

  async list(path = ""): Promise<ArtifactFileInfo[]> {
    const strip = this.#prefix.length + 1;
    const files = await this.#inner.list(this.#full(path));
    return files.map((file) => ({ ...file, path: file.path.slice(strip) }));
  }

  async delete(path: string): Promise<void> {
    return this.#inner.delete(this.#nonRoot(path, "delete"));
  }

  #full(path: string): string {
    const rel = validateArtifactPath(path);
    return rel === "" ? this.#prefix : `${this.#prefix}/${rel}`;
  }

  #nonRoot(path: string, action: string): string {
    const rel = validateArtifactPath(path);
    if (rel === "") throw invalidParameter(`Invalid path: refusing to ${action} the artifact root`);
    return `${this.#prefix}/${rel}`;
  }
}
