/**
 * @module ui/pages/experiments
 * The Experiments page: the experiment list (searchable by name) beside the selected experiment's
 * runs table, with the filter box (MLflow's grammar; a mistake is underlined where the server's
 * parser found it), the column picker, and "Compare" for 2–20 marked runs.
 */
import { checkFilter, type Experiment, getExperiment, type Run, searchExperiments } from "../api.js";
import { h, notice, replace } from "../dom.js";
import { navigate, type Page } from "../router.js";
import {
  ATTRIBUTE_KEYS,
  type Column,
  type ColumnKind,
  columnId,
  columnLabel,
  createRunsTable,
  type RunsTable,
} from "../runs-table.js";

const DEFAULT_ATTRIBUTES: Column[] = ["run_name", "start_time", "duration", "status"].map((key) => ({
  kind: "attribute",
  key,
}));

function storedColumns(experimentId: string): Column[] | undefined {
  try {
    const raw = localStorage.getItem(`lathe.columns.${experimentId}`);
    return raw ? (JSON.parse(raw) as Column[]) : undefined;
  } catch {
    return undefined;
  }
}

function storeColumns(experimentId: string, columns: readonly Column[]): void {
  localStorage.setItem(`lathe.columns.${experimentId}`, JSON.stringify(columns));
}

/** Keys seen in the loaded runs, by kind (system tags `mlflow.*` last). */
function availableKeys(runs: readonly Run[]): Record<Exclude<ColumnKind, "attribute">, string[]> {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs.slice(0, 500)) {
    for (const param of run.data.params ?? []) params.add(param.key);
    for (const metric of run.data.metrics ?? []) metrics.add(metric.key);
    for (const tag of run.data.tags ?? []) tags.add(tag.key);
  }
  const byName = (a: string, b: string) =>
    Number(a.startsWith("mlflow.")) - Number(b.startsWith("mlflow.")) || a.localeCompare(b);
  return { param: [...params].sort(byName), metric: [...metrics].sort(byName), tag: [...tags].sort(byName) };
}

/** An input whose mistake is underlined by a mirror layer of the same text behind it. */
function filterBox(initial: string, onApply: (filter: string) => void) {
  const input = h("input.filter-input", {
    type: "search",
    value: initial,
    placeholder: "Filter runs: metrics.accuracy > 0.9 and params.model = 'tree'",
    "aria-label": "Filter runs",
    spellcheck: "false",
    autocomplete: "off",
    "data-shortcut": "/",
  }) as HTMLInputElement;
  const mirror = h("div.filter-mirror", { "aria-hidden": "true" });
  const message = h("p.filter-error", { role: "alert", hidden: true });
  let timer = 0;
  let sequence = 0;

  const showError = (text: string, position: number | undefined, value: string) => {
    input.setAttribute("aria-invalid", "true");
    message.hidden = false;
    message.textContent = text;
    if (position === undefined) {
      replace(mirror);
      return;
    }
    const at = Math.min(position, value.length);
    const bad = value.slice(at).match(/^\S+/)?.[0] ?? " ";
    replace(mirror, value.slice(0, at), h("mark.filter-mark", {}, bad), value.slice(at + bad.length));
    mirror.scrollLeft = input.scrollLeft;
  };
  const clearError = () => {
    input.removeAttribute("aria-invalid");
    message.hidden = true;
    replace(mirror);
  };

  const apply = async () => {
    window.clearTimeout(timer);
    const value = input.value.trim();
    const mine = ++sequence;
    if (value === "") {
      clearError();
      onApply("");
      return;
    }
    try {
      const result = await checkFilter(value);
      if (mine !== sequence) return;
      if (result.valid) {
        clearError();
        onApply(value);
      } else showError(result.message ?? "Invalid filter.", result.position, value);
    } catch (error) {
      showError((error as Error).message, undefined, value);
    }
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void apply(), 500);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") void apply();
    if (event.key === "Escape") input.blur();
  });
  input.addEventListener("scroll", () => {
    mirror.scrollLeft = input.scrollLeft;
  });
  return { element: h("div.filter", {}, h("div.filter-field", {}, mirror, input), message), input, apply };
}

function columnPicker(runs: readonly Run[], columns: Column[], onChange: (columns: Column[]) => void): HTMLElement {
  const keys = availableKeys(runs);
  const chosen = new Set(columns.map(columnId));
  const group = (kind: ColumnKind, title: string, list: readonly string[]) =>
    list.length === 0
      ? null
      : h(
          "fieldset.picker-group",
          {},
          h("legend", {}, title),
          list.map((key) => {
            const column: Column = { kind, key };
            const id = columnId(column);
            return h(
              "label.picker-item",
              {},
              h("input", {
                type: "checkbox",
                checked: chosen.has(id),
                "data-column": id,
                onchange: (event: Event) => {
                  const on = (event.target as HTMLInputElement).checked;
                  const next = on ? [...columns, column] : columns.filter((other) => columnId(other) !== id);
                  onChange(next);
                },
              }),
              kind === "attribute" ? columnLabel(column) : key,
            );
          }),
        );
  return h(
    "details.picker",
    {},
    h("summary.button", { "aria-label": "Choose columns" }, "Columns"),
    h(
      "div.picker-panel",
      {},
      group("attribute", "Attributes", ATTRIBUTE_KEYS),
      group("metric", "Metrics", keys.metric),
      group("param", "Params", keys.param),
      group("tag", "Tags", keys.tag),
    ),
  );
}

