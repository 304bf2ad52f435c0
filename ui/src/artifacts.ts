/**
 * @module ui/artifacts
 * The artifact browser of a run: a folder tree (opened on demand) beside a preview of the chosen
 * file — text, CSV/TSV as a table, images, HTML in a sandboxed frame (no scripts, no same-origin
 * access), and an `MLmodel` file with its signature as tables.
 */
import { artifactUrl, type FileInfo, listArtifacts } from "./api.js";
import { h, notice, replace } from "./dom.js";

const IMAGE = /\.(png|jpe?g|gif|webp|svg)$/i;
const TEXT = /\.(txt|log|md|json|ya?ml|py|toml|cfg|ini|sh|ts|js|r|sql|xml|requirements)$/i;
const PREVIEW_LIMIT = 2 * 1024 * 1024;
const TABLE_ROWS = 500;

function size(bytes: number | undefined): string {
  if (bytes === undefined) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Splits CSV (or TSV) text into rows, honouring double-quoted fields. */
export function parseDelimited(text: string, delimiter: string, limit = TABLE_ROWS + 1): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < limit; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if ((cell !== "" || row.length > 0) && rows.length < limit) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function tableOf(rows: string[][], caption: string): HTMLElement {
  const [head = [], ...body] = rows;
  return h(
    "div.table-wrap",
    {},
    h(
      "table.data",
      {},
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((cell) => h("th", { scope: "col" }, cell)),
        ),
      ),
      h(
        "tbody",
        {},
        body.slice(0, TABLE_ROWS).map((row) =>
          h(
            "tr",
            {},
            row.map((cell) => h("td", {}, cell)),
          ),
        ),
      ),
    ),
  );
}

interface SignatureField {
  name?: string;
  type?: string;
  tensor_spec?: { dtype?: string; shape?: number[] };
}

/**
 * The `signature:` block of an MLmodel file: each of inputs/outputs/params is a JSON string, quoted
 * and possibly folded over several lines by the YAML writer (a line break inside a flow scalar reads
 * as one space, YAML 1.2 §7.3).
 */
export function parseSignature(text: string): Record<string, SignatureField[]> {
  const found: Record<string, SignatureField[]> = {};
  const block = text.split(/^signature:[ \t]*$/m)[1];
  if (!block) return found;
  const entries: { key: string; lines: string[] }[] = [];
  for (const line of block.split("\n")) {
    if (/^\S/.test(line)) break;
    const start = /^ {1,4}(inputs|outputs|params):\s*(.*)$/.exec(line);
    if (start) entries.push({ key: start[1]!, lines: [start[2]!] });
    else if (line.trim() !== "") entries.at(-1)?.lines.push(line.trim());
  }
  for (const { key, lines } of entries) {
    const value = lines.join(" ").trim();
    const quote = value[0];
    if ((quote !== "'" && quote !== '"') || value.at(-1) !== quote) continue;
    const inner = value.slice(1, -1);
    const json = quote === "'" ? inner.replace(/''/g, "'") : inner.replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    try {
      const parsed: unknown = JSON.parse(json);
      if (Array.isArray(parsed)) found[key] = parsed as SignatureField[];
    } catch {
      // Not JSON: the raw file is shown anyway.
    }
  }
  return found;
}

