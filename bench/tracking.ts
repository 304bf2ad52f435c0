/**
 * Tracking server benchmark: log-metric, log-batch, bulk run creation and search at 16 concurrent
 * clients on loopback, against a bare Fastify route measured in the same run as the floor. The
 * server runs in its own process. Prints figures and ratios; it is not a pass/fail test.
 *
 *   npm run build && npm run bench     (LATHE_BENCH_RUNS=10000 LATHE_BENCH_SECONDS=5 by default)
 *
 * With `--pg`, the replica benchmark instead: a write+read mix (log-metric, log-batch, runs/search,
 * runs/get) against one `lathe server` on PostgreSQL, then the same load split across two server
 * processes on the same database, and the ratio, with the CPU each request cost the servers,
 * PostgreSQL and the load generator (read from Linux's /proc). It uses a fresh database on the server
 * LATHE_TEST_PG_URL names (default postgresql://postgres@127.0.0.1:5432/test) and drops it after.
 *
 *   npm run build && npm run bench -- --pg     (LATHE_BENCH_PG_CONNECTIONS=32 by default)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type autocannon from "autocannon";
import { format, HttpClient, type LoadResult, runLoad, runTimed, startProcess, stopProcess } from "./lib/load.js";

const CONCURRENCY = 16;
const SECONDS = Number(process.env.LATHE_BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.LATHE_BENCH_RUNS ?? 10000);
const API = "/api/2.0/mlflow";
const root = fileURLToPath(new URL("..", import.meta.url));

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(46)} ${value}\n`);
}

function latency(result: LoadResult): string {
  return `p50 ${format(result.p50, 1)} ms  p99 ${format(result.p99, 1)} ms`;
}

async function measureFloor(): Promise<number> {
  const { child, match } = await startProcess(
    process.execPath,
    ["--import", "tsx", join(root, "bench/lib/floor-server.ts")],
    /listening (\d+)/,
  );
  const url = `http://127.0.0.1:${match[1]}`;
  await runTimed({ url, connections: CONCURRENCY, seconds: 1, method: "POST", path: "/floor", body: () => "{}" });
  const result = await runTimed({
    url,
    connections: CONCURRENCY,
    seconds: SECONDS,
    method: "POST",
    path: "/floor",
    body: () => "{}",
  });
  await stopProcess(child);
  line("floor: bare Fastify POST answering {}", `${format(result.perSecond)} req/s  ${latency(result)}`);
  return result.perSecond;
}

async function startLathe(
  dir: string,
  backendStoreUri = `sqlite:///${join(dir, "bench.db")}`,
): Promise<{ url: string; port: number; pid: number; stop: () => Promise<void> }> {
  const { child, match } = await startProcess(
    process.execPath,
    [
      join(root, "dist/cli/main.js"),
      "server",
      "--port",
      "0",
      "--backend-store-uri",
      backendStoreUri,
      "--artifacts-destination",
      join(dir, "artifacts"),
    ],
    /listening on (http:\/\/[\d.]+:(\d+))/,
    { LATHE_LOG_LEVEL: "warn" },
  );
  return { url: match[1]!, port: Number(match[2]), pid: child.pid!, stop: () => stopProcess(child) };
}

async function main(): Promise<void> {
  process.stdout.write(
    `Lathe tracking benchmark: ${CONCURRENCY} concurrent clients, ${SECONDS} s per timed phase, ${RUNS} runs\n\n`,
  );
  const floor = await measureFloor();
  const dir = mkdtempSync(join(tmpdir(), "lathe-bench-"));
  const lathe = await startLathe(dir);
  const client = new HttpClient("127.0.0.1", lathe.port, CONCURRENCY);
  const post = async (path: string, body: unknown) =>
    JSON.parse((await client.send("POST", `${API}/${path}`, JSON.stringify(body))).text) as Record<string, unknown>;
  try {
    const experimentId = (await post("experiments/create", { name: "bench" })).experiment_id as string;
    const runOf = async (name: string) =>
      ((await post("runs/create", { experiment_id: experimentId, run_name: name })).run as { info: { run_id: string } })
        .info.run_id;
    const now = Date.now();

    // log-metric: every client logs to the same run, as a training loop with many workers would.
    const metricRun = await runOf("log-metric");
    const logMetric = await runTimed({
      url: lathe.url,
      connections: CONCURRENCY,
      seconds: SECONDS,
      method: "POST",
      path: `${API}/runs/log-metric`,
      body: (i) =>
        JSON.stringify({ run_id: metricRun, key: `loss${i % 8}`, value: i / 7, timestamp: now + i, step: i }),
    });
    line(
      "log-metric",
      `${format(logMetric.perSecond)} req/s  ${latency(logMetric)}  (${format(logMetric.perSecond / floor, 2)}× floor, ${logMetric.errors} errors)`,
    );

    // log-batch of 1,000 metrics; bodies are built before the clock starts.
    const batchRun = await runOf("log-batch");
    const batchBodies = Array.from({ length: 256 }, (_, i) =>
      JSON.stringify({
        run_id: batchRun,
        metrics: Array.from({ length: 1000 }, (_, j) => ({
          key: `m${j % 20}`,
          value: (i * 1000 + j) / 997,
          timestamp: now + i,
          step: i * 50 + Math.floor(j / 20),
        })),
      }),
    );
    const logBatch = await runTimed({
      url: lathe.url,
      connections: CONCURRENCY,
      seconds: SECONDS,
      method: "POST",
      path: `${API}/runs/log-batch`,
      body: (i) => batchBodies[i % batchBodies.length]!,
    });
    line(
      "log-batch, 1,000 metrics per request",
      `${format(logBatch.perSecond * 1000)} metrics/s  (${format(logBatch.perSecond, 1)} req/s, ${latency(logBatch)}, ${logBatch.errors} errors)`,
    );

    // RUNS runs, each created and then given 5 params and 5 metrics in one log-batch.
    const createStart = performance.now();
    const runIds: string[] = [];
    await runLoad(client, { concurrency: CONCURRENCY, total: RUNS }, (i) => ({
      method: "POST",
      path: `${API}/runs/create`,
      body: JSON.stringify({ experiment_id: experimentId, run_name: `run-${i}`, start_time: now + i }),
    }));
    const listed = await post("runs/search", {
      experiment_ids: [experimentId],
      max_results: 50000,
      filter: "attributes.run_name LIKE 'run-%'",
    });
    for (const run of listed.runs as { info: { run_id: string } }[]) runIds.push(run.info.run_id);
    await runLoad(client, { concurrency: CONCURRENCY, total: runIds.length }, (i) => ({
      method: "POST",
      path: `${API}/runs/log-batch`,
      body: JSON.stringify({
        run_id: runIds[i],
        params: Array.from({ length: 5 }, (_, j) => ({ key: `p${j}`, value: String((i + j) % 10) })),
        metrics: Array.from({ length: 5 }, (_, j) => ({
          key: `m${j}`,
          value: ((i * 7919 + j * 104729) % 1000) / 1000,
          timestamp: now,
          step: 0,
        })),
      }),
    }));
    const createSeconds = (performance.now() - createStart) / 1000;
    line(
      `create ${format(runIds.length)} runs with 5 params + 5 metrics`,
      `${format(createSeconds, 2)} s  (${format(runIds.length / createSeconds)} runs/s)`,
    );

    // Search with a filter and order_by over those runs: at 16 clients, and one client at a time.
    // Repeated searches are answered from memory until the next write; the "distinct" rows give
    // every request its own threshold, so none is, and show the cost of actually searching.
    let distinct = 0;
    const searchBody = (maxResults: number, vary: boolean) =>
      JSON.stringify({
        experiment_ids: [experimentId],
        filter: `metrics.m0 > ${vary ? 0.5 + ++distinct * 1e-9 : 0.5} and params.p1 != '3'`,
        order_by: ["metrics.m0 DESC"],
        max_results: maxResults,
      });
    for (const maxResults of [100, 1000]) {
      for (const [connections, vary] of [
        [CONCURRENCY, false],
        [1, false],
        [CONCURRENCY, true],
        [1, true],
      ] as const) {
        const search = await runTimed({
          url: lathe.url,
          connections,
          seconds: SECONDS,
          method: "POST",
          path: `${API}/runs/search`,
          body: () => searchBody(maxResults, vary),
        });
        line(
          `search, page of ${maxResults}, ${connections} client${connections > 1 ? "s" : ""}${vary ? ", distinct" : ", repeated"}`,
          `${format(search.perSecond, 1)} req/s  ${latency(search)}  (${search.errors} errors)`,
        );
      }
    }
    process.stdout.write(
      "\nTargets: log-metric ≥ 5,000 req/s, log-batch ≥ 500,000 metrics/s, search p50 ≤ 20 ms.\n" +
        "For scale, MLflow's own server on such a machine: about 320 log-metric req/s, 32,000 metrics/s in log-batch,\n" +
        "and a 630 ms search over 2,000 runs.\n",
    );
  } finally {
    client.close();
    await lathe.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the replica mix gets spread over, each with a few params and metrics so searches have work. */
