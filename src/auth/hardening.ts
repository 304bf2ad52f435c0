/**
 * @module auth/hardening
 * Response headers every answer carries and cross-origin access. Security headers are set in one
 * onSend hook, so routes and the web UI never set them themselves: `nosniff`, no framing, no
 * referrer, and a Content-Security-Policy on HTML. CORS is off unless origins are configured
 * (`--cors-allowed-origins`); then only those origins are answered, preflights included.
 */
import type { FastifyInstance } from "fastify";
import { LatheError } from "../core/errors.js";

export interface HardeningOptions {
  /** Origins (`https://host[:port]`) that may call the API from a browser; none by default. */
  readonly corsAllowedOrigins?: readonly string[];
}

/** For HTML (the web UI and HTML artifacts): same-origin everything, no plugins, never framed. */
export const HTML_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const CORS_METHODS = "GET, POST, PUT, PATCH, DELETE";
const CORS_HEADERS = "Authorization, Content-Type";

/** Parses `a,b` into exact origins, refusing anything that is not `scheme://host[:port]`. */
export function parseAllowedOrigins(raw: unknown, source: string): string[] {
  if (raw === undefined || raw === null || raw === "") return [];
  const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(",");
  return items
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .map((item) => {
      let origin: string | undefined;
      try {
        const url = new URL(item);
        if ((url.protocol === "http:" || url.protocol === "https:") && url.origin === item.replace(/\/$/, "")) {
          origin = url.origin;
        }
      } catch {
        origin = undefined;
      }
      if (!origin) {
        throw new LatheError(
          "CONFIG_INVALID",
          `${source}: '${item}' is not an origin. List exact origins such as https://ui.example.com or http://localhost:3000, separated by commas (no paths, no '*').`,
        );
      }
      return origin;
    });
}

export function installHardening(app: FastifyInstance, options: HardeningOptions = {}): void {
  const origins = new Set(options.corsAllowedOrigins ?? []);

  // A browser's preflight carries no credentials, so it is answered before authentication.
  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "OPTIONS" || origins.size === 0) return;
    const origin = request.headers.origin;
    if (!origin || !origins.has(origin) || !request.headers["access-control-request-method"]) return;
    return reply
      .code(204)
      .header("Access-Control-Allow-Origin", origin)
      .header("Access-Control-Allow-Methods", CORS_METHODS)
      .header("Access-Control-Allow-Headers", CORS_HEADERS)
      .header("Access-Control-Max-Age", "600")
      .header("Vary", "Origin")
      .send();
  });

  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("X-Frame-Options", "DENY");
    reply.header("Referrer-Policy", "no-referrer");
    // A route that set its own policy (a sandboxed artifact preview) keeps it.
    if (
      String(reply.getHeader("content-type") ?? "").startsWith("text/html") &&
      !reply.hasHeader("content-security-policy")
    ) {
      reply.header("Content-Security-Policy", HTML_CONTENT_SECURITY_POLICY);
    }
    const origin = request.headers.origin;
    if (origin && origins.has(origin)) {
      reply.header("Access-Control-Allow-Origin", origin);
      reply.header("Vary", "Origin");
    }
    return payload;
  });
}
