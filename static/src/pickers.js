// The type-ahead for every picker (templates/includes/picker.html, safeguarding/pickers.py), with alphagov's
// accessible-autocomplete. Without this script the picker is a search box and a Search button that posts the form;
// with it, the box asks /find/<kind>/ as the person types and the chosen id goes in the field's own name, so the
// form posts exactly what it posts without JavaScript. Nothing here writes HTML from data without escaping it.
const accessibleAutocomplete = window.accessibleAutocomplete;

const escape = (text) => String(text ?? "").replace(/[&<>"']/g, (ch) => (
  { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch]));

function searchUrl(root, form, query) {
  const url = new URL(root.dataset.pickerUrl, window.location.origin);
  url.searchParams.set("q", query);
  const agencies = new Set((root.dataset.pickerAgencies || "").split(" ").filter(Boolean));
  const narrowing = root.dataset.pickerNarrowedBy;
  if (narrowing && form) {
    // The field narrowing this one (an agency picker) holds its choice under its name.
    const chosen = form.querySelector(`input[name="${CSS.escape(narrowing)}"]:checked, input[type="hidden"][name="${CSS.escape(narrowing)}"]`);
    if (chosen && chosen.value) { agencies.clear(); agencies.add(chosen.value); }
  }
  for (const agency of agencies) url.searchParams.append("agency", agency);
  return url;
}

function choiceItem(root, match, id) {
  const item = document.createElement("div");
  item.className = "govuk-checkboxes__item";
  const box = Object.assign(document.createElement("input"), {
    className: "govuk-checkboxes__input", type: "checkbox", name: root.dataset.pickerName, value: String(match.id),
    id: `${id}-${match.id}`, checked: true });
  const label = Object.assign(document.createElement("label"), {
    className: "govuk-label govuk-checkboxes__label", htmlFor: box.id, textContent: match.label });
  item.append(box, label);
  if (match.hint) {
    const hint = Object.assign(document.createElement("div"), {
      className: "govuk-hint govuk-checkboxes__hint", id: `${box.id}-hint`, textContent: match.hint });
    box.setAttribute("aria-describedby", hint.id);
    item.append(hint);
  }
  return item;
}

function enhance(root) {
  if (root.dataset.pickerReady) return;  // enhanced already (the page is looked through after every htmx swap)
  root.dataset.pickerReady = "yes";
  const input = root.querySelector(".app-picker__input");
  const search = root.querySelector(".app-picker__search");
  if (!input || !search || !accessibleAutocomplete) return;
  const form = root.closest("form");
  const name = root.dataset.pickerName;
  const multiple = root.hasAttribute("data-picker-multiple");
  const id = input.id;
  const describedBy = input.getAttribute("aria-describedby");
  const status = Object.assign(document.createElement("p"), { className: "govuk-hint app-picker__status" });
  status.setAttribute("aria-live", "polite");

  let hidden = null;
  let chosenLabel = "";
  let list = null;
  if (multiple) {
    // What is chosen stays a list of ticked boxes; each choice in the type-ahead adds one.
    const options = root.querySelector(".app-picker__options");
    for (const box of root.querySelectorAll(`input[name="${CSS.escape(name)}"]:not(:checked)`)) {
      box.closest(".govuk-checkboxes__item").remove();
    }
    list = options ? options.querySelector(".govuk-checkboxes") : null;
    if (!list) {
      const fieldset = Object.assign(document.createElement("fieldset"), { className: "govuk-fieldset app-picker__options" });
      const legend = Object.assign(document.createElement("legend"), {
        className: "govuk-fieldset__legend govuk-fieldset__legend--s", textContent: "Chosen" });
      list = Object.assign(document.createElement("div"), { className: "govuk-checkboxes govuk-checkboxes--small" });
      fieldset.append(legend, list);
      root.append(fieldset);
    } else {
      options.querySelector("legend").textContent = "Chosen";
    }
  } else {
    const checked = root.querySelector(`input[name="${CSS.escape(name)}"]:checked`);
    hidden = Object.assign(document.createElement("input"), { type: "hidden", name, value: checked ? checked.value : "" });
    if (checked && checked.value) chosenLabel = root.querySelector(`label[for="${CSS.escape(checked.id)}"]`).textContent.trim();
    const options = root.querySelector(".app-picker__options");
    if (options) options.remove();
    root.append(hidden);
  }
  for (const leftover of root.querySelectorAll(".app-picker__none, .app-picker__more, .app-picker__problem")) leftover.remove();

  const container = document.createElement("div");
  container.className = "app-picker__autocomplete";
  search.replaceWith(container);
  root.append(status);

  let timer = null;
  let asked = 0;
  const source = (query, populate) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const ask = ++asked;
      try {
        const response = await fetch(searchUrl(root, form, query), {
          headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) throw new Error(String(response.status));
        const data = await response.json();
        if (ask !== asked) return; // a newer search is on its way
        status.textContent = data.more ? "There are more results: type more to narrow the search." : "";
        populate(data.results);
      } catch {
        if (ask === asked) { status.textContent = "The search is not answering. Try again, or reload the page."; populate([]); }
      }
    }, 200);
  };

  accessibleAutocomplete({
    element: container,
    id,
    name: `${name}-typed`,
    source,
    minLength: 2,
    defaultValue: chosenLabel,
    showNoOptionsFound: true,
    confirmOnBlur: false,
    displayMenu: "overlay",
    tNoResults: () => `No ${root.dataset.pickerNoun} found`,
    tStatusQueryTooShort: (n) => `Type ${n} or more characters for results`,
    templates: {
      inputValue: (match) => (match && typeof match === "object" ? match.label : match || ""),
      suggestion: (match) => (match && typeof match === "object"
        ? `${escape(match.label)}<span class="app-picker__hint">${escape(match.hint)}</span>` : escape(match)),
    },
    onConfirm: (match) => {
      if (!match || typeof match !== "object") return;
      if (multiple) {
        if (!list.querySelector(`input[value="${CSS.escape(String(match.id))}"]`)) list.append(choiceItem(root, match, id));
        const box = document.getElementById(id);
        setTimeout(() => { box.value = ""; }, 0);
        status.textContent = `${match.label} added`;
      } else {
        hidden.value = String(match.id);
        chosenLabel = match.label;
      }
    },
  });
  const box = document.getElementById(id);
  if (describedBy) box.setAttribute("aria-describedby", `${describedBy} ${box.getAttribute("aria-describedby") || ""}`.trim());
  if (!multiple) {
    // Typing something else undoes the choice: what is posted is only ever what was chosen from the list.
    box.addEventListener("input", () => { if (box.value !== chosenLabel) hidden.value = ""; });
  }
}

for (const root of document.querySelectorAll("[data-app-picker]")) enhance(root);
// After htmx puts new content in (an action form returned with its errors, say), enhance the pickers it brought.
// The whole page is looked through: with an outerHTML swap the event's target is the element that was replaced.
document.body.addEventListener("htmx:afterSettle", () => {
  for (const root of document.querySelectorAll("[data-app-picker]")) enhance(root);
});
