/**
 * @module ui/runs-table
 * The runs table: the user's columns (attributes, params, metrics, tags), server-side sorting and
 * filtering, pages of up to 1000 runs fetched as the user scrolls, and virtual scrolling — only the
 * rows in view (plus a margin) exist in the DOM, each of a fixed height, so 100,000 runs scroll as
 * smoothly as 100. Keyboard: ↑/↓ or j/k move, Enter opens, x or Space marks for comparison.
 */
import { lookup, type Run, searchRuns } from "./api.js";
import { formatDuration, formatNumber, formatTime, h, replace } from "./dom.js";

export const ROW_HEIGHT = 32;
const OVERSCAN = 10;
const PAGE_SIZE = 1000;

export type ColumnKind = "attribute" | "param" | "metric" | "tag";

export interface Column {
  kind: ColumnKind;
  key: string;
}

const ATTRIBUTES: Record<string, { label: string; order?: string; value: (run: Run) => string }> = {
  run_name: { label: "Run", order: "attributes.run_name", value: (run) => run.info.run_name ?? run.info.run_id },
  start_time: { label: "Created", order: "attributes.start_time", value: (run) => formatTime(run.info.start_time) },
  duration: {
    label: "Duration",
    value: (run) =>
      run.info.end_time && run.info.start_time ? formatDuration(run.info.end_time - run.info.start_time) : "",
  },
  status: { label: "Status", order: "attributes.status", value: (run) => run.info.status },
  user_id: { label: "User", order: "attributes.user_id", value: (run) => run.info.user_id ?? "" },
  run_id: { label: "Run ID", order: "attributes.run_id", value: (run) => run.info.run_id },
};

export const ATTRIBUTE_KEYS = Object.keys(ATTRIBUTES);

export function columnId(column: Column): string {
  return `${column.kind}:${column.key}`;
}

export function columnLabel(column: Column): string {
  if (column.kind === "attribute") return ATTRIBUTES[column.key]?.label ?? column.key;
  return column.key;
}

/** The `order_by` clause sorting by `column`, or undefined when the server cannot sort by it. */
export function orderClause(column: Column, descending: boolean): string | undefined {
  const direction = descending ? "DESC" : "ASC";
  if (column.kind === "attribute") {
    const order = ATTRIBUTES[column.key]?.order;
    return order ? `${order} ${direction}` : undefined;
  }
  const prefix = column.kind === "param" ? "params" : column.kind === "metric" ? "metrics" : "tags";
  return `${prefix}.\`${column.key.replace(/`/g, "")}\` ${direction}`;
}

export function cellText(run: Run, column: Column): string {
  switch (column.kind) {
    case "attribute":
      return ATTRIBUTES[column.key]?.value(run) ?? "";
    case "param":
      return lookup(run.data.params, column.key) ?? "";
    case "tag":
      return lookup(run.data.tags, column.key) ?? "";
    case "metric":
      return formatNumber(run.data.metrics?.find((metric) => metric.key === column.key)?.value);
  }
}

export interface RunsTableOptions {
  experimentIds: string[];
  columns: Column[];
  filter: string;
  sort: { column: Column; descending: boolean } | undefined;
  selected: Set<string>;
  onSort(column: Column): void;
  onOpen(run: Run): void;
  onSelectionChange(): void;
  /** Called after each page arrives, with the runs loaded so far. */
  onLoaded?(runs: readonly Run[], complete: boolean): void;
  onError(error: Error): void;
}

/** A mounted runs table; `destroy()` stops its loading. */
export interface RunsTable {
  readonly element: HTMLElement;
  readonly runs: readonly Run[];
  /** Shows other columns of the runs already loaded (no new request). */
  setColumns(columns: Column[]): void;
  destroy(): void;
}

