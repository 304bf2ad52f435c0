/**
 * @module validation/html
 * Data docs: one self-contained HTML page for a validation result (inline CSS, no scripts, nothing
 * fetched), with the verdict, the statistics and, per expectation, its arguments, what was observed
 * and a sample of unexpected values.
 */
import { describeOutcome, formatKwargs, formatValue, summarize } from "./report.js";
import type { ValidationResult } from "./types.js";

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1d2430; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
.verdict { font-weight: 600; padding: .4rem .8rem; border-radius: 4px; display: inline-block; }
.pass { background: #e3f4e8; color: #17622f; } .fail { background: #fbe4e4; color: #8a1c1c; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { border-bottom: 1px solid #dde2ea; padding: .45rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; }
code { font: 12px ui-monospace, monospace; word-break: break-all; }
.stats span { margin-right: 1.2rem; }
`;

/** The data-docs page of `result`. */
export function renderValidationHtml(result: ValidationResult): string {
  const rows = result.results
    .map((entry) => {
      const config = entry.expectation_config;
      const partial = entry.result.partial_unexpected_list as unknown[] | undefined;
      const sample =
        partial && partial.length > 0
          ? `<br><small>unexpected: ${escapeHtml(partial.map(formatValue).join(", "))}</small>`
          : "";
      return `<tr class="${entry.success ? "pass" : "fail"}"><td>${entry.success ? "✓" : "✗"}</td><td><code>${escapeHtml(config.type)}</code></td><td><code>${escapeHtml(formatKwargs(config.kwargs))}</code></td><td>${escapeHtml(describeOutcome(entry))}${sample}</td></tr>`;
    })
    .join("\n");
  const stats = result.statistics;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Validation: ${escapeHtml(result.suite_name)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Suite ${escapeHtml(result.suite_name)}</h1>
<p>Data <code>${escapeHtml(result.meta.batch_spec.path)}</code>, validated ${escapeHtml(result.meta.validation_time)} by Lathe ${escapeHtml(result.meta.lathe_version)}.</p>
<p class="verdict ${result.success ? "pass" : "fail"}">${escapeHtml(summarize(result))}</p>
<p class="stats"><span>evaluated ${stats.evaluated_expectations}</span><span>successful ${stats.successful_expectations}</span><span>unsuccessful ${stats.unsuccessful_expectations}</span></p>
<table>
<thead><tr><th></th><th>expectation</th><th>arguments</th><th>observed</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