function signatureTables(text: string): HTMLElement | null {
  const signature = parseSignature(text);
  const parts = Object.entries(signature);
  if (parts.length === 0) return null;
  return h(
    "section.signature",
    {},
    h("h3", {}, "Signature"),
    parts.map(([part, fields]) =>
      tableOf(
        [
          ["name", "type", "shape"],
          ...fields.map((field, index) => [
            field.name ?? String(index),
            field.type === "tensor" ? `tensor ${field.tensor_spec?.dtype ?? ""}` : (field.type ?? ""),
            field.tensor_spec?.shape ? `[${field.tensor_spec.shape.join(", ")}]` : "",
          ]),
        ],
        part,
      ),
    ),
  );
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not read the file: ${response.status} ${await response.text()}`);
  return response.text();
}

async function preview(runId: string, file: FileInfo): Promise<HTMLElement> {
  const url = artifactUrl(runId, file.path);
  const name = file.path.split("/").pop() ?? file.path;
  const download = h("a.button", { href: url, download: name }, "Download");
  const head = h(
    "div.preview-head",
    {},
    h("strong", {}, file.path),
    h("span.muted", {}, size(file.file_size)),
    download,
  );
  if (IMAGE.test(name)) return h("div.preview", {}, head, h("img.preview-image", { src: url, alt: file.path }));
  if ((file.file_size ?? 0) > PREVIEW_LIMIT)
    return h("div.preview", {}, head, notice("Too large to preview; download it."));
  if (/\.html?$/i.test(name)) {
    // An empty sandbox: no scripts, no forms, a unique origin — the artifact cannot reach the UI.
    const frame = h("iframe.preview-frame", { sandbox: "", title: file.path, referrerpolicy: "no-referrer" });
    (frame as HTMLIFrameElement).srcdoc = await fetchText(url);
    return h("div.preview", {}, head, frame);
  }
  if (/\.(csv|tsv)$/i.test(name)) {
    const rows = parseDelimited(await fetchText(url), /\.tsv$/i.test(name) ? "\t" : ",");
    const more = rows.length > TABLE_ROWS ? ` (first ${TABLE_ROWS} rows)` : "";
    return h("div.preview", {}, head, tableOf(rows, `${name}${more}`));
  }
  if (name === "MLmodel") {
    const text = await fetchText(url);
    return h("div.preview", {}, head, signatureTables(text), h("pre.code", {}, text));
  }
  if (TEXT.test(name) || !name.includes(".")) {
    return h("div.preview", {}, head, h("pre.code", {}, await fetchText(url)));
  }
  return h("div.preview", {}, head, notice("No preview for this kind of file; download it."));
}

/** The artifact browser for a run; opens `initialPath` when given. */
export async function artifactBrowser(runId: string, initialPath?: string): Promise<HTMLElement> {
  const pane = h("div.preview-pane", { "aria-live": "polite" }, notice("Choose a file to preview it."));
  let current: HTMLElement | undefined;

  const open = async (file: FileInfo, button: HTMLElement) => {
    current?.removeAttribute("aria-current");
    button.setAttribute("aria-current", "true");
    current = button;
    replace(pane, h("p.loading", {}, "Loading…"));
    try {
      replace(pane, await preview(runId, file));
    } catch (error) {
      replace(pane, notice((error as Error).message, "error"));
    }
  };

  const folder = async (path: string): Promise<HTMLElement> => {
    const files = await listArtifacts(runId, path);
    return h(
      "ul.tree",
      { role: path === "" ? "tree" : "group" },
      files.map((file) => {
        const name = file.path.split("/").pop() ?? file.path;
        if (file.is_dir) {
          const children = h("div");
          const toggle = h(
            "button.tree-item.dir",
            { type: "button", "aria-expanded": "false", "data-path": file.path },
            `▸ ${name}`,
          );
          toggle.addEventListener("click", async () => {
            const expanded = toggle.getAttribute("aria-expanded") === "true";
            toggle.setAttribute("aria-expanded", String(!expanded));
            toggle.textContent = `${expanded ? "▸" : "▾"} ${name}`;
            if (expanded) replace(children);
            else replace(children, await folder(file.path));
          });
          return h("li", { role: "treeitem" }, toggle, children);
        }
        const button = h(
          "button.tree-item.file",
          { type: "button", "data-path": file.path },
          name,
          h("span.muted", {}, ` ${size(file.file_size)}`),
        );
        button.addEventListener("click", () => void open(file, button));
        if (file.path === initialPath) queueMicrotask(() => void open(file, button));
        return h("li", { role: "treeitem" }, button);
      }),
    );
  };

  let tree: HTMLElement;
  try {
    tree = await folder("");
  } catch (error) {
    return notice(`Artifacts unavailable: ${(error as Error).message}`, "error");
  }
  if (tree.childElementCount === 0) return notice("This run has no artifacts.");
  return h("div.artifacts", {}, h("nav.tree-pane", { "aria-label": "Artifact files" }, tree), pane);
}
