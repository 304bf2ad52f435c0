/**
 * @module data/pool
 * Bounded concurrency for per-file work: many small files are limited by round trips to libuv's
 * thread pool, not by the disk, so keeping several in flight is what makes add and status fast.
 */

/** Files processed at once (libuv's default pool has 4 threads; a few more keeps it busy). */
export const FILE_CONCURRENCY = 16;

/** Maps `items` through `action` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  action: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await action(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
