/**
 * @module ui/pages/models
 * The Registry: every registered model, and one model's page — versions with their stages and
 * aliases, promote (point an alias, or move a stage) and roll back with confirmation, the history
 * of moves, links to each version's source run and model card, and how to write the card to a file.
 */
import {
  getModel,
  type ModelVersion,
  modelVersions,
  type RegisteredModel,
  type RegistryEvent,
  registryHistory,
  rollbackAlias,
  searchModels,
  setAlias,
  transitionStage,
} from "../api.js";
import { confirmAction, promptText } from "../confirm.js";
import { formatTime, h, notice, replace } from "../dom.js";
import type { Page } from "../router.js";
import { modelCardPage } from "./model-card.js";

const STAGES = ["None", "Staging", "Production", "Archived"];

function modelList(models: readonly RegisteredModel[]): HTMLElement {
  if (models.length === 0)
    return notice("No registered models. Register one with `lathe models register` or mlflow.register_model.");
  return h(
    "div.table-wrap",
    {},
    h(
      "table.data",
      {},
      h("caption", {}, "Registered models"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Name", "Latest versions", "Aliases", "Updated"].map((title) => h("th", { scope: "col" }, title)),
        ),
      ),
      h(
        "tbody",
        {},
        models.map((model) =>
          h(
            "tr",
            {},
            h("td", {}, h("a", { href: `#/models/${encodeURIComponent(model.name)}` }, model.name)),
            h(
              "td",
              {},
              (model.latest_versions ?? [])
                .map((version) => `v${version.version} (${version.current_stage ?? "None"})`)
                .join(", "),
            ),
            h(
              "td",
              {},
              (model.aliases ?? []).map((alias) => h("span.badge.alias", {}, `@${alias.alias} → v${alias.version}`)),
            ),
            h("td", {}, formatTime(model.last_updated_timestamp)),
          ),
        ),
      ),
    ),
  );
}

function historyTable(events: readonly RegistryEvent[]): HTMLElement {
  if (events.length === 0) return notice("No moves yet.");
  return h(
    "div.table-wrap",
    {},
    h(
      "table.data.history",
      {},
      h("caption", {}, "History of moves (newest first)"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["When", "What", "From", "To", "Who"].map((title) => h("th", { scope: "col" }, title)),
        ),
      ),
      h(
        "tbody",
        {},
        [...events]
          .reverse()
          .map((event) =>
            h(
              "tr",
              {},
              h("td", {}, formatTime(event.timestamp)),
              h("td", {}, event.kind === "alias" ? `alias @${event.alias}` : `stage of v${event.version}`),
              h("td", {}, event.kind === "alias" ? (event.from ? `v${event.from}` : "—") : (event.from ?? "—")),
              h("td", {}, event.kind === "alias" ? (event.to ? `v${event.to}` : "removed") : (event.to ?? "—")),
              h("td", {}, event.user),
            ),
          ),
      ),
    ),
  );
}

