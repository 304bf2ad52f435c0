/**
 * @module server/routes/ui-search
 * `GET lathe/search/check-filter` (ajax only): checks a search filter with the same parser the
 * search endpoints use and answers `{valid: true}` or `{valid: false, message, position}`, so the
 * web UI can underline the exact spot of a mistake while the user types, without a failed request.
 */
import { isLatheError } from "../../core/errors.js";
import { parseFilter, type SearchEntity } from "../../tracking/search/index.js";
import { type Endpoint, field } from "../endpoint.js";

const ENTITIES: readonly SearchEntity[] = ["runs", "experiments", "registered_models", "model_versions"];

export const uiSearchEndpoints: Endpoint[] = [
  {
    methods: ["GET"],
    path: "lathe/search/check-filter",
    summary:
      "Lathe extension (UI): check a search filter; answers {valid: true} or {valid: false, message, position} (position absent when the message names none).",
    ajaxOnly: true,
    fields: [field("filter", "string", true), field("entity", "string")],
    async handle(params) {
      const entity = (params.optionalString("entity") || "runs") as SearchEntity;
      if (!ENTITIES.includes(entity)) {
        return { valid: false, message: `Unknown entity '${entity}': use one of ${ENTITIES.join(", ")}.` };
      }
      try {
        parseFilter(params.optionalString("filter") ?? "", entity);
        return { valid: true };
      } catch (error) {
        if (!isLatheError(error)) throw error;
        const position = /at position (\d+)/.exec(error.message)?.[1];
        return { valid: false, message: error.message, ...(position ? { position: Number(position) } : {}) };
      }
    },
  },
];
