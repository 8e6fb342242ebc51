"""Trauma-informed recording: spot victim-blaming and adultifying phrases and suggest other words.

One mechanism for every text a practitioner writes about a young person (chronology entries now; assessments
and minutes later). It prompts while someone writes; it never blocks a save.
"""

import re
from dataclasses import dataclass

from django.urls import reverse_lazy

from .models import LanguagePhrase


@dataclass(frozen=True)
class Finding:
    phrase: str
    found: str  # as written
    suggestion: str
    why: str


def check(text: str) -> list[Finding]:
    """Every listed phrase in ``text``, once each, in the order they first appear."""
    if not text or not text.strip():
        return []
    phrases = list(LanguagePhrase.objects.filter(is_active=True).values_list("phrase", "suggestion", "why"))
    findings = []
    for phrase, suggestion, why in phrases:
        words = r"\s+".join(re.escape(word) for word in phrase.split())
        match = re.search(rf"(?<!\w){words}(?!\w)", text, flags=re.IGNORECASE)
        if match:
            findings.append((match.start(), Finding(phrase, match.group(0), suggestion, why)))
    return [finding for _, finding in sorted(findings, key=lambda item: item[0])]


def prompt_attrs(field_name: str, target_id: str) -> dict:
    """htmx attributes for a text box: as the person types, the prompts for it appear in ``#target_id``."""
    return {
        "hx-post": reverse_lazy("language-check"), "hx-trigger": "input changed delay:700ms", "hx-swap": "innerHTML",
        "hx-target": f"#{target_id}", "hx-params": f"{field_name},field", "hx-vals": f'{{"field": "{field_name}"}}',
    }
