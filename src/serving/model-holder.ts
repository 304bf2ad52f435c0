/**
 * @module serving/model-holder
 * Holds the model being served and swaps it atomically. Each request takes a lease on the current
 * model and returns it when done; `swap` points new requests at the new model at once, and the old
 * one's session is released only after its last lease comes back (requests in flight finish on it).
 */
import { LatheError } from "../core/errors.js";
import type { ServedModel } from "./model.js";

/** A request's hold on one model; call `release` exactly once. */
export interface Lease {
  readonly model: ServedModel;
  release(): void;
}

interface Slot {
  readonly model: ServedModel;
  leases: number;
  retired: boolean;
  closed?: Promise<void>;
}

export class ModelHolder {
  #current: Slot | undefined;
  readonly #retiring = new Set<Slot>();
  readonly #onClose: ((model: ServedModel) => void) | undefined;

  constructor(model?: ServedModel, options: { onClose?: (model: ServedModel) => void } = {}) {
    if (model) this.#current = { model, leases: 0, retired: false };
    this.#onClose = options.onClose;
  }

  /** The model new requests go to, if one is loaded. */
  get current(): ServedModel | undefined {
    return this.#current?.model;
  }

  get ready(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Takes a lease on the current model.
   *
   * @throws LatheError TEMPORARILY_UNAVAILABLE when no model is loaded yet
   */
  acquire(): Lease {
    const slot = this.#current;
    if (!slot) throw new LatheError("TEMPORARILY_UNAVAILABLE", "The model is not loaded yet; retry shortly.");
    slot.leases++;
    let released = false;
    return {
      model: slot.model,
      release: () => {
        if (released) return;
        released = true;
        slot.leases--;
        if (slot.retired && slot.leases === 0) this.#close(slot);
      },
    };
  }

  /** Serves `model` from now on; the previous model is closed once its requests finish. */
  swap(model: ServedModel): void {
    const previous = this.#current;
    this.#current = { model, leases: 0, retired: false };
    if (previous) {
      previous.retired = true;
      this.#retiring.add(previous);
      if (previous.leases === 0) this.#close(previous);
    }
  }

  #close(slot: Slot): void {
    slot.closed ??= slot.model
      .close()
      .catch(() => undefined)
      .finally(() => {
        this.#retiring.delete(slot);
        this.#onClose?.(slot.model);
      });
  }

  /** Models replaced but still finishing requests. */
  get retiringCount(): number {
    return this.#retiring.size;
  }

  /** Closes every model; call after the HTTP server has drained. */
  async close(): Promise<void> {
    const slots = [...this.#retiring, ...(this.#current ? [this.#current] : [])];
    this.#current = undefined;
    for (const slot of slots) this.#close(slot);
    await Promise.all(slots.map((slot) => slot.closed));
  }
}