const PG_RUNS = 200;
const PG_CONNECTIONS = Number(process.env.LATHE_BENCH_PG_CONNECTIONS ?? 32);

/** The requests of the mix, in the order each connection cycles through them. */
const MIX_KINDS = ["log-metric", "log-batch", "search", "get-run"] as const;
type MixKind = (typeof MIX_KINDS)[number];

/** The autocannon requests for `kinds`, each on a run picked round-robin from `runIds`. */
function mixRequests(kinds: readonly MixKind[], experimentId: string, runIds: readonly string[]): autocannon.Request[] {
  let counter = 0;
  const runOf = () => runIds[counter++ % runIds.length]!;
  const now = Date.now();
  const headers = { "content-type": "application/json" };
  const post = (path: string, body: () => unknown): autocannon.Request => ({
    method: "POST",
    path: `${API}/${path}`,
    headers,
    setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }),
  });
  const requests: Record<MixKind, autocannon.Request> = {
    "log-metric": post("runs/log-metric", () => ({
      run_id: runOf(),
      key: "loss",
      value: counter / 7,
      timestamp: now,
      step: counter,
    })),
    "log-batch": post("runs/log-batch", () => ({
      run_id: runOf(),
      metrics: Array.from({ length: 10 }, (_, j) => ({ key: `m${j}`, value: j / 3, timestamp: now, step: counter })),
    })),
    search: post("runs/search", () => ({
      experiment_ids: [experimentId],
      filter: `metrics.score > ${(counter++ % 100) / 100} and params.group != '3'`,
      order_by: ["metrics.score DESC"],
      max_results: 100,
    })),
    "get-run": {
      method: "GET",
      path: `${API}/runs/get`,
      setupRequest: (request) => ({ ...request, path: `${API}/runs/get?run_id=${runOf()}` }),
    },
  };
  return kinds.map((kind) => requests[kind]);
}

