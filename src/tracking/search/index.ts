/**
 * @module tracking/search
 * MLflow search syntax: the parsed form of filters and order_by clauses, and the parser that builds it.
 */
export type { Comparison, ComparisonOperator, Filter, IdentifierType, OrderByClause, SearchEntity } from "./ast.js";
export { parseFilter, parseOrderBy } from "./parser.js";
