/**
 * A search ordered by one metric that its filter requires is answered by walking an index; it must
 * return exactly the order the general plan gives, ties in value broken by start_time DESC, then
 * run_id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

async function order(filter: string, orderBy: string[], maxResults = 1000): Promise<string[]> {
  const body = await server.ok("POST", "runs/search", {
    experiment_ids: ["0"],
    filter,
    order_by: orderBy,
    max_results: maxResults,
  });
  return ((body.runs ?? []) as { info: { run_name: string } }[]).map((run) => run.info.run_name);
}

describe("index-ordered metric search", () => {
  beforeAll(async () => {
    // Values repeat so ties exercise the start_time and run_id tie-breakers; some runs share a start time.
    for (let i = 0; i < 60; i++) {
      const created = (await server.ok("POST", "runs/create", { run_name: `r${i}`, start_time: 1_000 + (i % 7) })) as {
        run: { info: { run_id: string } };
      };
      const metrics =
        i % 10 === 9
          ? [{ key: "other", value: 1, timestamp: 1 }]
          : [{ key: "acc", value: i % 10 === 8 ? "NaN" : (i % 5) / 4, timestamp: 1, step: 0 }];
      await server.ok("POST", "runs/log-batch", { run_id: created.run.info.run_id, metrics });
    }
  });

  it("matches the general plan in both directions", async () => {
    for (const direction of ["DESC", "ASC"]) {
      const indexed = await order("metrics.acc >= 0.25", [`metrics.acc ${direction}`]);
      // "!=" keeps NaN, so the general plan runs; drop the NaN runs it adds to compare.
      const general = (await order("metrics.acc != -1", [`metrics.acc ${direction}`])).filter(
        (name) => Number(name.slice(1)) % 10 !== 8,
      );
      const expected = general.filter((name) => Number(name.slice(1)) % 5 !== 0);
      expect(indexed).toEqual(expected);
      expect(indexed.length).toBeGreaterThan(20);
    }
  });

  it("pages through the index order without gaps or repeats", async () => {
    const all = await order("metrics.acc > 0", ["metrics.acc DESC"]);
    const paged: string[] = [];
    let token: string | undefined;
    do {
      const body = await server.ok("POST", "runs/search", {
        experiment_ids: ["0"],
        filter: "metrics.acc > 0",
        order_by: ["metrics.acc DESC"],
        max_results: 7,
        page_token: token,
      });
      paged.push(...((body.runs ?? []) as { info: { run_name: string } }[]).map((run) => run.info.run_name));
      token = body.next_page_token as string | undefined;
    } while (token);
    expect(paged).toEqual(all);
  });
});
