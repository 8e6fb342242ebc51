// Compiles GOV.UK Frontend (with Arial) and copies the browser scripts the pages use into static/dist.
// static/dist is all that is served (settings.STATICFILES_DIRS): a script that names a source map
// (sourceMappingURL) gets its .map beside it, or collectstatic's hashed-file storage refuses the build.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "static/dist";
mkdirSync(`${out}/govuk`, { recursive: true });

const css = sass.compile("static/src/app.scss", {
  loadPaths: ["node_modules/govuk-frontend/dist"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "slash-div"],
});
writeFileSync(`${out}/app.css`, css.css);

const gf = "node_modules/govuk-frontend/dist/govuk";
cpSync(`${gf}/govuk-frontend.min.js`, `${out}/govuk/govuk-frontend.min.js`);
cpSync(`${gf}/govuk-frontend.min.js.map`, `${out}/govuk/govuk-frontend.min.js.map`);
cpSync(`${gf}/assets/images`, `${out}/govuk/assets/images`, { recursive: true });
cpSync(`${gf}/assets/manifest.json`, `${out}/govuk/assets/manifest.json`);
cpSync("node_modules/htmx.org/dist/htmx.min.js", `${out}/htmx.min.js`);
cpSync("node_modules/axe-core/axe.min.js", `${out}/axe.min.js`);
cpSync("node_modules/leaflet/dist/leaflet.js", `${out}/leaflet/leaflet.js`);
cpSync("node_modules/leaflet/dist/leaflet.js.map", `${out}/leaflet/leaflet.js.map`);
cpSync("node_modules/leaflet/dist/leaflet.css", `${out}/leaflet/leaflet.css`);
cpSync("node_modules/leaflet/dist/images", `${out}/leaflet/images`, { recursive: true });
cpSync("static/src/places-map.js", `${out}/places-map.js`);
// The pickers' type-ahead (static/src/pickers.js): alphagov's accessible-autocomplete.
const aa = "node_modules/accessible-autocomplete/dist";
for (const file of ["accessible-autocomplete.min.js", "accessible-autocomplete.min.js.map",
                    "accessible-autocomplete.min.css", "accessible-autocomplete.min.css.map"]) {
  cpSync(`${aa}/${file}`, `${out}/autocomplete/${file}`);
}
cpSync("static/src/pickers.js", `${out}/pickers.js`);
console.log(`built ${out}/app.css (${css.css.length} bytes)`);
