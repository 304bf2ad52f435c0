/**
 * @module validation/report
 * The readable form of a validation result: one line per expectation (✓ or ✗, its arguments, what
 * was observed, unexpected counts and examples) and a verdict. Shared by the CLI and data docs.
 */
import type { ExpectationResult, ValidationResult } from "./types.js";

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** A value as a person reads it: numbers rounded to 6 significant digits, ∞ for infinity. */
export function formatValue(value: unknown): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return value > 0 ? "∞" : value < 0 ? "-∞" : "NaN";
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  }
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  if (value === undefined) return "";
  return JSON.stringify(value);
}

/** `column=age, min_value=0` from an expectation's kwargs. */
export function formatKwargs(kwargs: Record<string, unknown>): string {
  return Object.entries(kwargs)
    .map(([name, value]) => `${name}=${clip(typeof value === "string" ? value : formatValue(value), 60)}`)
    .join(", ");
}

/** What an expectation saw: the observed value, or unexpected counts with examples. */
export function describeOutcome(result: ExpectationResult): string {
  if (result.exception_info.raised_exception) return `error: ${result.exception_info.exception_message}`;
  const details = result.result;
  const parts: string[] = [];
  if ("observed_value" in details) parts.push(`observed ${clip(formatValue(details.observed_value), 120)}`);
  if ("unexpected_count" in details) {
    const unexpected = details.unexpected_count as number;
    const percent = details.unexpected_percent as number | null;
    const counted = (details.element_count as number) - ((details.missing_count as number | undefined) ?? 0);
    parts.push(
      `${unexpected} of ${counted} unexpected${percent === null ? "" : ` (${formatValue(percent)}%)`}` +
        ((details.missing_count as number | undefined) ? `, ${details.missing_count} missing` : ""),
    );
    const partial = details.partial_unexpected_list as unknown[];
    if (unexpected > 0 && partial.some((value) => value !== null))
      parts.push(`e.g. ${clip(partial.slice(0, 5).map(formatValue).join(", "), 100)}`);
  }
  return parts.join("; ");
}

/** The verdict line. */
export function summarize(result: ValidationResult): string {
  const { successful_expectations: met, evaluated_expectations: total, success_percent: share } = result.statistics;
  return `${result.success ? "PASSED" : "FAILED"}: ${met} of ${total} expectations met${share === null ? "" : ` (${formatValue(share)}%)`}.`;
}

/** The whole report as text. */
export function renderReport(result: ValidationResult): string {
  const lines = [`Suite '${result.suite_name}' on ${result.meta.batch_spec.path}`];
  for (const entry of result.results) {
    const config = entry.expectation_config;
    lines.push(`${entry.success ? "✓" : "✗"} ${config.type}(${formatKwargs(config.kwargs)})`);
    const outcome = describeOutcome(entry);
    if (outcome) lines.push(`    ${outcome}`);
  }
  lines.push(summarize(result));
  return `${lines.join("\n")}\n`;
}