/** CPU seconds each process spent in one phase, per request (µs): the servers, PostgreSQL's processes, this process. */
interface CpuSplit {
  readonly servers: number;
  readonly postgres: number;
  readonly loadGenerator: number;
}

/**
 * One timed phase against each of `urls` (served by the processes `serverPids`) at once, the
 * connections split evenly. Every connection cycles through `kinds`: log-metric, log-batch (10
 * metrics), runs/search (a page of 100 with a filter and an order) and runs/get by default.
 */
async function runMix(
  urls: readonly string[],
  serverPids: readonly number[],
  experimentId: string,
  runIds: readonly string[],
  kinds: readonly MixKind[] = MIX_KINDS,
): Promise<LoadResult & { cpuBusy: number; perRequest: CpuSplit | undefined }> {
  const { default: autocannon } = await import("autocannon");
  const cpuBefore = machineCpu();
  const serversBefore = processCpu(serverPids);
  const postgresBefore = processCpu(postgresPids());
  const selfBefore = process.cpuUsage();
  const phases = urls.map((url) =>
    autocannon({
      url,
      connections: PG_CONNECTIONS / urls.length,
      duration: SECONDS,
      requests: mixRequests(kinds, experimentId, runIds),
    }),
  );
  const results = await Promise.all(phases);
  const self = process.cpuUsage(selfBefore);
  const cpuAfter = machineCpu();
  const requests = results.reduce((sum, result) => sum + result.requests.total, 0);
  const spent = (before: Map<number, number> | undefined, after: Map<number, number> | undefined) =>
    before && after ? [...after].reduce((sum, [pid, seconds]) => sum + seconds - (before.get(pid) ?? 0), 0) : undefined;
  const servers = spent(serversBefore, processCpu(serverPids));
  const postgres = spent(postgresBefore, processCpu(postgresPids()));
  const micros = (seconds: number) => (seconds * 1e6) / Math.max(requests, 1);
  return {
    requests,
    errors: results.reduce((sum, result) => sum + result.errors + result.non2xx, 0),
    seconds: SECONDS,
    perSecond: requests / SECONDS,
    // Per-server percentiles: the slower server's, so a split never looks better than its worst half.
    p50: Math.max(...results.map((result) => result.latency.p50)),
    p99: Math.max(...results.map((result) => result.latency.p99)),
    cpuBusy: (cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total),
    perRequest:
      servers === undefined || postgres === undefined
        ? undefined
        : {
            servers: micros(servers),
            postgres: micros(postgres),
            loadGenerator: micros((self.user + self.system) / 1e6),
          },
  };
}