function defaultColumns(runs: readonly Run[]): Column[] {
  const keys = availableKeys(runs);
  return [
    ...DEFAULT_ATTRIBUTES,
    ...keys.metric.slice(0, 4).map((key): Column => ({ kind: "metric", key })),
    ...keys.param
      .filter((key) => !key.startsWith("mlflow."))
      .slice(0, 4)
      .map((key): Column => ({ kind: "param", key })),
  ];
}

function experimentList(experiments: readonly Experiment[], current: string | undefined): HTMLElement {
  const list = h("ul.experiment-list", { role: "list" });
  const search = h("input.experiment-search", {
    type: "search",
    placeholder: "Search experiments",
    "aria-label": "Search experiments",
  }) as HTMLInputElement;
  const draw = () => {
    const needle = search.value.trim().toLowerCase();
    replace(
      list,
      experiments
        .filter((experiment) => experiment.name.toLowerCase().includes(needle))
        .map((experiment) =>
          h(
            "li",
            {},
            h(
              "a",
              {
                href: `#/experiments/${encodeURIComponent(experiment.experiment_id)}`,
                "aria-current": experiment.experiment_id === current ? "page" : undefined,
              },
              experiment.name,
            ),
          ),
        ),
    );
  };
  search.addEventListener("input", draw);
  draw();
  return h("nav.sidebar", { "aria-label": "Experiments" }, h("h2", {}, "Experiments"), search, list);
}

export const experimentsPage: Page = async (root, route) => {
  const experiments = (await searchExperiments()).filter((experiment) => experiment.lifecycle_stage === "active");
  const id =
    route.params[0] ??
    experiments.find((experiment) => experiment.name !== "Default" && !experiment.name.startsWith("monitoring-"))
      ?.experiment_id ??
    experiments[0]?.experiment_id;
  const main = h("section.experiment-main");
  replace(root, h("div.with-sidebar", {}, experimentList(experiments, id), main));
  if (id === undefined) {
    replace(main, notice("No experiments yet. Log a run with the Lathe or MLflow client to see it here."));
    return;
  }
  const experiment = await getExperiment(id);
  const state = {
    filter: route.query.get("filter") ?? "",
    sort: undefined as { column: Column; descending: boolean } | undefined,
    columns: storedColumns(id),
    selected: new Set<string>(),
  };
  let table: RunsTable | undefined;
  const tableSlot = h("div.table-slot");
  const pickerSlot = h("span.picker-slot");
  const compare = h(
    "button.button.primary",
    {
      type: "button",
      disabled: true,
      onclick: () => navigate(`#/compare?runs=${[...state.selected].map(encodeURIComponent).join(",")}`),
    },
    "Compare",
  ) as HTMLButtonElement;
  const errors = h("div.table-errors");
  const filter = filterBox(state.filter, (value) => {
    state.filter = value;
    draw();
  });

  const updateCompare = () => {
    const count = state.selected.size;
    compare.disabled = count < 2 || count > 20;
    compare.textContent = count >= 2 ? `Compare ${count}` : "Compare";
    compare.title = count > 20 ? "Compare at most 20 runs" : "Mark 2–20 runs (x or the checkbox) to compare";
  };

  const showPicker = (runs: readonly Run[], open: boolean) => {
    replace(
      pickerSlot,
      columnPicker(runs, state.columns ?? DEFAULT_ATTRIBUTES, (next) => {
        state.columns = next;
        storeColumns(id!, next);
        table?.setColumns(next);
        showPicker(runs, true);
      }),
    );
    if (open) pickerSlot.querySelector("details")?.setAttribute("open", "");
  };

  function draw(): void {
    table?.destroy();
    replace(errors);
    let pickerDrawn = false;
    table = createRunsTable({
      experimentIds: [id!],
      columns: state.columns ?? DEFAULT_ATTRIBUTES,
      filter: state.filter,
      sort: state.sort,
      selected: state.selected,
      onSort(column) {
        const same = state.sort && columnId(state.sort.column) === columnId(column);
        state.sort = { column, descending: same ? !state.sort!.descending : true };
        draw();
      },
      onOpen: (run) => navigate(`#/runs/${encodeURIComponent(run.info.run_id)}`),
      onSelectionChange: updateCompare,
      onLoaded(runs) {
        if (pickerDrawn) return;
        pickerDrawn = true;
        // With no saved choice, the first page decides the columns: a few metrics and params.
        if (state.columns === undefined && runs.length > 0) {
          state.columns = defaultColumns(runs);
          table?.setColumns(state.columns);
        }
        showPicker(runs, false);
      },
      onError: (error) => replace(errors, notice(error.message, "error")),
    });
    replace(tableSlot, table.element);
  }

  replace(
    main,
    h(
      "header.page-head",
      {},
      h("h1", {}, experiment.name),
      h("span.muted", {}, `ID ${experiment.experiment_id}`),
      experiment.artifact_location ? h("span.muted.truncate", {}, experiment.artifact_location) : null,
    ),
    h("div.toolbar", {}, filter.element, pickerSlot, compare),
    errors,
    tableSlot,
  );
  // A filter from the address is checked like a typed one, so a bad one is underlined, not sent.
  if (state.filter) void filter.apply();
  else draw();
  updateCompare();
  return () => table?.destroy();
};
