/**
 * @module ui/main
 * The web UI's shell: the top bar (sections, theme toggle), routing to pages, global keyboard
 * shortcuts, and errors shown in place of a page that failed to load.
 */
import "./style.css";
import { h, notice, replace } from "./dom.js";
import { comparePage } from "./pages/compare.js";
import { experimentsPage } from "./pages/experiments.js";
import { modelsPage } from "./pages/models.js";
import { monitoringPage } from "./pages/monitoring.js";
import { pipelinePage } from "./pages/pipeline.js";
import { runPage } from "./pages/run.js";
import { type Cleanup, navigate, type Page, parseRoute } from "./router.js";

const PAGES: Record<string, Page> = {
  "": experimentsPage,
  experiments: experimentsPage,
  runs: runPage,
  compare: comparePage,
  models: modelsPage,
  monitoring: monitoringPage,
  pipeline: pipelinePage,
};

const SECTIONS: [string, string, string][] = [
  ["experiments", "Experiments", "e"],
  ["models", "Models", "m"],
  ["monitoring", "Monitoring", "o"],
  ["pipeline", "Pipeline", "p"],
];

type Theme = "light" | "dark";

function currentTheme(): Theme {
  const stored = localStorage.getItem("lathe.theme");
  if (stored === "light" || stored === "dark") return stored;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  const toggle = document.getElementById("theme-toggle");
  if (toggle) {
    toggle.textContent = theme === "dark" ? "☀ Light" : "☾ Dark";
    toggle.setAttribute("aria-label", `Switch to ${theme === "dark" ? "light" : "dark"} theme`);
  }
}

function toggleTheme(): void {
  const next: Theme = currentTheme() === "dark" ? "light" : "dark";
  localStorage.setItem("lathe.theme", next);
  applyTheme(next);
  // Charts take their colours when drawn: redraw the page.
  void show();
}

const SHORTCUTS: [string, string][] = [
  ["/", "Focus the filter or search box"],
  ["g then e / m / o / p", "Go to Experiments, Models, Monitoring, Pipeline"],
  ["↑ ↓ or j k", "Move in the runs table"],
  ["Enter", "Open the focused run"],
  ["x or Space", "Mark the focused run for comparison"],
  ["t", "Switch light/dark theme"],
  ["?", "Show or hide this help"],
];

function helpDialog(): HTMLDialogElement {
  const dialog = h(
    "dialog.help",
    { "aria-label": "Keyboard shortcuts" },
    h("h2", {}, "Keyboard shortcuts"),
    h(
      "dl",
      {},
      SHORTCUTS.map(([key, what]) => [h("dt", {}, h("kbd", {}, key)), h("dd", {}, what)]),
    ),
    h("form", { method: "dialog" }, h("button.button", { type: "submit" }, "Close")),
  ) as HTMLDialogElement;
  return dialog;
}

const main = h("main#page", { tabindex: -1 });
const navLinks = SECTIONS.map(([section, label]) =>
  h("a.nav-link", { href: `#/${section}`, "data-section": section }, label),
);
const help = helpDialog();

document.body.append(
  h(
    "header.topbar",
    {},
    h("a.brand", { href: "#/" }, "Lathe"),
    h("nav.sections", { "aria-label": "Sections" }, navLinks),
    h("span.spacer"),
    h(
      "button.button.ghost",
      { type: "button", "aria-label": "Keyboard shortcuts", onclick: () => help.showModal() },
      "?",
    ),
    h("button#theme-toggle.button.ghost", { type: "button", onclick: toggleTheme }),
  ),
  main,
  help,
);
applyTheme(currentTheme());

let cleanup: Cleanup | undefined;
let generation = 0;

async function show(): Promise<void> {
  const mine = ++generation;
  cleanup?.();
  cleanup = undefined;
  const route = parseRoute(location.hash);
  const section = route.section === "" ? "experiments" : route.section;
  for (const link of navLinks) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const page = PAGES[route.section];
  const root = h("div.page");
  replace(main, root);
  if (!page) {
    replace(root, notice(`No page '${route.section}'. Use the links above.`, "error"));
    return;
  }
  replace(root, h("p.loading", { role: "status" }, "Loading…"));
  try {
    const done = await page(root, route);
    if (mine !== generation) done?.();
    else cleanup = done ?? undefined;
  } catch (error) {
    if (mine === generation) replace(root, notice((error as Error).message, "error"));
  }
}

let pendingG = false;
document.addEventListener("keydown", (event) => {
  const target = event.target as HTMLElement;
  const typing = target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT";
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if (pendingG) {
    pendingG = false;
    const found = SECTIONS.find(([, , key]) => key === event.key);
    if (found) {
      event.preventDefault();
      navigate(`#/${found[0]}`);
    }
    return;
  }
  if (event.key === "g") pendingG = true;
  else if (event.key === "/") {
    const box =
      document.querySelector<HTMLInputElement>("[data-shortcut='/']") ??
      document.querySelector<HTMLInputElement>("input[type=search]");
    if (box) {
      event.preventDefault();
      box.focus();
    }
  } else if (event.key === "t") toggleTheme();
  else if (event.key === "?") {
    if (help.open) help.close();
    else help.showModal();
  }
});

window.addEventListener("hashchange", () => void show());
void show();
