/**
 * @module serving/protocol/feedback
 * `POST /feedback`: ground-truth labels for earlier predictions, joined later by request id (the
 * `x-request-id` every prediction answered with). The body is one `{request_id, label}` or a list
 * `{"feedback": [{request_id, label}, ...]}`; a label is a class, a number, or a list with one value
 * per row of a multi-row request. Records go to the feedback log beside the prediction log, through
 * the same non-blocking writer; the answer says how many were accepted.
 */
import type { FastifyInstance } from "fastify";
import { invalidParameter } from "../../core/errors.js";
import type { FeedbackLog, FeedbackRecord } from "../prediction-log.js";

const MAX_ITEMS = 100_000;

function isLabel(value: unknown): boolean {
  return (
    typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))
  );
}

function parseItem(item: unknown, where: string, timestamp: string): FeedbackRecord {
  if (typeof item !== "object" || item === null || Array.isArray(item))
    throw invalidParameter(`${where} must be an object {"request_id": "...", "label": ...}.`);
  const { request_id: requestId, label } = item as Record<string, unknown>;
  if (typeof requestId !== "string" || requestId.length === 0 || requestId.length > 128)
    throw invalidParameter(
      `${where}: field 'request_id' must be a non-empty string (the x-request-id header of the prediction's response).`,
    );
  if (label === undefined)
    throw invalidParameter(`${where}: field 'label' is missing; send the true class or value of the prediction.`);
  if (!isLabel(label) && !(Array.isArray(label) && label.length > 0 && label.every(isLabel)))
    throw invalidParameter(
      `${where}: field 'label' must be a string, a finite number or a boolean (or a list of them, one per row).`,
    );
  return { request_id: requestId, timestamp, label };
}

/** Decodes a feedback body into records; throws a 400 naming the field for anything malformed. */
export function parseFeedback(text: string, now = new Date()): FeedbackRecord[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidParameter(
      'The feedback body is not valid JSON; send {"request_id": "...", "label": ...} or {"feedback": [...]}.',
    );
  }
  const timestamp = now.toISOString();
  if (typeof body === "object" && body !== null && !Array.isArray(body) && "feedback" in body) {
    const list = (body as { feedback: unknown }).feedback;
    if (!Array.isArray(list) || list.length === 0)
      throw invalidParameter("Field 'feedback' must be a non-empty list of {request_id, label} objects.");
    if (list.length > MAX_ITEMS)
      throw invalidParameter(`Field 'feedback' holds ${list.length} items; send at most ${MAX_ITEMS} per request.`);
    return list.map((item, index) => parseItem(item, `feedback[${index}]`, timestamp));
  }
  return [parseItem(body, "The feedback body", timestamp)];
}

/** Mounts `POST /feedback`; without a log (`--no-prediction-log`) it answers 409 saying so. */
export function registerFeedbackRoute(app: FastifyInstance, log: FeedbackLog | undefined): void {
  app.post("/feedback", async (request, reply) => {
    const records = parseFeedback(typeof request.body === "string" ? request.body : "");
    if (!log)
      return reply.code(409).send({
        error_code: "INVALID_STATE",
        message: "This server keeps no prediction log, so feedback cannot be joined: start it with --log-dir.",
      });
    let accepted = 0;
    for (const record of records) if (log.append(record)) accepted++;
    return reply.send({ accepted, dropped: records.length - accepted });
  });
}
