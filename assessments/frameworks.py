"""Assessment frameworks as data: the shape of a definition, the answers it allows, and the scores it gives.

A framework version's ``definition`` is JSON (``assessments/frameworks/*.json`` ship four of them): sections, each
a domain of the assessment, holding typed questions. Every version gets the same section on the voice of young
people, parents and the community, appended here so no locality can leave it out. Answers are a JSON object
keyed by question key; this module is the one place that says what a valid answer is.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

SHIPPED = Path(__file__).parent / "frameworks"
KEY = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
SUBJECTS = {"young_person": "Young person", "place": "Place", "peer_group": "Peer group", "school": "School"}
TYPES = {
    "text": "Free text",
    "scale": "Rating scale",
    "rag": "Traffic light (red, amber, green)",
    "yes_no": "Yes or no",
    "choice": "Choice",
    "factors": "Factor list",
}
RAG = {"red": "Red", "amber": "Amber", "green": "Green"}
YES_NO = {"yes": "Yes", "no": "No"}
FACTOR_KINDS = {
    "risk": "Risk",
    "vulnerability": "Vulnerability",
    "strength": "Strength or protective factor",
    "guardian": "Capable guardian",
}
FACTOR_FIELDS = ("kind", "description", "evidence", "source")
TEXT_MAX = 10_000
FACTORS_MAX = 50

VOICE_SECTION = {
    "key": "voice",
    "title": "Voice of young people, parents and the community",
    "guidance": "Record what people said in their own words where you can, who said it, and how you heard it. "
                "Say what will be fed back to them.",
    "questions": [
        {"key": "voice_young_people", "type": "text", "required": True,
         "label": "What have young people said?", "hint": "In their own words where possible."},
        {"key": "voice_parents", "type": "text", "required": False,
         "label": "What have parents and carers said?", "hint": ""},
        {"key": "voice_community", "type": "text", "required": False,
         "label": "What have the community, businesses and other people here said?", "hint": ""},
        {"key": "feedback", "type": "text", "required": True,
         "label": "What will be fed back to them, and how?", "hint": "Who will tell them, and by when."},
    ],
}


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    scale: tuple[int, int, str, str] | None = None  # min, max, what min means, what max means

    @property
    def options(self) -> list[tuple[str, str]]:
        """The (value, label) pairs of a question answered by picking one."""
        if self.type == "rag":
            return list(RAG.items())
        if self.type == "yes_no":
            return list(YES_NO.items())
        if self.type == "choice":
            return [(c, c) for c in self.choices]
        if self.type == "scale":
            low, high, low_label, high_label = self.scale
            return [(str(n), f"{n}{' – ' + low_label if n == low else ''}{' – ' + high_label if n == high else ''}")
                    for n in range(low, high + 1)]
        return []

    def display(self, value) -> str:
        """An answer as words, for pages and PDFs."""
        if value in (None, "", []):
            return ""
        if self.type in ("rag", "yes_no", "scale", "choice"):
            return dict(self.options).get(str(value), str(value))
        return str(value)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    guidance: str = ""
    questions: tuple[Question, ...] = field(default_factory=tuple)

    @property
    def is_scored(self) -> bool:
        return any(q.type in ("rag", "scale") for q in self.questions)


# --- Definitions ------------------------------------------------------------------------------------------------

def _problems(definition) -> list[str]:
    """Everything wrong with a definition, in words an administrator can act on."""
    if not isinstance(definition, dict):
        return ["The definition must be a JSON object with a list of sections."]
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        return ["Add at least one section."]
    problems, section_keys, question_keys = [], set(), {q["key"] for q in VOICE_SECTION["questions"]} | {"voice"}
    for s, section in enumerate(sections, 1):
        where = f"Section {s}"
        if not isinstance(section, dict):
            problems.append(f"{where} must be an object with a key, a title and questions.")
            continue
        key = section.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            problems.append(f"{where}: the key must be lower case letters, digits and underscores, "
                            "like group_identity.")
        elif key in section_keys or key == "voice":
            problems.append(f"{where}: the key {key} is used more than once (or is reserved).")
        section_keys.add(key)
        if not str(section.get("title", "")).strip():
            problems.append(f"{where}: enter a title.")
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            problems.append(f"{where}: add at least one question.")
            continue
        for q, question in enumerate(questions, 1):
            problems += _question_problems(f"{where}, question {q}", question, question_keys)
    return problems


def _question_problems(where: str, question, seen: set[str]) -> list[str]:
    if not isinstance(question, dict):
        return [f"{where} must be an object with a key, a type and a label."]
    problems = []
    key, kind = question.get("key"), question.get("type")
    if not isinstance(key, str) or not KEY.match(key):
        problems.append(f"{where}: the key must be lower case letters, digits and underscores, like felt_safety.")
    elif key in seen:
        problems.append(f"{where}: the key {key} is used more than once (or is reserved).")
    else:
        seen.add(key)
    if kind not in TYPES:
        problems.append(f"{where}: the type must be one of {', '.join(TYPES)}.")
    if not str(question.get("label", "")).strip():
        problems.append(f"{where}: enter a label.")
    if not isinstance(question.get("required", False), bool):
        problems.append(f"{where}: required must be true or false.")
    choices = question.get("choices")
    if kind == "choice":
        if (not isinstance(choices, list) or not 2 <= len(choices) <= 20
                or not all(isinstance(c, str) and c.strip() for c in choices) or len(set(choices)) != len(choices)):
            problems.append(f"{where}: a choice question needs between 2 and 20 different choices.")
    elif choices is not None:
        problems.append(f"{where}: only a choice question has choices.")
    scale = question.get("scale")
    if kind == "scale":
        ok = isinstance(scale, dict) and all(isinstance(scale.get(k), int) for k in ("min", "max"))
        if not ok or not 0 < scale["max"] - scale["min"] <= 10:
            problems.append(f"{where}: a scale needs whole numbers min and max, at most 10 apart, min below max.")
    elif scale is not None:
        problems.append(f"{where}: only a scale question has a scale.")
    return problems


def check_definition(definition):
    """Raise a ValidationError listing every problem, or return the definition unchanged."""
    problems = _problems(definition)
    if problems:
        raise ValidationError({"definition": problems})
    return definition


def _question(raw: dict) -> Question:
    scale = raw.get("scale")
    return Question(
        key=raw["key"], type=raw["type"], label=raw["label"].strip(), hint=str(raw.get("hint") or "").strip(),
        required=bool(raw.get("required", False)), choices=tuple(raw.get("choices") or ()),
        scale=(scale["min"], scale["max"], str(scale.get("low", "")), str(scale.get("high", ""))) if scale else None,
    )


def sections(definition) -> list[Section]:
    """The sections of a (checked) definition, the voice section last."""
    return [
        Section(key=s["key"], title=s["title"].strip(), guidance=str(s.get("guidance") or "").strip(),
                questions=tuple(_question(q) for q in s["questions"]))
        for s in [*definition["sections"], VOICE_SECTION]
    ]


# The outcome is answered like a section (its own page, its own line on the task list) though it is kept in the
# assessment's own fields, not in its answers.
OUTCOME = Section(key="outcome", title="Outcome: what must change first", questions=(
    Question(key="priority", type="text", required=True,
             label="Which context or factor must change first for young people to be safer?",
             hint="For example: the lack of capable guardians at the bus station after 9pm."),
    Question(key="priority_reason", type="text", required=True, label="Why this first?"),
))


def task_sections(definition) -> list[Section]:
    """What an author works through, one page each: the framework's sections, the voice section, the outcome."""
    return [*sections(definition), OUTCOME]


