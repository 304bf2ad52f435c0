/**
 * @module server/openapi
 * An OpenAPI 3.1 document generated from the endpoint table, so it cannot drift from the routes.
 */
import { VERSION } from "../version.js";
import type { Endpoint, FieldDoc } from "./endpoint.js";

function schemaOf(type: FieldDoc["type"]): Record<string, unknown> {
  switch (type) {
    case "string[]":
      return { type: "array", items: { type: "string" } };
    case "object[]":
      return { type: "array", items: { type: "object" } };
    default:
      return { type };
  }
}

export function buildOpenApi(endpoints: readonly Endpoint[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = {
    description: "An MLflow error: {error_code, message}",
    content: {
      "application/json": {
        schema: { type: "object", properties: { error_code: { type: "string" }, message: { type: "string" } } },
      },
    },
  };
  for (const endpoint of endpoints) {
    const prefix = endpoint.ajaxOnly ? "/ajax-api/2.0/mlflow" : "/api/2.0/mlflow";
    const operations: Record<string, unknown> = {};
    for (const method of endpoint.methods) {
      const required = endpoint.fields.filter((f) => f.required).map((f) => f.name);
      const operation: Record<string, unknown> = {
        summary: endpoint.summary,
        operationId: `${method.toLowerCase()}_${endpoint.path.replace(/[/-]/g, "_")}`,
        responses: { "200": { description: "Success: a JSON object" }, "400": errorResponse, "404": errorResponse },
      };
      if (method === "GET") {
        operation.parameters = endpoint.fields.map((f) => ({
          name: f.name,
          in: "query",
          required: f.required ?? false,
          schema: schemaOf(f.type),
        }));
      } else {
        operation.requestBody = {
          required: required.length > 0,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required,
                properties: Object.fromEntries(endpoint.fields.map((f) => [f.name, schemaOf(f.type)])),
              },
            },
          },
        };
      }
      operations[method.toLowerCase()] = operation;
    }
    // Several endpoints can share a path with different methods (registered-models/alias).
    const path = `${prefix}/${endpoint.path}`;
    paths[path] = { ...paths[path], ...operations };
  }
  paths["/api/2.0/mlflow-artifacts/artifacts/{path}"] = {
    get: { summary: "Download an artifact.", responses: { "200": { description: "The file's bytes" } } },
    put: { summary: "Upload an artifact (raw body).", responses: { "200": { description: "{}" } } },
    delete: { summary: "Delete an artifact or folder.", responses: { "200": { description: "{}" } } },
  };
  paths["/api/2.0/mlflow-artifacts/artifacts"] = {
    get: { summary: "List artifacts under ?path=.", responses: { "200": { description: "{files: [...]}" } } },
  };
  paths["/health"] = { get: { summary: "Liveness: answers OK.", responses: { "200": { description: "OK" } } } };
  paths["/version"] = {
    get: { summary: "The server's version.", responses: { "200": { description: "Version text" } } },
  };
  return {
    openapi: "3.1.0",
    info: { title: "Lathe tracking server (MLflow-compatible REST API)", version: VERSION },
    paths,
  };
}
