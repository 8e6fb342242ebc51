"""Panel pack figures: time and peak memory to build one agency's pack with N agenda items.

Runs against the demo borough (``make seed`` first) or a generated benchmark database (``bench.run``). Each size
runs in a fresh process, so its peak memory is its own; everything it writes is rolled back. The floor is
WeasyPrint rendering the same, already-built HTML.

    DEBUG=1 .venv/bin/python -m bench.packs [--json] 10 40 [100]
"""

import json
import os
import resource
import subprocess
import sys
import time


def _one(items: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    django.setup()
    from django.db import transaction
    from django.template.loader import render_to_string
    from django.utils import timezone
    from weasyprint import HTML

    from cases.models import YoungPerson
    from contexts.models import PeerGroup, Place
    from panels import packs, services
    from panels.models import Panel, PanelKind
    from safeguarding import access
    from safeguarding.models import User

    chair = User.objects.filter(username__in=["chair.demo", "bench.chair"]).order_by("username").last()
    manager = User.objects.get(username="tm.demo" if chair.username == "chair.demo" else "bench.tm")
    agency = chair.agency
    subjects = [*access.visible(chair, YoungPerson.objects.filter(cases__status="open").distinct())[:items],
                *access.visible(chair, Place.objects.all())[:items // 4],
                *access.visible(chair, PeerGroup.objects.all())[:items // 8]]
    figures = {}
    with transaction.atomic():
        panel = Panel.objects.filter(name="Bench panel").first() or services.panel_create(
            actor=manager, name="Bench panel", kind=PanelKind.MACE,
            member_agencies=[agency], chairs=[chair])
        meeting = services.meeting_schedule(actor=chair, panel=panel, starts_at=timezone.now(), location="Bench")
        for n in range(items):
            services.agenda_item_add(actor=chair, meeting=meeting, subject=subjects[n % len(subjects)],
                                     reason="Benchmark item")
        started = time.perf_counter()
        context = packs.pack_context(meeting, agency)
        html = render_to_string("panels/pack_pdf.html", context)
        gathered = time.perf_counter()
        document = HTML(string=html).render()
        pdf = document.write_pdf()
        finished = time.perf_counter()
        figures = {"items": items, "pages": len(document.pages), "bytes": len(pdf),
                   "gather_s": round(gathered - started, 2), "render_s": round(finished - gathered, 2),
                   "total_s": round(finished - started, 2)}
        transaction.set_rollback(True)
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    # The floor: WeasyPrint alone on the same HTML, in this (already warm) process.
    started = time.perf_counter()
    HTML(string=html).write_pdf()
    figures["floor_render_s"] = round(time.perf_counter() - started, 2)
    return figures


def main(argv):
    if argv[:1] == ["--one"]:
        print(json.dumps(_one(int(argv[1]))))
        return
    as_json = argv[:1] == ["--json"]
    argv = argv[1:] if as_json else argv
    rows = []
    for items in [int(a) for a in argv] or [10, 40]:
        out = subprocess.run([sys.executable, "-m", "bench.packs", "--one", str(items)], check=True,  # noqa: S603
                             capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    if as_json:
        print(json.dumps(rows))
        return
    print(f"{'items':>5} {'pages':>5} {'size':>8} {'gather':>7} {'render':>7} {'total':>7} {'floor':>7} {'peak':>8}")
    for r in rows:
        print(f"{r['items']:>5} {r['pages']:>5} {r['bytes'] // 1024:>6}KB {r['gather_s']:>6}s {r['render_s']:>6}s "
              f"{r['total_s']:>6}s {r['floor_render_s']:>6}s {r['peak_rss_mib']:>5}MiB")


if __name__ == "__main__":
    main(sys.argv[1:])
