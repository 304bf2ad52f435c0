/**
 * Helpers for the monitoring tests: iris rows, a local HTTP listener that records
 * what webhooks POST, and a free loopback port.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export { seededRandom } from "../../src/monitoring/stats/random.js";

import { IRIS } from "../helpers/datasets.js";

export { IRIS };

export interface IrisRow {
  features: number[];
  species: string;
}

export function readIris(): { columns: string[]; rows: IrisRow[] } {
  const [header, ...lines] = readFileSync(IRIS, "utf8").trim().split("\n");
  const names = header!.split(",");
  return {
    columns: names.slice(0, 4),
    rows: lines.map((line) => {
      const cells = line.split(",");
      return { features: cells.slice(0, 4).map(Number), species: cells[4]! };
    }),
  };
}

export interface Listener {
  url: string;
  received: unknown[];
  close(): Promise<void>;
}

/** An HTTP server that records each POSTed JSON body and answers 200. */
export async function startListener(): Promise<Listener> {
  const received: unknown[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      try {
        received.push(JSON.parse(body));
      } catch {
        received.push(body);
      }
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
