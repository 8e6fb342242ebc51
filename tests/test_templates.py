"""The templates as text: mistakes Django renders without complaint."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_no_comment_runs_over_a_line_break():
    # Django's {# #} ends at the line's end: one that goes on to a second line is printed on the page, as the header's
    # was at the top of every page until 308e5a0. A long comment is {% comment %} ... {% endcomment %}.
    broken = [f"{path.relative_to(TEMPLATES)}:{n}" for path in sorted(TEMPLATES.rglob("*.html"))
              for n, line in enumerate(path.read_text().splitlines(), 1)
              if re.search(r"\{#(?!.*#\})", line)]
    assert broken == []
