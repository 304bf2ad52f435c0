/**
 * @module ui/confirm
 * A modal confirmation for registry moves: says exactly what will change, focuses "Cancel" so
 * Enter alone never moves a production alias, and resolves true only on "Confirm".
 */
import { h } from "./dom.js";

export function confirmAction(title: string, message: string, confirmLabel = "Confirm"): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = h("button.button", { type: "button", value: "cancel" }, "Cancel");
    const confirm = h("button.button.primary", { type: "button", value: "confirm" }, confirmLabel);
    const dialog = h(
      "dialog.confirm",
      { "aria-labelledby": "confirm-title" },
      h("h2#confirm-title", {}, title),
      h("p", {}, message),
      h("div.dialog-actions", {}, cancel, confirm),
    ) as HTMLDialogElement;
    const finish = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener("click", () => finish(false));
    confirm.addEventListener("click", () => finish(true));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** Asks for a line of text (e.g. an alias name); resolves undefined when cancelled. */
export function promptText(title: string, label: string, initial: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const input = h("input", { type: "text", value: initial, "aria-label": label, required: true }) as HTMLInputElement;
    const cancel = h("button.button", { type: "button" }, "Cancel");
    const ok = h("button.button.primary", { type: "submit" }, "Next");
    const form = h(
      "form",
      { method: "dialog" },
      h("label.stack", {}, label, input),
      h("div.dialog-actions", {}, cancel, ok),
    );
    const dialog = h("dialog.confirm", { "aria-label": title }, h("h2", {}, title), form) as HTMLDialogElement;
    const finish = (answer: string | undefined) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener("click", () => finish(undefined));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = input.value.trim();
      finish(value === "" ? undefined : value);
    });
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(undefined);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.select();
  });
}
