/**
 * @module tracking/store/search-cache
 * Remembers recent run-search pages until the data changes. Dashboards and clients poll the same
 * searches over and over while runs are not changing; answering those from memory is what lets
 * many clients search at once. Correctness rests on the version read before each search: SQLite's
 * `data_version` changes when another connection (another server process) commits, and
 * `total_changes()` grows with every row this connection writes, so any write makes every cached
 * page unreachable. A version is read before the query runs, so a page is never filed under a
 * version newer than the data it was computed from.
 */
import { type Kysely, sql } from "kysely";

/** Pages kept at most, and runs across all kept pages at most (whichever limit is reached first). */
const MAX_ENTRIES = 256;
const MAX_RUNS = 50_000;

export class SearchCache<T extends { items: readonly unknown[] }> {
  private readonly pages = new Map<string, T>();
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

  /** The page for `key` from memory when the data has not changed since it was computed, else from `compute`. */
  async get(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await this.currentVersion();
    if (version !== this.version) {
      this.pages.clear();
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
    const page = await compute();
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