def fingerprint(section: Section, values: dict) -> str:
    """A short digest of what one section holds, so a save can tell whether someone else changed it meanwhile."""
    held = {q.key: values.get(q.key) for q in section.questions}
    return hashlib.sha256(json.dumps(held, sort_keys=True, default=str).encode()).hexdigest()[:32]


COMPLETED, IN_PROGRESS, NOT_STARTED = "Completed", "In progress", "Not yet started"


def progress(section: Section, values: dict) -> tuple[str, int]:
    """A section's state on the task list and how many of its required questions are still unanswered. Completed
    once every required question is answered and something is; not started while nothing is."""
    answered = [q for q in section.questions if not _empty(values.get(q.key))]
    missing = sum(1 for q in section.questions if q.required and _empty(values.get(q.key)))
    if not answered:
        return NOT_STARTED, missing
    return (IN_PROGRESS if missing else COMPLETED), missing


def questions(definition) -> dict[str, Question]:
    return {q.key: q for section in sections(definition) for q in section.questions}


def shipped() -> list[dict]:
    """The frameworks that come with the product, as data files."""
    return [json.loads(path.read_text()) for path in sorted(SHIPPED.glob("*.json"))]


# --- Answers ----------------------------------------------------------------------------------------------------

def _empty(value) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _clean_factors(question: Question, value, errors: dict) -> list[dict]:
    if not isinstance(value, list) or len(value) > FACTORS_MAX:
        errors[question.key] = f"{question.label}: give a list of at most {FACTORS_MAX} factors."
        return []
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, dict) or set(row) - set(FACTOR_FIELDS):
            errors[question.key] = f"{question.label}: each factor has a kind, a description, evidence and a source."
            continue
        row = {name: str(row.get(name) or "").strip() for name in FACTOR_FIELDS}
        if not any(row.values()):
            continue  # a blank row on the form
        if row["kind"] not in FACTOR_KINDS:
            errors[f"{question.key}-{i}-kind"] = ("Select whether the factor is a risk, a vulnerability, "
                                                  "a strength or a capable guardian")
        if not row["description"]:
            errors[f"{question.key}-{i}-description"] = "Describe the factor"
        if any(len(v) > 2000 for v in row.values()):
            errors[f"{question.key}-{i}-description"] = "Each part of a factor must be 2,000 characters or fewer"
        rows.append(row)
    return rows