/** User + system CPU seconds of each live process in `pids`, from Linux's /proc; undefined elsewhere. */
function processCpu(pids: readonly number[]): Map<number, number> | undefined {
  if (process.platform !== "linux") return undefined;
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // The process ended.
    }
    // Fields after the command name (which may hold spaces) start at the state, field 3; utime and
    // stime are fields 14 and 15, in clock ticks of 1/100 s.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return seconds;
}

/** The PostgreSQL server's processes on this machine (the benchmark's database server is local). */
function postgresPids(): number[] {
  if (process.platform !== "linux") return [];
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** CPU time of all cores so far (ms), busy and in total, to tell a CPU-bound machine from a waiting one. */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const sum = times.user + times.nice + times.sys + times.idle + times.irq;
    total += sum;
    busy += sum - times.idle;
  }
  return { busy, total };
}

async function mainPg(): Promise<void> {
  // The test helper makes and drops a uniquely named database on the server LATHE_TEST_PG_URL names.
  process.env.LATHE_TEST_PG_URL ||= "postgresql://postgres@127.0.0.1:5432/test";
  const { createTestDatabase } = await import("../test/helpers/postgres.js");
  const database = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), "lathe-bench-pg-"));
  const servers: Awaited<ReturnType<typeof startLathe>>[] = [];
  process.stdout.write(
    `Lathe replica benchmark on PostgreSQL (database ${database.name}): ${PG_CONNECTIONS} concurrent clients in all,
` +
      `${SECONDS} s per phase; each client cycles log-metric, log-batch (10 metrics), runs/search (100), runs/get.

`,
  );
  try {
    servers.push(await startLathe(join(dir, "a"), database.uri));
    const client = new HttpClient("127.0.0.1", servers[0]!.port, 16);
    const post = async (path: string, body: unknown) =>
      JSON.parse((await client.send("POST", `${API}/${path}`, JSON.stringify(body))).text) as Record<string, unknown>;
    const experimentId = (await post("experiments/create", { name: "replicas" })).experiment_id as string;
    const runIds: string[] = [];
    await runLoad(client, { concurrency: 16, total: PG_RUNS }, (i) => ({
      method: "POST",
      path: `${API}/runs/create`,
      body: JSON.stringify({ experiment_id: experimentId, run_name: `run-${i}` }),
    }));
    const listed = await post("runs/search", { experiment_ids: [experimentId], max_results: 1000 });
    for (const run of listed.runs as { info: { run_id: string } }[]) runIds.push(run.info.run_id);
    await runLoad(client, { concurrency: 16, total: runIds.length }, (i) => ({
      method: "POST",
      path: `${API}/runs/log-batch`,
      body: JSON.stringify({
        run_id: runIds[i],
        params: [{ key: "group", value: String(i % 10) }],
        metrics: [{ key: "score", value: ((i * 7919) % 1000) / 1000, timestamp: Date.now(), step: 0 }],
      }),
    }));
    client.close();
    // A database loaded a moment ago has no planner statistics yet: PostgreSQL then plans every search as if
    // the tables were empty (nested loops over whole tables, ~20× slower). Autovacuum gathers them within a
    // minute or so on a live server; the benchmark gathers them now so it measures that steady state.
    const { default: pg } = await import("pg");
    const admin = new pg.Client({ connectionString: database.uri });
    await admin.connect();
    await admin.query("analyze");
    await admin.end();

    type MixResult = Awaited<ReturnType<typeof runMix>>;
    const summary = (result: MixResult) => {
      const split = result.perRequest;
      const cpu = split
        ? `\n${"".padEnd(47)}CPU per request: servers ${format(split.servers)} µs, PostgreSQL ${format(split.postgres)} µs, ` +
          `load generator ${format(split.loadGenerator)} µs`
        : "";
      return (
        `${format(result.perSecond)} req/s  p50 ${format(result.p50, 1)} ms  p99 ${format(result.p99, 1)} ms  ` +
        `(${result.errors} errors, machine CPU ${format(result.cpuBusy * 100)}% busy)${cpu}`
      );
    };
    const pidsOf = () => servers.map((server) => server.pid);
    const oneUrl = [servers[0]!.url];
    await runMix(oneUrl, pidsOf(), experimentId, runIds); // warm-up: connection pools, JIT, PostgreSQL caches
    for (const kind of MIX_KINDS)
      line(`one server, ${kind} alone`, summary(await runMix(oneUrl, pidsOf(), experimentId, runIds, [kind])));
    const one = await runMix(oneUrl, pidsOf(), experimentId, runIds);
    line("one server, the mix", summary(one));

    servers.push(await startLathe(join(dir, "b"), database.uri));
    const twoUrls = servers.map((server) => server.url);
    await runMix(twoUrls, pidsOf(), experimentId, runIds);
    const two = await runMix(twoUrls, pidsOf(), experimentId, runIds);
    line("two servers, the mix split evenly", summary(two));
    // The database grew during the phases above; a second single-server run shows how much that alone moves.
    await servers.pop()!.stop();
    const oneAgain = await runMix(oneUrl, pidsOf(), experimentId, runIds);
    line("one server, the mix again (drift check)", summary(oneAgain));

    process.stdout.write(
      `\nTwo servers / one: ${format(two.perSecond / one.perSecond, 2)}× ` +
        `(against the drift check: ${format(two.perSecond / oneAgain.perSecond, 2)}×). Target: ≥ 1.5×.\n`,
    );
    // Any number of servers on this machine serve at most its cores' worth of CPU time divided by what
    // one request costs all the processes together.
    const split = one.perRequest;
    if (split) {
      const cores = cpus().length;
      const ceiling = (cores * 1e6) / (split.servers + split.postgres + split.loadGenerator);
      process.stdout.write(
        `The servers, PostgreSQL and the load generator share this machine's ${cores} cores. At the CPU one request of\n` +
          `the one-server mix cost them all, the cores are used up at ${format(ceiling)} req/s: ` +
          `${format(ceiling / one.perSecond, 2)}× one server, for any number of replicas.\n`,
      );
    }
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  }
}

if (process.argv.includes("--pg")) await mainPg();
else await main();
