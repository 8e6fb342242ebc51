"""Documents as PDF (WeasyPrint) from ordinary templates: approved assessments and panel packs.

Documents are self-contained (styles and pictures inline), so the renderer fetches nothing, from the network or
from disk.
"""

from django.template.loader import render_to_string


def _refuse(url, *args, **kwargs):
    raise ValueError(f"PDF documents fetch nothing: {url[:80]}")


def render(template: str, context: dict) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    from weasyprint import HTML  # heavy to import: only the processes that print need it

    document = HTML(string=render_to_string(template, context), url_fetcher=_refuse).render()
    return document.write_pdf(), len(document.pages)


def render_pdf(template: str, context: dict) -> bytes:
    return render(template, context)[0]