def _clean_one(question: Question, value, errors: dict):
    if question.type == "factors":
        return _clean_factors(question, value, errors)
    if question.type == "text":
        if not isinstance(value, str):
            errors[question.key] = f"{question.label}: enter text."
        elif len(value) > TEXT_MAX:
            errors[question.key] = f"{question.label} must be {TEXT_MAX:,} characters or fewer"
        return str(value).strip()
    if question.type == "scale":
        low, high = question.scale[:2]
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or str(number) != str(value).strip() or not low <= number <= high:
            errors[question.key] = f"{question.label}: choose a number from {low} to {high}"
            return value
        return number
    if str(value) not in dict(question.options):
        errors[question.key] = f"{question.label}: choose one of the options given"
    return value


def clean_answers(definition, answers, *, complete: bool = False) -> dict:
    """Answers checked against the template: unknown questions, wrong types and bad values are refused.

    A draft may leave anything out; ``complete`` (submitting) also requires every required question.
    Raises ValidationError keyed by question key (``<key>-<row>-<part>`` for one part of one factor).
    """
    if not isinstance(answers, dict):
        raise ValidationError({"answers": "Answers must be an object keyed by question."})
    by_key, errors, cleaned = questions(definition), {}, {}
    for key in answers:
        if key not in by_key:
            errors[key] = f"There is no question {key} in this framework."
    for key, question in by_key.items():
        value = answers.get(key)
        if _empty(value):
            if complete and question.required:
                verb = "Enter" if question.type in ("text", "factors") else "Select"
                errors[key] = f"{verb} an answer to: {question.label}"
            continue
        value = _clean_one(question, value, errors)
        if not _empty(value):
            cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- Scores: how each domain is doing, for measuring change -----------------------------------------------------

RAG_SCORE = {"red": 0.0, "amber": 0.5, "green": 1.0}


def _score(question: Question, value) -> float | None:
    if question.type == "rag" and value in RAG_SCORE:
        return RAG_SCORE[value]
    if question.type == "scale" and isinstance(value, int):
        low, high = question.scale[:2]
        return (value - low) / (high - low)
    return None


def scores(definition, answers: dict) -> dict[str, int | None]:
    """Each scored section's score from 0 (serious concern) to 100 (safe), from its traffic lights and scales.

    None where nothing scored has been answered. Scales are written so that higher is safer.
    """
    result = {}
    for section in sections(definition):
        if not section.is_scored:
            continue
        values = [s for q in section.questions if (s := _score(q, answers.get(q.key))) is not None]
        result[section.key] = round(100 * sum(values) / len(values)) if values else None
    return result


def factor_counts(definition, answers: dict) -> dict[str, int]:
    """How many factors of each kind were recorded across the assessment, by the kind's name."""
    counts = dict.fromkeys(FACTOR_KINDS, 0)
    for question in questions(definition).values():
        if question.type == "factors":
            for row in answers.get(question.key) or []:
                if row.get("kind") in counts:
                    counts[row["kind"]] += 1
    return {FACTOR_KINDS[kind]: n for kind, n in counts.items()}
