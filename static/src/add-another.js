// MoJ add-another (safeguarding/add_another.py) renames the fields of a row it copies, and only them: the rest that
// names a row (a hint's id, the character count's message, the language prompt's box and what it asks htmx to send)
// still names the first row. This renames those too, after every addition and removal, and sets up a copied row's
// character count and language prompt as their own.
const NAMING = ["id", "for", "aria-describedby", "aria-controls", "hx-target", "hx-params", "hx-vals"];
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function renumber(root) {
  const prefixes = new Set([...root.querySelectorAll("[data-name]")].map((field) => field.dataset.name.split("%index%")[0]));
  const patterns = [...prefixes].map((prefix) => [new RegExp(`${escape(prefix)}\\d+-`, "g"), prefix]);
  root.querySelectorAll(".moj-add-another__item").forEach((item, index) => {
    for (const element of item.querySelectorAll("*")) {
      for (const name of NAMING) {
        const value = element.getAttribute(name);
        if (!value) continue;
        const renamed = patterns.reduce((text, [pattern, prefix]) => text.replace(pattern, `${prefix}${index}-`), value);
        if (renamed !== value) element.setAttribute(name, renamed);
      }
    }
  });
}

export function keepCopiedRowsWhole({ createAll, CharacterCount, htmx }) {
  document.addEventListener("moj-add-another:add-item", (event) => {
    const item = event.target;
    renumber(item.closest(".moj-add-another"));
    item.querySelectorAll(".govuk-textarea--error, .govuk-select--error").forEach((field) => {
      field.classList.remove("govuk-textarea--error", "govuk-select--error");
    });
    // The copy was taken of a count already set up: take away what GOV.UK's script added, and set it up again.
    for (const count of item.querySelectorAll('[data-module="govuk-character-count"]')) {
      count.querySelectorAll(".govuk-character-count__status, .govuk-character-count__sr-status").forEach((e) => e.remove());
      count.querySelector(".govuk-character-count__message")?.classList.remove("govuk-visually-hidden");
      count.removeAttribute("data-govuk-character-count-init");
    }
    createAll(CharacterCount, undefined, item);
    htmx?.process(item);
  });
  document.addEventListener("moj-add-another:remove-item", (event) => renumber(event.target));
}
