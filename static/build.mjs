// Compiles GOV.UK Frontend and MoJ Frontend (with Arial) and copies the browser scripts the pages use into static/dist.
// static/dist is all that is served (settings.STATICFILES_DIRS): a script that names a source map
// (sourceMappingURL) gets its .map beside it, or collectstatic's hashed-file storage refuses the build.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "static/dist";
mkdirSync(`${out}/govuk`, { recursive: true });

let packageWarnings = 0;
const css = sass.compile("static/src/app.scss", {
  loadPaths: ["node_modules/govuk-frontend/dist", "node_modules/@ministryofjustice/frontend", "."],
  style: "compressed",
  quietDeps: true,
  // A warning raised inside a package (MoJ Frontend 11 still calls GOV.UK's deprecated govuk-text-colour mixin) is
  // theirs to fix and is only counted; one raised by our own Sass is shown.
  logger: {
    warn(message, { span, stack }) {
      if ((span?.url?.pathname ?? stack ?? "").includes("node_modules/")) { packageWarnings += 1; return; }
      console.warn(`WARNING: ${message}\n${stack ?? ""}`);
    },
  },
});
writeFileSync(`${out}/app.css`, css.css);

const gf = "node_modules/govuk-frontend/dist/govuk";
cpSync(`${gf}/govuk-frontend.min.js`, `${out}/govuk/govuk-frontend.min.js`);
cpSync(`${gf}/govuk-frontend.min.js.map`, `${out}/govuk/govuk-frontend.min.js.map`);
cpSync(`${gf}/assets/images`, `${out}/govuk/assets/images`, { recursive: true });
cpSync(`${gf}/assets/manifest.json`, `${out}/govuk/assets/manifest.json`);
// MoJ Frontend's components (sortable tables, filters, add another, ...): its ES module bundle and its icons.
const moj = "node_modules/@ministryofjustice/frontend/moj";
mkdirSync(`${out}/moj`, { recursive: true });
// As .js, the type every server knows for a module script (a .mjs may be served as application/octet-stream, which a
// browser refuses to run); its source map keeps the name the bundle's last line gives it.
cpSync(`${moj}/all.bundle.mjs`, `${out}/moj/moj-frontend.js`);
cpSync(`${moj}/all.bundle.mjs.map`, `${out}/moj/all.bundle.mjs.map`);
cpSync(`${moj}/assets/images`, `${out}/moj/assets/images`, { recursive: true });
// GOV.UK's images path is MoJ's (moj/vendor/govuk-frontend configures it), and GOV.UK's footer CSS names its crest:
// collectstatic's hashed-file storage refuses a stylesheet whose url() is missing, so the crest is copied beside.
cpSync(`${gf}/assets/images/govuk-crest.svg`, `${out}/moj/assets/images/govuk-crest.svg`);
cpSync("node_modules/htmx.org/dist/htmx.min.js", `${out}/htmx.min.js`);
cpSync("node_modules/axe-core/axe.min.js", `${out}/axe.min.js`);
cpSync("node_modules/leaflet/dist/leaflet.js", `${out}/leaflet/leaflet.js`);
cpSync("node_modules/leaflet/dist/leaflet.js.map", `${out}/leaflet/leaflet.js.map`);
cpSync("node_modules/leaflet/dist/leaflet.css", `${out}/leaflet/leaflet.css`);
cpSync("node_modules/leaflet/dist/images", `${out}/leaflet/images`, { recursive: true });
cpSync("static/src/places-map.js", `${out}/places-map.js`);
cpSync("static/src/add-another.js", `${out}/add-another.js`);
// The pickers' type-ahead (static/src/pickers.js): alphagov's accessible-autocomplete.
const aa = "node_modules/accessible-autocomplete/dist";
for (const file of ["accessible-autocomplete.min.js", "accessible-autocomplete.min.js.map",
                    "accessible-autocomplete.min.css", "accessible-autocomplete.min.css.map"]) {
  cpSync(`${aa}/${file}`, `${out}/autocomplete/${file}`);
}
cpSync("static/src/pickers.js", `${out}/pickers.js`);
console.log(`built ${out}/app.css (${css.css.length} bytes; ${packageWarnings} warnings inside packages not shown)`);
