/**
 * Shape comparison for wire contract tests: two JSON values match when they have the same
 * structure, not the same values. Objects need the same keys, every position the same JSON type,
 * arrays the same emptiness; the elements of an array are compared through the union of their
 * shapes, so lists of different lengths or orders still match. `error_code` is compared by value
 * and `message` only has to be a non-empty string.
 */

export type JsonType = "null" | "boolean" | "number" | "string" | "array" | "object";

export function jsonType(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
    case "object":
      return "object";
    default:
      throw new Error(`Not a JSON value: ${String(value)}`);
  }
}

/** The union of the shapes of many values found at one position. */
export interface UnionShape {
  types: Set<JsonType>;
  /** For objects: every key seen, with the union of its values' shapes. */
  keys: Map<string, UnionShape>;
  /** For arrays: whether empty and non-empty ones were seen, and the union of all their items. */
  emptyArray: boolean;
  nonEmptyArray: boolean;
  items: UnionShape | undefined;
}

function emptyShape(): UnionShape {
  return { types: new Set(), keys: new Map(), emptyArray: false, nonEmptyArray: false, items: undefined };
}

function addToShape(shape: UnionShape, value: unknown): void {
  const type = jsonType(value);
  shape.types.add(type);
  if (type === "object") {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      let childShape = shape.keys.get(key);
      if (childShape === undefined) {
        childShape = emptyShape();
        shape.keys.set(key, childShape);
      }
      addToShape(childShape, child);
    }
  } else if (type === "array") {
    const items = value as unknown[];
    if (items.length === 0) shape.emptyArray = true;
    else shape.nonEmptyArray = true;
    for (const item of items) {
      shape.items ??= emptyShape();
      addToShape(shape.items, item);
    }
  }
}

export function unionShape(values: readonly unknown[]): UnionShape {
  const shape = emptyShape();
  for (const value of values) addToShape(shape, value);
  return shape;
}

function describeTypes(types: Set<JsonType>): string {
  return [...types].sort().join("|") || "nothing";
}

function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

function compareKeySets(expected: Iterable<string>, actual: Iterable<string>, path: string, diffs: string[]): void {
  const want = new Set(expected);
  const got = new Set(actual);
  for (const key of want) if (!got.has(key)) diffs.push(`${path}: missing key '${key}'`);
  for (const key of got) if (!want.has(key)) diffs.push(`${path}: unexpected key '${key}'`);
}

function compareUnions(expected: UnionShape, actual: UnionShape, path: string, diffs: string[]): void {
  if (!sameSet(expected.types, actual.types)) {
    diffs.push(`${path}: types ${describeTypes(actual.types)}, expected ${describeTypes(expected.types)}`);
    return;
  }
  if (expected.types.has("object")) {
    compareKeySets(expected.keys.keys(), actual.keys.keys(), path, diffs);
    for (const [key, shape] of expected.keys) {
      const other = actual.keys.get(key);
      if (other !== undefined) compareUnions(shape, other, `${path}.${key}`, diffs);
    }
  }
  if (expected.types.has("array")) {
    if (expected.emptyArray !== actual.emptyArray || expected.nonEmptyArray !== actual.nonEmptyArray) {
      const describe = (shape: UnionShape) =>
        [shape.emptyArray ? "empty" : "", shape.nonEmptyArray ? "non-empty" : ""].filter(Boolean).join(" and ");
      diffs.push(`${path}: arrays ${describe(actual)}, expected ${describe(expected)}`);
    }
    if (expected.items !== undefined && actual.items !== undefined) {
      compareUnions(expected.items, actual.items, `${path}[]`, diffs);
    }
  }
}

/**
 * Every way `actual` differs in shape from `expected`, one line each with a JSON path
 * (`$.run.data.metrics[].value`); an empty list means the shapes match.
 */
export function shapeDifferences(expected: unknown, actual: unknown, path = "$"): string[] {
  const diffs: string[] = [];
  compareValues(expected, actual, path, diffs);
  return diffs;
}

function compareValues(expected: unknown, actual: unknown, path: string, diffs: string[]): void {
  const want = jsonType(expected);
  const got = jsonType(actual);
  if (want !== got) {
    diffs.push(`${path}: ${got} ${JSON.stringify(actual)?.slice(0, 60)}, expected ${want}`);
    return;
  }
  if (want === "object") {
    const wantObject = expected as Record<string, unknown>;
    const gotObject = actual as Record<string, unknown>;
    compareKeySets(Object.keys(wantObject), Object.keys(gotObject), path, diffs);
    for (const [key, value] of Object.entries(wantObject)) {
      if (!(key in gotObject)) continue;
      const other = gotObject[key];
      const childPath = `${path}.${key}`;
      if (key === "error_code") {
        if (other !== value) diffs.push(`${childPath}: ${JSON.stringify(other)}, expected ${JSON.stringify(value)}`);
      } else if (key === "message" && typeof value === "string") {
        if (typeof other !== "string" || other === "") diffs.push(`${childPath}: expected a non-empty string`);
      } else {
        compareValues(value, other, childPath, diffs);
      }
    }
  } else if (want === "array") {
    const wantItems = expected as unknown[];
    const gotItems = actual as unknown[];
    if ((wantItems.length === 0) !== (gotItems.length === 0)) {
      diffs.push(`${path}: ${gotItems.length} items, expected ${wantItems.length === 0 ? "none" : "some"}`);
      return;
    }
    if (wantItems.length > 0) compareUnions(unionShape(wantItems), unionShape(gotItems), `${path}[]`, diffs);
  }
}
