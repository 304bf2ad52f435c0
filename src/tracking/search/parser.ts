/**
 * @module tracking/search/parser
 * Turns MLflow search filters (`metrics.acc > 0.9 AND tags.team = 'ml'`) and order_by clauses
 * (`metrics.acc DESC`) into the AST of ./ast.ts, by the rules of MLflow's search_utils
 * (reference/mlflow.md §4). Every bad input becomes a LatheError INVALID_PARAMETER_VALUE whose message
 * keeps MLflow's wording and then names the 0-based offset and what was expected there.
 */
import { invalidParameter } from "../../core/errors.js";
import type { Comparison, ComparisonOperator, Filter, IdentifierType, OrderByClause, SearchEntity } from "./ast.js";
import {
  DATASET_RULES,
  type EntityRules,
  type FieldRule,
  isComparisonOperator,
  pythonSet,
  rulesFor,
  TYPE_RULES,
} from "./rules.js";
import { clip, positionError, type RawIdentifier, Scanner, type ValueToken } from "./tokenizer.js";

interface FilterTarget {
  readonly type: IdentifierType;
  readonly key: string;
  readonly rule: FieldRule;
}

// A bare word where an identifier belongs that is really SQL syntax MLflow refuses (OR, NOT, ...).
const RESERVED_WORDS: ReadonlySet<string> = new Set(["AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "IS", "BETWEEN"]);

const IDENTIFIER_EXPECTED = "an identifier such as metrics.<key>, params.<key>, tags.<key> or an attribute name";
const OPERATOR_EXPECTED = "a comparison operator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN or NOT IN)";
const QUOTED_EXPECTED = "a quoted string such as 'my-value'";
const LIST_EXPECTED = "a parenthesised list of quoted strings such as ('a', 'b')";

function entityRules(entity: SearchEntity): EntityRules {
  const rules = rulesFor(entity);
  if (!rules) throw invalidParameter(`Unknown search entity '${clip(String(entity))}'`);
  return rules;
}

/** The identifier type named by the prefix (`metrics`, `attr`, ...); a bare key is an attribute. */
function resolveType(s: Scanner, raw: RawIdentifier, rules: EntityRules): IdentifierType {
  if (raw.key.text === "") throw s.fail("Invalid identifier: the key is empty", raw.key.start, "a non-empty key");
  if (!raw.prefix) return "attribute";
  const type = rules.typeWords.get(raw.prefix.text);
  if (type === undefined) {
    throw s.fail(
      `Invalid entity type '${clip(raw.prefix.text)}'. ${rules.typeWordsText}`,
      raw.prefix.start,
      `one of ${[...rules.typeWords.keys()].join(", ")}`,
    );
  }
  return type;
}

function resolveFilterTarget(s: Scanner, raw: RawIdentifier, rules: EntityRules): FilterTarget {
  const type = resolveType(s, raw, rules);
  if (type === "metric" || type === "param" || type === "tag") {
    return { type, key: raw.key.text, rule: TYPE_RULES[type] };
  }
  const table = type === "attribute" ? rules.filterAttributes : DATASET_RULES;
  const rule = table.get(raw.key.text);
  if (!rule) {
    throw s.fail(
      `Invalid ${type} key '${clip(raw.key.text)}' specified. Valid keys are '${pythonSet(table.keys())}'`,
      raw.key.start,
      `one of ${[...table.keys()].join(", ")}`,
    );
  }
  return { type, key: rule.key, rule };
}

/** MLflow's complaint when a string field gets something other than a quoted string. */
function notAStringMessage(type: IdentifierType, raw: string): string {
  if (type === "attribute") return `Expected a quoted string value for attributes. Got value ${raw}`;
  if (type === "dataset") return `Expected a quoted string value for dataset attributes. Got value ${raw}`;
  return `Expected a quoted string value for ${type} (e.g. 'my-value'). Got value ${raw}`;
}

/**
 * Checks the value against the field, then the operator against the field, then that IN / NOT IN
 * come with a list and nothing else does. MLflow checks the value first too, which is why
 * `tags.model IN ('rf', 'gbdt')` complains about the value rather than the operator.
 */
function checkComparison(
  s: Scanner,
  target: FilterTarget,
  writtenKey: string,
  operator: { readonly text: ComparisonOperator; readonly start: number },
  value: ValueToken,
): Comparison["value"] {
  const { type, key, rule } = target;
  const raw = clip(value.raw);
  if (rule.kind === "numeric" && value.kind !== "number") {
    const message =
      type === "metric"
        ? `Expected numeric value type for metric. Found ${raw}`
        : `Expected numeric value type for numeric attribute: ${clip(writtenKey)}. Found ${raw}`;
    throw s.fail(message, value.start, "a number");
  }
  const takesLists = rule.operators.includes("IN");
  if (value.kind === "backtick" || value.kind === "word") {
    throw s.fail(
      `Parameter value is either not quoted or unidentified quote types used for string value ${raw}. Use either single or double quotes.`,
      value.start,
      QUOTED_EXPECTED,
    );
  }
  if (rule.kind === "string" && value.kind === "number") {
    throw s.fail(
      notAStringMessage(type, raw),
      value.start,
      takesLists ? `${QUOTED_EXPECTED} or a list` : QUOTED_EXPECTED,
    );
  }
  if (value.kind === "list" && !takesLists) {
    const message =
      type === "attribute"
        ? "Only the 'run_id' attribute supports comparison with a list of quoted string values."
        : notAStringMessage(type, raw);
    throw s.fail(message, value.start, QUOTED_EXPECTED);
  }
  if (!rule.operators.includes(operator.text)) {
    throw s.fail(
      `Invalid comparator '${operator.text}' not one of '${pythonSet(rule.operators)}`,
      operator.start,
      `one of ${rule.operators.join(", ")}`,
    );
  }
  const wantsList = operator.text === "IN" || operator.text === "NOT IN";
  if (wantsList && value.kind !== "list") {
    throw s.fail(
      `Operator '${operator.text}' requires a list of quoted strings. Got value ${raw}`,
      value.start,
      LIST_EXPECTED,
    );
  }
  if (!wantsList && value.kind === "list") {
    throw s.fail(
      `Operator '${operator.text}' compares with a single value. Got value ${raw}`,
      value.start,
      QUOTED_EXPECTED,
    );
  }
  if (value.kind !== "list") return value.value;
  // MLflow keeps run ids lower-case, so an IN list is matched in lower case too.
  return key === "run_id" ? value.items.map((item) => item.toLowerCase()) : value.items;
}

function parseComparison(s: Scanner, rules: EntityRules): Comparison {
  const start = s.pos;
  const raw = s.readIdentifier();
  if (!raw || (!raw.prefix && !raw.key.quoted && RESERVED_WORDS.has(raw.key.text.toUpperCase()))) {
    throw s.fail(`Invalid clause(s) in filter string: '${s.lexemeAt(start)}'`, start, IDENTIFIER_EXPECTED);
  }
  const target = resolveFilterTarget(s, raw, rules);
  const soFar = (): string => clip(s.source.slice(start, s.pos).trim());

  s.skipWhitespace();
  const operator = s.readOperator();
  if (!operator) throw s.fail(`Invalid clause(s) in filter string: '${soFar()}'`, s.pos, OPERATOR_EXPECTED);
  const { text } = operator;
  if (!isComparisonOperator(text)) {
    throw s.fail(
      `Invalid comparator '${clip(text)}' not one of '${pythonSet(target.rule.operators)}`,
      operator.start,
      `one of ${target.rule.operators.join(", ")}`,
    );
  }

  s.skipWhitespace();
  const value = s.readValue();
  if (!value) {
    const wanted =
      target.rule.kind === "numeric"
        ? "a number"
        : text === "IN" || text === "NOT IN"
          ? LIST_EXPECTED
          : QUOTED_EXPECTED;
    throw s.fail(`Invalid clause(s) in filter string: '${soFar()}'`, s.pos, wanted);
  }
  const checked = checkComparison(s, target, raw.key.text, { text, start: operator.start }, value);
  return { type: target.type, key: target.key, operator: text, value: checked };
}

/**
 * Parses a search filter: comparisons joined by AND (any case). MLflow allows nothing else, so OR,
 * parentheses and NOT (other than in NOT IN) are rejected.
 *
 * @param filter the filter text; undefined, null, empty or blank means "no filter"
 * @param entity what is searched; decides the allowed identifiers, operators and value types
 * @returns the comparisons in the order written (empty for no filter)
 * @throws LatheError INVALID_PARAMETER_VALUE naming the offset and what was expected there
 */
export function parseFilter(filter: string | undefined, entity: SearchEntity): Filter {
  if (filter === undefined || filter === null) return [];
  if (typeof filter !== "string") throw invalidParameter("Invalid filter: expected a string");
  const rules = entityRules(entity);
  const s = new Scanner(filter);
  s.skipWhitespace();
  if (s.atEnd()) return [];
  const comparisons: Comparison[] = [];
  for (;;) {
    comparisons.push(parseComparison(s, rules));
    s.skipWhitespace();
    if (s.atEnd()) return comparisons;
    const at = s.pos;
    const word = s.readWord();
    if (word?.toUpperCase() !== "AND") {
      throw s.fail(`Invalid clause(s) in filter string: '${s.lexemeAt(at)}'`, at, "AND or the end of the filter");
    }
    s.skipWhitespace();
    if (s.atEnd()) throw s.fail(`Invalid clause(s) in filter string: '${word}'`, s.pos, "a comparison after AND");
  }
}

function resolveOrderTarget(s: Scanner, raw: RawIdentifier, rules: EntityRules): { type: IdentifierType; key: string } {
  const type = resolveType(s, raw, rules);
  if (!rules.orderTypes.has(type)) {
    throw s.fail(`Invalid order_by entity: ${type}`, raw.start, `a field of type ${[...rules.orderTypes].join(", ")}`);
  }
  if (type !== "attribute") return { type, key: raw.key.text };
  const key = rules.orderAttributes.get(raw.key.text);
  if (key === undefined) {
    throw s.fail(
      `Invalid attribute key '${clip(raw.key.text)}' specified. Valid keys are '${pythonSet(rules.orderAttributes.keys())}'`,
      raw.key.start,
      `one of ${[...rules.orderAttributes.keys()].join(", ")}`,
    );
  }
  return { type, key };
}

function parseOrderByClause(clause: string, index: number, rules: EntityRules): OrderByClause & { start: number } {
  const s = new Scanner(clause, `in order_by[${index}] `);
  const unparsable = `Invalid order_by clause '${clip(clause)}'. Could not be parsed.`;
  s.skipWhitespace();
  const start = s.pos;
  const raw = s.readIdentifier();
  if (!raw) throw s.fail(unparsable, start, "a field such as metrics.<key>, params.<key>, tags.<key> or an attribute");
  const { type, key } = resolveOrderTarget(s, raw, rules);
  s.skipWhitespace();
  if (s.atEnd()) return { type, key, ascending: true, start };
  const at = s.pos;
  const direction = s.readWord()?.toUpperCase();
  if (direction !== "ASC" && direction !== "DESC") {
    throw s.fail(
      `Invalid ordering key in order_by clause '${clip(clause)}'.`,
      at,
      "ASC, DESC or the end of the clause",
    );
  }
  s.skipWhitespace();
  if (!s.atEnd()) throw s.fail(unparsable, s.pos, "the end of the clause after ASC or DESC");
  return { type, key, ascending: direction === "ASC", start };
}

/**
 * Parses order_by clauses, each `<identifier> [ASC|DESC]` (direction in any case, ascending by
 * default). Attribute aliases are canonicalised, so `created` and `start_time` are the same field.
 *
 * @param clauses the clauses in priority order; undefined or null means none
 * @param entity what is searched; decides which fields can be ordered by
 * @throws LatheError INVALID_PARAMETER_VALUE for a bad clause or a field ordered by twice; the
 *   message names the clause index and the offset inside that clause
 */
export function parseOrderBy(clauses: readonly string[] | undefined, entity: SearchEntity): OrderByClause[] {
  if (clauses === undefined || clauses === null) return [];
  if (!Array.isArray(clauses)) throw invalidParameter("Invalid order_by: expected a list of strings");
  const rules = entityRules(entity);
  const seen = new Set<string>();
  const result: OrderByClause[] = [];
  for (const [index, clause] of clauses.entries()) {
    if (typeof clause !== "string") {
      throw invalidParameter(`Invalid order_by clause at order_by[${index}]: expected a string`);
    }
    const { start, ...parsed } = parseOrderByClause(clause, index, rules);
    const field = `${parsed.type}.${parsed.key}`;
    if (seen.has(field)) {
      const listed = clip(`[${clauses.map((c) => `'${String(c)}'`).join(", ")}]`);
      throw positionError(
        `\`order_by\` contains duplicate fields: ${listed}`,
        `in order_by[${index}] `,
        start,
        "a field not already in order_by",
      );
    }
    seen.add(field);
    result.push(parsed);
  }
  return result;
}
