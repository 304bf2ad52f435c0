/**
 * @module tracking/store/search-cache
 * Remembers recent run-search pages until the data changes. Dashboards and clients poll the same
 * searches over and over while runs are not changing; answering those from memory is what lets
 * many clients search at once. Correctness rests on the version read before each search: SQLite's
 * `data_version` changes when another connection (another server process) commits, and
 * `total_changes()` grows with every row this connection writes, so any write makes every cached
 * page unreachable. A version is read before the query runs, so a page is never filed under a
 * version newer than the data it was computed from.
 *
 * Beside whole pages it remembers the items pages are made of, by id, under the same version: a
 * search no page answers (a new filter) still runs its query, but reads from the database only the
 * items no earlier page of this version held.
 */
import { type Kysely, sql } from "kysely";

/** Pages kept at most, and runs across all kept pages at most (whichever limit is reached first). */
const MAX_ENTRIES = 256;
const MAX_RUNS = 50_000;

/** Items remembered under one data version, by id; a new version gets a new map. */
export type RememberedItems<I> = Map<string, I>;

export class SearchCache<I, T extends { items: readonly I[] } = { items: readonly I[] }> {
  private readonly pages = new Map<string, T>();
  private items: RememberedItems<I> = new Map();
  private version = "";
  private runs = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly db: Kysely<unknown>) {}

  /** The data version now: changes after any committed write, from this process or another. */
  private async currentVersion(): Promise<string> {
    const { rows } = await sql<{ changes: number; version: number }>`
      select total_changes() as changes, (select data_version from pragma_data_version) as version`.execute(this.db);
    return `${rows[0]!.version}:${rows[0]!.changes}`;
  }

  /**
   * The page for `key` from memory when the data has not changed since it was computed, else from
   * `compute`, which is handed the items remembered under the version read here to take from and
   * add to (a write during `compute` leaves that map behind for good, whatever goes into it).
   */
  async get(key: string, compute: (remembered: RememberedItems<I>) => Promise<T>): Promise<T> {
    const version = await this.currentVersion();
    if (version !== this.version) {
      this.pages.clear();
      this.items = new Map();
      this.runs = 0;
      this.version = version;
    }
    const cached = this.pages.get(key);
    if (cached) {
      this.hits++;
      // Map order is insertion order: re-inserting marks the page most recently used.
      this.pages.delete(key);
      this.pages.set(key, cached);
      return cached;
    }
    this.misses++;
    const remembered = this.items;
    const page = await compute(remembered);
    // Remembered items are dropped oldest first past the limit (Map order is insertion order).
    for (const id of remembered.keys()) {
      if (remembered.size <= MAX_RUNS) break;
      remembered.delete(id);
    }
    if (this.version === version && page.items.length <= MAX_RUNS) {
      this.pages.set(key, page);
      this.runs += page.items.length;
      for (const [oldest, evicted] of this.pages) {
        if (this.pages.size <= MAX_ENTRIES && this.runs <= MAX_RUNS) break;
        this.pages.delete(oldest);
        this.runs -= evicted.items.length;
      }
    }
    return page;
  }
}