export function createRunsTable(options: RunsTableOptions): RunsTable {
  const runs: Run[] = [];
  let nextToken: string | undefined;
  let complete = false;
  let loading = false;
  let destroyed = false;
  let focused = 0;
  let frame = 0;

  let template = "";
  let minWidth = "";

  function renderHeader(): HTMLElement {
    // Fixed track widths: the header and the absolutely placed rows must lay out identically.
    const widths = [
      2.25,
      ...options.columns.map((column) =>
        column.key === "run_name" || column.key === "run_id" ? 15 : column.key === "start_time" ? 11.5 : 9,
      ),
    ];
    template = widths.map((width) => `${width}rem`).join(" ");
    minWidth = `min-width: ${widths.reduce((sum, width) => sum + width, 0) + 1}rem`;
    return h(
      "div.runs-header",
      { role: "row", style: `grid-template-columns: ${template}; ${minWidth}` },
      h("span.cell.check", { role: "columnheader" }, ""),
      options.columns.map((column) => {
        const sorted = options.sort && columnId(options.sort.column) === columnId(column);
        const sortable = orderClause(column, false) !== undefined;
        return h(
          "button.cell.head",
          {
            role: "columnheader",
            type: "button",
            title: sortable ? `Sort by ${columnLabel(column)}` : `${columnLabel(column)} (not sortable)`,
            disabled: !sortable,
            "data-column": columnId(column),
            "aria-sort": sorted ? (options.sort?.descending ? "descending" : "ascending") : "none",
            class: column.kind,
            onclick: () => options.onSort(column),
          },
          columnLabel(column),
          sorted ? (options.sort?.descending ? " ▼" : " ▲") : "",
        );
      }),
    );
  }

  let header = renderHeader();
  const spacer = h("div.runs-spacer");
  const rowsLayer = h("div.runs-rows", { role: "rowgroup" });
  const viewport = h("div.runs-viewport", { tabindex: 0, "aria-label": "Runs", style: minWidth }, spacer, rowsLayer);
  const scroller = h("div.runs-scroll", {}, header, viewport);
  const status = h("p.runs-status", { role: "status" }, "Loading runs…");
  const element = h("div.runs-table", { role: "grid", "aria-rowcount": -1 }, scroller, status);

  function renderRow(run: Run, index: number): HTMLElement {
    const checked = options.selected.has(run.info.run_id);
    const checkbox = h("input", {
      type: "checkbox",
      checked,
      tabindex: -1,
      "aria-label": `Select ${run.info.run_name ?? run.info.run_id} for comparison`,
      onchange: () => toggle(run),
    });
    return h(
      "div.runs-row",
      {
        role: "row",
        "aria-rowindex": index + 1,
        "aria-selected": checked,
        "data-run-id": run.info.run_id,
        style: `transform: translateY(${index * ROW_HEIGHT}px); grid-template-columns: ${template}`,
        class: index === focused ? "focused" : undefined,
        onclick: (event: Event) => {
          if ((event.target as HTMLElement).tagName === "INPUT") return;
          focused = index;
          options.onOpen(run);
        },
      },
      h("span.cell.check", {}, checkbox),
      options.columns.map((column) => {
        const text = cellText(run, column);
        return h(`span.cell.${column.kind}`, { title: text, "data-column": columnId(column) }, text);
      }),
    );
  }

  function render(): void {
    frame = 0;
    spacer.style.height = `${runs.length * ROW_HEIGHT}px`;
    const top = viewport.scrollTop;
    const height = viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(runs.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const rows: HTMLElement[] = [];
    for (let index = first; index < last; index++) rows.push(renderRow(runs[index]!, index));
    replace(rowsLayer, rows);
    if (!complete && last >= runs.length - OVERSCAN * 2) void loadMore();
  }

  function schedule(): void {
    if (frame === 0) frame = requestAnimationFrame(render);
  }

  function updateStatus(): void {
    const count = runs.length.toLocaleString("en-US");
    const marked = options.selected.size > 0 ? ` · ${options.selected.size} selected` : "";
    status.textContent =
      runs.length === 0 && complete
        ? "No runs match."
        : `${count}${complete ? "" : "+"} runs${complete ? "" : " (more load as you scroll)"}${marked}`;
  }

  async function loadMore(): Promise<void> {
    if (loading || complete || destroyed) return;
    loading = true;
    try {
      const sort = options.sort ? orderClause(options.sort.column, options.sort.descending) : undefined;
      const page = await searchRuns({
        experimentIds: options.experimentIds,
        filter: options.filter,
        orderBy: sort ? [sort] : ["attributes.start_time DESC"],
        // The first page is small so the table shows at once; later pages are as large as allowed.
        maxResults: runs.length === 0 ? 200 : PAGE_SIZE,
        pageToken: nextToken,
      });
      if (destroyed) return;
      runs.push(...(page.runs ?? []));
      nextToken = page.next_page_token;
      complete = !nextToken;
      element.setAttribute("aria-busy", "false");
      updateStatus();
      options.onLoaded?.(runs, complete);
      schedule();
    } catch (error) {
      complete = true;
      options.onError(error as Error);
    } finally {
      loading = false;
    }
  }

  function toggle(run: Run): void {
    const id = run.info.run_id;
    if (options.selected.has(id)) options.selected.delete(id);
    else options.selected.add(id);
    updateStatus();
    options.onSelectionChange();
    schedule();
  }

  function moveFocus(index: number): void {
    if (runs.length === 0) return;
    focused = Math.max(0, Math.min(runs.length - 1, index));
    const top = focused * ROW_HEIGHT;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight)
      viewport.scrollTop = top + ROW_HEIGHT - viewport.clientHeight;
    schedule();
  }

  viewport.addEventListener("scroll", schedule, { passive: true });
  viewport.addEventListener("keydown", (event) => {
    const visible = Math.max(1, Math.floor(viewport.clientHeight / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveFocus(focused + 1),
      j: () => moveFocus(focused + 1),
      ArrowUp: () => moveFocus(focused - 1),
      k: () => moveFocus(focused - 1),
      PageDown: () => moveFocus(focused + visible),
      PageUp: () => moveFocus(focused - visible),
      Home: () => moveFocus(0),
      End: () => moveFocus(runs.length - 1),
      Enter: () => runs[focused] && options.onOpen(runs[focused]!),
      x: () => runs[focused] && toggle(runs[focused]!),
      " ": () => runs[focused] && toggle(runs[focused]!),
    };
    const action = keys[event.key];
    if (action && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      action();
    }
  });
  element.setAttribute("aria-busy", "true");
  void loadMore();

  return {
    element,
    get runs() {
      return runs;
    },
    setColumns(columns) {
      options.columns = columns;
      const next = renderHeader();
      header.replaceWith(next);
      header = next;
      viewport.setAttribute("style", minWidth);
      schedule();
    },
    destroy() {
      destroyed = true;
      if (frame !== 0) cancelAnimationFrame(frame);
    },
  };
}
