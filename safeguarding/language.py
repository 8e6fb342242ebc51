"""Trauma-informed recording: spot victim-blaming and adultifying phrases and suggest other words.

One mechanism for every text a practitioner writes about a young person (chronology entries now; assessments
and minutes later). It prompts while someone writes; it never blocks a save.
"""

import re
from dataclasses import dataclass

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
