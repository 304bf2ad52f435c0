/**
 * @module tracking/search/rules
 * What each searchable entity accepts (reference/mlflow.md §4): which identifier types, which
 * attributes and their aliases, and which operators and value kinds go with each kind of field.
 * Kept apart from the parser so the tables read as the specification they are.
 */
import type { ComparisonOperator, IdentifierType, SearchEntity } from "./ast.js";

// Listed in the order MLflow printed them in the recorded error, so the message matches byte for byte.
export const NUMERIC_OPERATORS: readonly ComparisonOperator[] = [">", "=", ">=", "<=", "<", "!="];
export const STRING_OPERATORS: readonly ComparisonOperator[] = ["=", "!=", "LIKE", "ILIKE"];
export const LIST_OPERATORS: readonly ComparisonOperator[] = [...STRING_OPERATORS, "IN", "NOT IN"];

const ALL_OPERATORS: ReadonlySet<string> = new Set<string>([...NUMERIC_OPERATORS, ...LIST_OPERATORS]);

export function isComparisonOperator(text: string): text is ComparisonOperator {
  return ALL_OPERATORS.has(text);
}

/** How a field compares: by number, or by string with or without IN / NOT IN lists. */
export interface FieldRule {
  readonly kind: "numeric" | "string";
  readonly operators: readonly ComparisonOperator[];
}

const NUMERIC: FieldRule = { kind: "numeric", operators: NUMERIC_OPERATORS };
const STRING: FieldRule = { kind: "string", operators: STRING_OPERATORS };
const STRING_OR_LIST: FieldRule = { kind: "string", operators: LIST_OPERATORS };

/** An attribute spelling accepted from the user, with the canonical key the AST carries. */
export interface AttributeRule extends FieldRule {
  readonly key: string;
}

export interface EntityRules {
  /** Type word as written (`metrics`, `attr`, ...) to identifier type, for filters and order_by. */
  readonly typeWords: ReadonlyMap<string, IdentifierType>;
  /** MLflow's wording of the allowed type words, used in "Invalid entity type" messages. */
  readonly typeWordsText: string;
  readonly filterAttributes: ReadonlyMap<string, AttributeRule>;
  readonly orderAttributes: ReadonlyMap<string, string>;
  readonly orderTypes: ReadonlySet<IdentifierType>;
}

export const DATASET_RULES: ReadonlyMap<string, AttributeRule> = new Map(
  ["name", "digest", "context"].map((key) => [key, { key, ...STRING_OR_LIST }]),
);

export const TYPE_RULES: Readonly<Record<"metric" | "param" | "tag", FieldRule>> = {
  metric: NUMERIC,
  param: STRING,
  tag: STRING,
};

const RUN_TYPE_WORDS: ReadonlyArray<readonly [string, IdentifierType]> = [
  ["metric", "metric"],
  ["metrics", "metric"],
  ["param", "param"],
  ["params", "param"],
  ["parameter", "param"],
  ["parameters", "param"],
  ["tag", "tag"],
  ["tags", "tag"],
  ["attribute", "attribute"],
  ["attributes", "attribute"],
  ["attr", "attribute"],
  ["run", "attribute"],
  ["dataset", "dataset"],
  ["datasets", "dataset"],
];

// MLflow's registry and experiment searches accept only these; `attributes`/`attr` are harmless extras.
const REGISTRY_TYPE_WORDS: ReadonlyArray<readonly [string, IdentifierType]> = [
  ["attribute", "attribute"],
  ["attributes", "attribute"],
  ["attr", "attribute"],
  ["tag", "tag"],
  ["tags", "tag"],
];
const REGISTRY_TYPE_WORDS_TEXT = "Valid entity types are ('attribute', 'tag', 'tags')";

/** Builds an attribute table: canonical keys with their rule, then aliases pointing at a canonical key. */
function attributes(
  canonical: Record<string, FieldRule>,
  aliases: Record<string, string> = {},
): ReadonlyMap<string, AttributeRule> {
  const table = new Map<string, AttributeRule>();
  for (const [key, rule] of Object.entries(canonical)) table.set(key, { key, ...rule });
  for (const [alias, key] of Object.entries(aliases)) table.set(alias, { key, ...canonical[key]! });
  return table;
}

function orderKeys(canonical: readonly string[], aliases: Record<string, string> = {}): ReadonlyMap<string, string> {
  return new Map([...canonical.map((key): [string, string] => [key, key]), ...Object.entries(aliases)]);
}

const RUN_ALIASES = {
  "run name": "run_name",
  "Run name": "run_name",
  "Run Name": "run_name",
  created: "start_time",
  Created: "start_time",
};
const RUN_STRING_ATTRIBUTES = ["run_id", "run_name", "status", "user_id", "artifact_uri"];
const RUN_NUMERIC_ATTRIBUTES = ["start_time", "end_time"];
const ONLY_ATTRIBUTES: ReadonlySet<IdentifierType> = new Set(["attribute"]);

const ENTITY_RULES: Readonly<Record<SearchEntity, EntityRules>> = {
  runs: {
    typeWords: new Map(RUN_TYPE_WORDS),
    typeWordsText: "Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    filterAttributes: attributes(
      {
        run_id: STRING_OR_LIST,
        run_name: STRING,
        status: STRING,
        user_id: STRING,
        artifact_uri: STRING,
        start_time: NUMERIC,
        end_time: NUMERIC,
      },
      RUN_ALIASES,
    ),
    orderAttributes: orderKeys([...RUN_STRING_ATTRIBUTES, ...RUN_NUMERIC_ATTRIBUTES], RUN_ALIASES),
    orderTypes: new Set(["attribute", "metric", "param", "tag"]),
  },
  experiments: {
    typeWords: new Map(REGISTRY_TYPE_WORDS),
    typeWordsText: REGISTRY_TYPE_WORDS_TEXT,
    filterAttributes: attributes({ name: STRING, creation_time: NUMERIC, last_update_time: NUMERIC }),
    orderAttributes: orderKeys(["name", "experiment_id", "creation_time", "last_update_time"]),
    orderTypes: ONLY_ATTRIBUTES,
  },
  registered_models: {
    typeWords: new Map(REGISTRY_TYPE_WORDS),
    typeWordsText: REGISTRY_TYPE_WORDS_TEXT,
    filterAttributes: attributes({ name: STRING }),
    orderAttributes: orderKeys(["name", "creation_timestamp", "last_updated_timestamp"], {
      timestamp: "last_updated_timestamp",
    }),
    orderTypes: ONLY_ATTRIBUTES,
  },
  model_versions: {
    typeWords: new Map(REGISTRY_TYPE_WORDS),
    typeWordsText: REGISTRY_TYPE_WORDS_TEXT,
    filterAttributes: attributes({
      name: STRING,
      source_path: STRING,
      run_id: STRING_OR_LIST,
      version_number: NUMERIC,
    }),
    orderAttributes: orderKeys([
      "name",
      "version_number",
      "creation_timestamp",
      "last_updated_timestamp",
      "run_id",
      "source_path",
      "current_stage",
    ]),
    orderTypes: ONLY_ATTRIBUTES,
  },
};

export function rulesFor(entity: SearchEntity): EntityRules | undefined {
  return Object.hasOwn(ENTITY_RULES, entity) ? ENTITY_RULES[entity] : undefined;
}

/** Renders names the way Python prints a set of strings, as MLflow's messages do: `{'a', 'b'}`. */
export function pythonSet(items: Iterable<string>): string {
  return `{${[...items].map((item) => `'${item}'`).join(", ")}}`;
}
