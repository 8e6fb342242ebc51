"""An approved assessment as a PDF (WeasyPrint), built from the same template data as its page."""

from django.template.loader import render_to_string
from weasyprint import HTML


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    # No base_url: the document is self-contained (styles and pictures inline), so nothing is fetched.
    return HTML(string=html).write_pdf()
