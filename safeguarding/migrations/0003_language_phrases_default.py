"""The starting list of victim-blaming and adultifying phrases, with what to write instead.

Drawn from published trauma-informed recording guidance for exploitation work. Administrators can change
the list afterwards; this migration only adds phrases that are not already there.
"""

from django.db import migrations

BLAME = "It places responsibility for the harm on the child, not on the people harming them."
ADULT = "It describes a child as if they were an adult able to consent or choose."
PHRASES = [
    ("putting themselves at risk", "being put at risk by others / at risk of harm from …", BLAME),
    ("putting herself at risk", "being put at risk by others / at risk of harm from …", BLAME),
    ("putting himself at risk", "being put at risk by others / at risk of harm from …", BLAME),
    ("lifestyle choice", "being exploited; describe the control and the harm", ADULT),
    ("choosing this lifestyle", "being exploited; describe the control and the harm", ADULT),
    ("streetwise", "has been exposed to … / is vulnerable because …", ADULT),
    ("promiscuous", "is being sexually exploited / is at risk of sexual exploitation", BLAME),
    ("sexually active with older men", "being sexually exploited by adults", ADULT),
    ("sexually active", "describe what is happening and who holds the power; a child may be being abused", ADULT),
    ("child prostitute", "child who is being sexually exploited", "A child cannot consent to their own abuse."),
    ("child prostitution", "child sexual exploitation", "A child cannot consent to their own abuse."),
    ("boyfriend", "the adult / the person exploiting them (if there is an exploitation concern)",
     "Words the exploiter uses can hide the abuse; say who they are and their age."),
    ("drug runner", "child being criminally exploited to move drugs", ADULT),
    ("drug dealer", "child being criminally exploited", ADULT),
    ("gang member", "child at risk of criminal exploitation / associated with …", ADULT),
    ("absconded", "went missing / left without letting us know", "It is criminal-justice language for a child."),
    ("refused to engage", "has not yet engaged; what have we tried, and what gets in the way?", BLAME),
    ("non-compliant", "has not yet engaged with …; describe what was offered", BLAME),
    ("manipulative", "describe the behaviour and what may lie behind it", BLAME),
    ("attention seeking", "seeking connection / needs support with …", BLAME),
    ("consensual", "describe what happened; a child cannot consent to exploitation", ADULT),
    ("risk-taking behaviour", "at risk of harm from …", BLAME),
]


def add(apps, schema_editor):
    phrase_model = apps.get_model("safeguarding", "LanguagePhrase")
    for phrase, suggestion, why in PHRASES:
        phrase_model.objects.get_or_create(phrase=phrase, defaults={"suggestion": suggestion, "why": why})


class Migration(migrations.Migration):
    dependencies = [("safeguarding", "0002_language_phrases")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
