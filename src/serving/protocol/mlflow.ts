/**
 * @module serving/protocol/mlflow
 * MLflow's scoring protocol (reference/mlflow.md §6): `POST /invocations` with a JSON object holding
 * exactly one of `dataframe_split`, `dataframe_records`, `instances` or `inputs` (plus optional
 * `params`), or a CSV body with a header row; `/ping`, `/health`, `/version`.
 *
 * Response: `{"predictions": [...]}` holds one entry per row — the predicted label for a classifier
 * (the class index when the model outputs only probabilities) or the predicted value for a regressor,
 * as MLflow's sklearn flavor answers. `params: {"output": "probabilities"}` returns each row's class
 * probabilities instead, and `params: {"output": "all"}` returns one record per row with every model
 * output by name, which is what MLflow's onnx pyfunc returns as a DataFrame.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { LatheError } from "../../core/errors.js";
import type { PredictionResult } from "../../models/onnx/runtime.js";
import { VERSION } from "../../version.js";
import type { TabularInput } from "../schema.js";
import type { ServingContext } from "../service.js";

const FORMATS = ["dataframe_split", "dataframe_records", "instances", "inputs"] as const;
const ACCEPTED = `Send a JSON object with exactly one of ${FORMATS.map((f) => `'${f}'`).join(", ")} (e.g. {"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2]]}}), or text/csv with a header row.`;
const OUTPUT_CHOICES = ["labels", "probabilities", "all"] as const;
type OutputChoice = (typeof OUTPUT_CHOICES)[number];

function badRequest(message: string): LatheError {
  return new LatheError("BAD_REQUEST", message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Records (objects) as columns in first-seen order and rows; a key absent from a record is null. */
