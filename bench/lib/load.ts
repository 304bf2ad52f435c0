/**
 * Load generation for benchmarks: N concurrent keep-alive clients on loopback, latency percentiles,
 * and child-process servers so the load generator never shares an event loop with the server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Agent, request } from "node:http";

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class HttpClient {
  private readonly agent: Agent;
  constructor(
    private readonly host: string,
    private readonly port: number,
    concurrency: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  /** Sends one request; resolves with status and body text. */
  send(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (body !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = Buffer.byteLength(body);
      }
      const req = request({ host: this.host, port: this.port, method, path, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("error", reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Runs `concurrency` loops, each calling `makeRequest(i)` for a global counter i, until `total`
 * requests are done or `seconds` have passed; records each latency in milliseconds.
 */
export async function runLoad(
  client: HttpClient,
  options: { concurrency: number; seconds?: number; total?: number },
  makeRequest: (index: number) => { method: string; path: string; body?: string },
): Promise<LoadResult> {
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = options.seconds === undefined ? Number.POSITIVE_INFINITY : start + options.seconds * 1000;
  const total = options.total ?? Number.POSITIVE_INFINITY;
  const worker = async () => {
    while (issued < total && performance.now() < deadline) {
      const index = issued++;
      const { method, path, body } = makeRequest(index);
      const sent = performance.now();
      const response = await client.send(method, path, body);
      latencies.push(performance.now() - sent);
      if (response.status !== 200) {
        errors++;
        if (errors <= 3)
          process.stderr.write(`  request ${method} ${path} → ${response.status} ${response.text.slice(0, 200)}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Starts a server process and resolves once its output matches `ready`, with the match. */
export function startProcess(
  command: string,
  args: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        child.stdout?.off("data", onData);
        child.removeAllListeners("exit");
        resolve({ child, match });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("exit", (code) =>
      reject(new Error(`${command} ${args.join(" ")} exited with ${code} before it was ready:\n${output}`)),
    );
  });
}

export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export function format(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export interface TimedPhase {
  url: string;
  connections: number;
  seconds: number;
  method: "GET" | "POST";
  path: string;
  /** Builds the body of the i-th request (bodies may differ request to request). */
  body?: (index: number) => string;
}

/**
 * A timed phase driven by autocannon, whose HTTP client costs far less CPU than Node's own; on a
 * 2-core machine the load generator shares the cores with the server, so that matters.
 */
export async function runTimed(phase: TimedPhase): Promise<LoadResult> {
  const { default: autocannon } = await import("autocannon");
  let counter = 0;
  const result = await autocannon({
    url: phase.url,
    connections: phase.connections,
    duration: phase.seconds,
    requests: [
      {
        method: phase.method,
        path: phase.path,
        headers: { "content-type": "application/json" },
        setupRequest: (request) => (phase.body ? { ...request, body: phase.body(counter++) } : request),
      },
    ],
  });
  return {
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
    seconds: phase.seconds,
    perSecond: result.requests.total / phase.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}