async function modelPage(root: HTMLElement, name: string): Promise<void> {
  const [model, versions, events] = await Promise.all([getModel(name), modelVersions(name), registryHistory(name)]);
  const status = h("p.action-status", { role: "status", "aria-live": "polite" });
  const reload = async (message: string) => {
    await modelPage(root, name);
    const fresh = root.querySelector(".action-status");
    if (fresh) fresh.textContent = message;
  };
  const fail = (error: unknown) => {
    status.textContent = "";
    status.append(notice((error as Error).message, "error"));
  };
  const aliases = model.aliases ?? [];

  const promote = async (version: ModelVersion) => {
    const alias = await promptText(
      `Promote version ${version.version}`,
      "Alias to point at it",
      aliases[0]?.alias ?? "champion",
    );
    if (alias === undefined) return;
    const holder = aliases.find((item) => item.alias === alias);
    const now = holder ? `It points at version ${holder.version} now.` : "The alias is new.";
    if (
      !(await confirmAction(
        "Move alias?",
        `Point @${alias} of ${name} at version ${version.version}? ${now}`,
        "Promote",
      ))
    )
      return;
    try {
      await setAlias(name, alias, version.version);
      await reload(`@${alias} now points at version ${version.version}.`);
    } catch (error) {
      fail(error);
    }
  };
  const changeStage = async (version: ModelVersion, stage: string, select: HTMLSelectElement) => {
    const archive = stage === "Staging" || stage === "Production" ? ` Other versions in ${stage} are archived.` : "";
    if (
      !(await confirmAction(
        "Change stage?",
        `Move version ${version.version} of ${name} from ${version.current_stage ?? "None"} to ${stage}?${archive}`,
        "Move",
      ))
    ) {
      select.value = version.current_stage ?? "None";
      return;
    }
    try {
      await transitionStage(name, version.version, stage);
      await reload(`Version ${version.version} is now in ${stage}.`);
    } catch (error) {
      fail(error);
    }
  };
  const rollback = async (alias: string, version: string) => {
    const last = events.filter((event) => event.kind === "alias" && event.alias === alias).at(-1);
    const target = last?.from ? `version ${last.from}` : "the version it held before";
    if (
      !(await confirmAction(
        "Roll back?",
        `Point @${alias} of ${name} back from version ${version} to ${target}?`,
        "Roll back",
      ))
    )
      return;
    try {
      const result = await rollbackAlias(name, alias);
      await reload(`@${alias} rolled back to version ${result.version}.`);
    } catch (error) {
      fail(error);
    }
  };

  const versionRows = versions.map((version) => {
    const select = h(
      "select",
      { "aria-label": `Stage of version ${version.version}` },
      STAGES.map((stage) =>
        h("option", { value: stage, selected: (version.current_stage ?? "None") === stage }, stage),
      ),
    ) as HTMLSelectElement;
    select.addEventListener("change", () => void changeStage(version, select.value, select));
    return h(
      "tr",
      { "data-version": version.version },
      h("th", { scope: "row" }, `v${version.version}`),
      h("td", {}, select),
      h(
        "td.aliases",
        {},
        aliases
          .filter((alias) => alias.version === version.version)
          .map((alias) => h("span.badge.alias", { "data-alias": alias.alias }, `@${alias.alias}`)),
      ),
      h(
        "td",
        {},
        version.run_id
          ? h(
              "a",
              { href: `#/runs/${encodeURIComponent(version.run_id)}?section=artifacts` },
              version.run_id.slice(0, 12),
            )
          : (version.source ?? ""),
      ),
      h("td", {}, formatTime(version.creation_timestamp)),
      h("td", {}, version.status ?? ""),
      h(
        "td",
        {},
        h(
          "div.row-actions",
          {},
          h(
            "button.button",
            { type: "button", "data-action": "promote", onclick: () => void promote(version) },
            "Promote…",
          ),
          h(
            "a.button",
            {
              href: `#/models/${encodeURIComponent(name)}/card/${encodeURIComponent(version.version)}`,
              "data-action": "card",
              "aria-label": `Model card of version ${version.version}`,
            },
            "Model card",
          ),
        ),
      ),
    );
  });

  replace(
    root,
    h(
      "header.page-head",
      {},
      h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "#/models" }, "Models"), " / "),
      h("h1", {}, name),
    ),
    model.description ? h("p", {}, model.description) : null,
    status,
    h(
      "section.card",
      { "aria-labelledby": "aliases-title" },
      h("h2#aliases-title", {}, "Aliases"),
      aliases.length === 0
        ? notice("No aliases. Promote a version to create one.")
        : h(
            "ul.alias-list",
            {},
            aliases.map((alias) =>
              h(
                "li",
                { "data-alias": alias.alias },
                h("span.badge.alias", {}, `@${alias.alias}`),
                ` → version ${alias.version} `,
                h(
                  "button.button",
                  {
                    type: "button",
                    "data-action": "rollback",
                    onclick: () => void rollback(alias.alias, alias.version),
                  },
                  "Roll back",
                ),
              ),
            ),
          ),
    ),
    h(
      "section.card",
      { "aria-labelledby": "versions-title" },
      h("h2#versions-title", {}, "Versions"),
      versions.length === 0
        ? notice("No versions.")
        : h(
            "div.table-wrap",
            {},
            h(
              "table.data.versions",
              {},
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  ["Version", "Stage", "Aliases", "Source run", "Created", "Status", ""].map((title) =>
                    h("th", { scope: "col" }, title),
                  ),
                ),
              ),
              h("tbody", {}, versionRows),
            ),
          ),
    ),
    h(
      "section.card",
      { "aria-labelledby": "history-title" },
      h("h2#history-title", {}, "History"),
      historyTable(events),
    ),
    h(
      "section.card",
      { "aria-labelledby": "card-title" },
      h("h2#card-title", {}, "Model card"),
      h(
        "p",
        {},
        "Each version's ",
        h("strong", {}, "Model card"),
        " shows its Hugging Face–style card (metrics, params, training data, energy). Write it to a file with:",
      ),
      h("pre.code", {}, `lathe card model models:/${name}/${versions[0]?.version ?? "1"}`),
      versions[0]?.run_id
        ? h(
            "p",
            {},
            "The version's files, MLmodel and signature are in its ",
            h(
              "a",
              { href: `#/runs/${encodeURIComponent(versions[0].run_id)}?section=artifacts` },
              "source run's artifacts",
            ),
            ".",
          )
        : null,
    ),
  );
}

export const modelsPage: Page = async (root, route) => {
  const [name, section, version] = route.params;
  if (name && section === "card" && version) return modelCardPage(root, name, version);
  if (name) return modelPage(root, name);
  const models = await searchModels();
  replace(root, h("header.page-head", {}, h("h1", {}, "Models")), modelList(models));
};