function fromRecords(records: readonly unknown[], what: string): TabularInput {
  const columns: string[] = [];
  const seen = new Set<string>();
  records.forEach((record, index) => {
    if (!isRecord(record)) throw badRequest(`${what}[${index}] must be an object of column -> value. ${ACCEPTED}`);
    for (const key of Object.keys(record)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  });
  const rows = records.map((record) => columns.map((column) => (record as Record<string, unknown>)[column] ?? null));
  return { columns, rows };
}

/** A list of rows (lists), records (objects) or scalars (one value per row). */
function fromList(list: readonly unknown[], what: string, inputName: string): TabularInput {
  if (list.length === 0) throw badRequest(`'${what}' is empty: send at least one row.`);
  // TF-serving's named-tensor instances: [{"<input>": [features]}, ...] for the model's one input.
  if (list.every((item) => isRecord(item) && Object.keys(item).length === 1 && Array.isArray(item[inputName]))) {
    return {
      columns: undefined,
      rows: list.map((item) => (item as Record<string, unknown[]>)[inputName] as unknown[]),
    };
  }
  if (list.every(isRecord)) return fromRecords(list, what);
  if (list.every(Array.isArray)) return { columns: undefined, rows: list as unknown[][] };
  if (list.every((item) => !Array.isArray(item) && !isRecord(item))) {
    return { columns: undefined, rows: list.map((item) => [item]) };
  }
  throw badRequest(`'${what}' mixes rows, records and single values: use one form for every row.`);
}

/** `{column: [values]}` (TF-serving columnar form), or the model input's name holding rows. */
function fromColumns(columns: Record<string, unknown>, inputName: string): TabularInput {
  const names = Object.keys(columns);
  if (names.length === 0) throw badRequest(`'inputs' has no columns. ${ACCEPTED}`);
  const only = columns[inputName];
  if (names.length === 1 && names[0] === inputName && Array.isArray(only) && only.every(Array.isArray)) {
    return { columns: undefined, rows: only as unknown[][] };
  }
  const lists = names.map((name) => {
    const values = columns[name];
    if (!Array.isArray(values)) return [values];
    // A column sent as a [rows, 1] tensor: one single-value list per row.
    return values.every((value) => Array.isArray(value) && value.length === 1)
      ? values.map((value) => (value as unknown[])[0])
      : values;
  });
  const count = lists[0]?.length ?? 0;
  lists.forEach((values, index) => {
    if (values.length !== count) {
      throw badRequest(
        `'inputs' column '${names[index]}' has ${values.length} values but '${names[0]}' has ${count}: give every column one value per row.`,
      );
    }
  });
  const rows = Array.from({ length: count }, (_, row) => lists.map((values) => values[row]));
  return { columns: names, rows };
}

function fromSplit(split: unknown): TabularInput {
  if (!isRecord(split)) throw badRequest(`'dataframe_split' must be an object {"columns": [...], "data": [[...]]}.`);
  const { columns, data } = split;
  if (!Array.isArray(data) || !data.every(Array.isArray)) {
    throw badRequest(`'dataframe_split.data' must be a list of rows (lists of values), e.g. [[5.1, 3.5]].`);
  }
  if (columns === undefined) return { columns: undefined, rows: data as unknown[][] };
  if (!Array.isArray(columns) || !columns.every((column) => typeof column === "string")) {
    throw badRequest(`'dataframe_split.columns' must be a list of column names (strings).`);
  }
  return { columns: columns as string[], rows: data as unknown[][] };
}

/** The body's JSON, or MLflow's 400 for malformed JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`Invalid input: the body is not valid JSON (${(error as Error).message}). ${ACCEPTED}`);
  }
}

export interface DecodedInvocation {
  readonly table: TabularInput;
  readonly output: OutputChoice;
}

function readOutputChoice(params: unknown): OutputChoice {
  if (params === undefined || params === null) return "labels";
  if (!isRecord(params)) throw badRequest(`'params' must be an object, e.g. {"output": "probabilities"}.`);
  const output = params.output ?? "labels";
  if (!OUTPUT_CHOICES.includes(output as OutputChoice)) {
    throw badRequest(`params.output must be one of ${OUTPUT_CHOICES.join(", ")}; got ${JSON.stringify(output)}.`);
  }
  return output as OutputChoice;
}

/** Decodes a JSON /invocations body. */
export function decodeJsonInvocation(text: string, inputName: string): DecodedInvocation {
  const body = parseJson(text);
  if (!isRecord(body)) {
    throw badRequest(
      `The body must be a JSON object, not ${Array.isArray(body) ? "a list" : typeof body}. ${ACCEPTED}`,
    );
  }
  const present = FORMATS.filter((format) => format in body);
  if (present.length !== 1) {
    const received = Object.keys(body)
      .slice(0, 10)
      .map((key) => `'${key}'`);
    throw badRequest(
      `The input must be a JSON object with exactly one of the input fields ${FORMATS.map((f) => `'${f}'`).join(", ")}; received ${present.length === 0 ? `fields [${received.join(", ")}]` : `several: ${present.join(", ")}`}. ${ACCEPTED} (The scoring protocol changed in MLflow 2.0; requests without one of these keys are in the 1.x format.)`,
    );
  }
  const format = present[0] as (typeof FORMATS)[number];
  const value = body[format];
  const output = readOutputChoice(body.params);
  switch (format) {
    case "dataframe_split":
      return { table: fromSplit(value), output };
    case "dataframe_records":
      if (!Array.isArray(value)) throw badRequest(`'dataframe_records' must be a list of objects (one per row).`);
      if (value.length === 0) throw badRequest(`'dataframe_records' is empty: send at least one row.`);
      return { table: fromRecords(value, "dataframe_records"), output };
    case "instances":
      if (!Array.isArray(value)) throw badRequest(`'instances' must be a list of rows or records.`);
      return { table: fromList(value, "instances", inputName), output };
    default:
      if (Array.isArray(value)) return { table: fromList(value, "inputs", inputName), output };
      if (isRecord(value)) return { table: fromColumns(value, inputName), output };
      throw badRequest(`'inputs' must be a list of rows or an object of column -> values.`);
  }
}

/** Splits CSV text into records of fields (RFC 4180: quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quoted) {
      if (char === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index++;
        } else quoted = false;
      } else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[index + 1] === "\n") index++;
      record.push(field);
      if (record.length > 1 || record[0] !== "") records.push(record);
      record = [];
      field = "";
    } else field += char;
  }
  if (quoted) throw badRequest("The CSV body ends inside a quoted field: close every opening quote.");
  record.push(field);
  if (record.length > 1 || record[0] !== "") records.push(record);
  return records;
}

/** Decodes a text/csv /invocations body: a header row, then one row per prediction. */
export function decodeCsvInvocation(text: string): DecodedInvocation {
  const records = parseCsv(text);
  const header = records[0];
  if (!header) throw badRequest("The CSV body is empty: send a header row with the column names, then the rows.");
  if (records.length < 2) throw badRequest("The CSV body has a header but no rows: add at least one row.");
  records.slice(1).forEach((row, index) => {
    if (row.length !== header.length) {
      throw badRequest(`CSV row ${index + 1} has ${row.length} fields but the header has ${header.length}.`);
    }
  });
  return { table: { columns: header.map((name) => name.trim()), rows: records.slice(1) }, output: "labels" };
}

/** The `predictions` value for the chosen output form. */
export function formatPredictions(result: PredictionResult, output: OutputChoice, rows: number): unknown[] {
  if (output === "all") {
    return Array.from({ length: rows }, (_, row) =>
      Object.fromEntries(
        Object.entries(result.outputs).map(([name, value]) => [name, Array.isArray(value) ? value[row] : value]),
      ),
    );
  }
  if (output === "probabilities") {
    if (!result.probabilities) {
      throw new LatheError("BAD_REQUEST", "This model outputs no probabilities; drop params.output or use 'all'.");
    }
    return result.probabilities;
  }
  return (result.label ?? result.prediction ?? []) as unknown[];
}

/** The media type of a Content-Type header, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  if (contentType === "application/json") return contentType;
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** What MLflow answers a media type it does not take (415, plain text). */
function sendUnsupported(reply: FastifyReply, contentType: string | undefined): FastifyReply {
  const shown = (contentType ?? "").replace(/[^\w\-/.+;= ]/g, "").slice(0, 100);
  return reply
    .code(415)
    .type("text/plain; charset=utf-8")
    .send(`This predictor only supports the following content types: 'application/json', 'text/csv'. Got '${shown}'.`);
}

/** Mounts /invocations, /ping, /health and /version. */
export function registerMlflowRoutes(app: FastifyInstance, context: ServingContext): void {
  const ping = (_request: unknown, reply: FastifyReply) => {
    if (!context.holder.ready) return reply.code(503).type("application/json").send("\n");
    return reply.code(200).type("application/json").send("\n");
  };
  app.get("/ping", ping);
  app.get("/health", ping);
  app.get("/version", (_request, reply) => reply.type("application/json").send(VERSION));

  app.post("/invocations", async (request, reply) => {
    const type = mediaType(request.headers["content-type"]);
    if (type !== "application/json" && type !== "text/csv")
      return sendUnsupported(reply, request.headers["content-type"]);
    const text = typeof request.body === "string" ? request.body : "";
    const lease = context.holder.acquire();
    try {
      const decoded =
        type === "text/csv" ? decodeCsvInvocation(text) : decodeJsonInvocation(text, lease.model.schema.input.name);
      const { result, rows } = await context.predict(lease.model, decoded.table);
      const predictions = formatPredictions(result, decoded.output, rows);
      context.record(request, lease.model, "mlflow", decoded.table, predictions);
      return reply.type("application/json").send({ predictions });
    } finally {
      lease.release();
    }
  });
}
