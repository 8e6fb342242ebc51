"""docs/BENCHMARKS.md from the results of ``bench.run``: the latest run's figures, each beside its floor."""

import json
from pathlib import Path


def _ms(figure: dict) -> str:
    return f"{figure['p50_ms']} / {figure['p95_ms']}"


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}×" if floor else "–"


def _picker_lines(picker: dict) -> list[str]:
    lines = ["## Pickers: finding a young person", "",
             "The type-ahead's search (`/find/young-person/`, `cases/finders.py`) for a young person the reader can "
             "see, p50 / p95 in ms over 30 runs. *Finder*: the search itself, as the form's Search button and the "
             "endpoint run it. *Endpoint*: the whole request through Django's test client, signed in (session, door, "
             "search, audit row, JSON; no network). *Floor*: the same search as hand-written SQL.", "",
             "| Reader | Search | Typed | Results | Finder | Endpoint | Floor | Finder ÷ floor (p95) | Target |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    readers = {login: figures for login, figures in picker.items() if isinstance(figures, dict)}
    for login, figures in readers.items():
        for name, f in figures["searches"].items():
            lines.append(f"| {login} ({figures['agency']}) | {name} | {f['typed']} | {f['results']} | "
                         f"{_ms(f['finder'])} | {_ms(f['endpoint'])} | {_ms(f['floor'])} | "
                         f"{_ratio(f['finder']['p95_ms'], f['floor']['p95_ms'])} | p95 ≤ 50 ms |")
    lines += ["", "How it is fast: every condition of a search is one an index answers. A name word goes through "
                  "the trigram GIN index on `search_text` (a short word as the start of a name, `~ '(^| )donn'`; a "
                  "longer one by word similarity, `%>` at 0.4); a date of birth through `yp_dob_idx`; a case "
                  "reference through its unique index; NHS number and UPN through `yp_nhs_number_idx` and "
                  "`yp_upn_idx` (migration `cases/0004`). Whether the reader may see each candidate is then two "
                  "index-only probes: the person's cases through `case_yp_id_idx` (young person, id; same "
                  "migration), and each case's grant. What is left is the number of candidates: part of a common "
                  "name (\"donn\": every Donna and Donnelly, some 6,000 of a million) costs a heap read and a probe "
                  "each, whatever the reader sees, and the hand-written floor pays the same."]
    if "load_before" in picker:
        lines += ["", f"Load average (1, 5, 15 min) before: {', '.join(map(str, picker['load_before']))}; after: "
                      f"{', '.join(map(str, picker['load_after']))}."]
    return [*lines, ""]


def _reports_lines(reports: dict) -> list[str]:
    lines = ["## Reports", "",
             "The managers' dashboard (`reports.selectors.dashboard`, as `/reports/` runs it: ten aggregate queries "
             "over what the reader's agency can see, the door's conditions in their set shape, `access.scanning`), "
             "p50 / p95 in ms over 10 runs. Floor: the same aggregates as hand-written SQL on the agency's grant "
             "rows (`bench/reports.py`).", "",
             "| Reader | Open cases counted | Dashboard | Floor | Ratio (p95) | Target |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, f in reports["dashboard"].items():
        lines.append(f"| {name} ({f['agency']}) | {f['open_cases']:,} | {_ms(f['app'])} | {_ms(f['floor'])} | "
                     f"{_ratio(f['app']['p95_ms'], f['floor']['p95_ms'])} | p95 ≤ 1 s, ≤ 2× floor |")
    lines += ["", "An export of every case as a list (a bench-only agency given a view grant on every case, in a "
              "transaction rolled back afterwards), built in one process exactly as the worker builds it "
              "(`reports.exports.build`: a server-side cursor streamed to CSV or write-only XLSX on disk).", "",
              "| Format | Rows | File | Time | Peak memory of the process | Target |",
              "| --- | --- | --- | --- | --- | --- |"]
    for f in reports["exports"]:
        lines.append(f"| {f['format'].upper()} | {f['rows']:,} | {f['bytes'] / 2**20:.0f} MiB | {f['seconds']} s | "
                     f"{f['peak_mib']} MiB ({f['before_mib']} MiB before the build) | ≤ 5 min, ≤ 300 MiB |")
    return [*lines, ""]


def write(results: Path, doc: Path):
    runs = {}
    for path in results.glob("*.json"):
        if path.stem.isdigit():
            runs[int(path.stem)] = json.loads(path.read_text())
    latest = json.loads((results / "latest.json").read_text())
    n = latest["young_people"]
    a = latest["access"]
    carried = latest.get("carried_over", {})
    lines = [
        "# Benchmarks", "",
        f"Measured {latest['measured_at']} on {latest['machine']['cpus']} cores ({latest['machine']['platform']}), "
        f"against a generated database of **{n:,} young people** ({latest['chronology_entries']:,} chronology "
        f"entries, {latest['users']:,} users). Made by `make bench BENCH_YOUNG_PEOPLE={n}` "
        "(`bench/run.py`); raw figures in `bench/results/`. Every figure stands beside a floor measured in the same "
        "run, so the ratio holds on a noisy machine. Targets are for 1,000,000 young people.", "",
        "## Access filtering: cases visible to a partner", "",
        f"`bench.police` sees {a['visible_cases']:,} of {a['all_cases']:,} cases. p50 / p95 in ms over 30 runs.", "",
        "| What | App (the case list's paginator) | Floor (hand-written SQL on the grant table) | Ratio (p95) "
        "| Target |",
        "| --- | --- | --- | --- | --- |",
        f"| First page (25 rows) | {_ms(a['first_page'])} | {_ms(a['first_page_floor'])} | "
        f"{_ratio(a['first_page']['p95_ms'], a['first_page_floor']['p95_ms'])} | p95 ≤ 25 ms |",
        f"| Total count | {_ms(a['count'])} | {_ms(a['count_floor'])} | "
        f"{_ratio(a['count']['p95_ms'], a['count_floor']['p95_ms'])} | ≤ 25 ms |", "",
    ]
    if carried:
        lines[4:4] = ["Carried over from an earlier run at this size, on a database generated the same way (not "
                      "measured this time): " + ", ".join(f"{part} (measured {when})" for part, when in carried.items())
                      + ".", ""]
    if "picker" in latest:
        lines += _picker_lines(latest["picker"])
    if "load" in latest:
        load = latest["load"]
        floor = load["floor"]
        lines += ["## Pages under load", "",
                  "gunicorn (2 workers × 2 threads), locust with signed-in users; one page at a time. Floor: a "
                  "minimal signed-in Django page on the same server.", "",
                  "| Page | p50 ms | p95 ms | req/s | failures | p95 ÷ floor | Target |",
                  "| --- | --- | --- | --- | --- | --- | --- |",
                  f"| *floor* | {floor['p50_ms']} | {floor['p95_ms']} | {floor['rps']} | {floor['failures']} "
                  "| 1.0× | |"]
        for name, page in load["pages"].items():
            lines.append(f"| {name} | {page['p50_ms']} | {page['p95_ms']} | {page['rps']} | {page['failures']} | "
                         f"{_ratio(page['p95_ms'], floor['p95_ms'])} | ≤ 3× |")
        if "api_vs_html_p95" in load:
            lines += ["", "The partner API's case list for the police (`/api/v1/cases/`, a registered client) against "
                          f"the HTML case list for the same agency: p95 **{load['api_vs_html_p95']}×** "
                          "(target: within 2×)."]
        lines.append("")
        sizes = sorted(size for size, run in runs.items() if "load" in run and "queries" in run["load"])
        if sizes:
            lines += ["## Query counts per page", "", "They must not change with the size of the data.", "",
                      "| Page | " + " | ".join(f"{s:,} young people" for s in sizes) + " |",
                      "| --- |" + " --- |" * len(sizes)]
            for name in load.get("queries", {}):
                lines.append(f"| {name} | " + " | ".join(str(runs[s]["load"]["queries"].get(name, "–"))
                                                       for s in sizes) + " |")
            lines.append("")
    if "packs" in latest:
        lines += ["## Panel packs", "", "One agency's pack (the lead authority's, which sees the most); peak memory "
                  "of the process that built it. Floor: WeasyPrint alone on the same HTML.", "",
                  "| Items | Pages | Size | Gather data | Render | Total | Floor | Peak memory | Target |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in latest["packs"]:
            target = "≤ 10 s, ≤ 400 MiB" if r["items"] == 40 else ""
            lines.append(f"| {r['items']} | {r['pages']} | {r['bytes'] // 1024} KiB | {r['gather_s']} s | "
                         f"{r['render_s']} s | {r['total_s']} s | {r['floor_render_s']} s | {r['peak_rss_mib']} MiB | "
                         f"{target} |")
        lines.append("")
    if "reports" in latest:
        lines += _reports_lines(latest["reports"])
    if "jobs" in latest:
        j = latest["jobs"]
        lines += ["## Jobs", "", f"{j['packs']} packs of {j['items_per_pack']} items for one meeting, two worker "
                  f"processes on the packs queue: {j['ready']} ready in {j['seconds']} s, "
                  f"**{j['packs_per_minute']} packs per minute**.", ""]
    if latest.get("generated_in_s"):
        lines += ["## Generating the data", "", f"`manage.py generate --young-people {n}` took "
                  f"{latest['generated_in_s']} s (COPY, one transaction, indexes rebuilt at the end).", ""]
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text("\n".join(lines))
