"""This app's sections of a young person's subject access export (safeguarding.subject_access): their details, their
cases, the chronology of those cases, their own words and their trusted adults. Read through the access door as the
asking agency."""

from safeguarding import access
from safeguarding import subject_access as sar

from .models import Case, ChronologyEntry, TrustedAdult, VoiceEntry


def details(reader, person, redact) -> list[sar.Row]:
    return [sar.Row(f"{person.full_name} ({person.audit_label})", [
        ("Name", person.full_name), ("Also known as", person.known_as), ("Date of birth", person.date_of_birth),
        ("Sex", person.get_sex_display()), ("Gender identity", person.gender_identity),
        ("Ethnicity", person.get_ethnicity_display()), ("First language", person.first_language),
        ("Special educational needs", person.get_send_status_display()),
        ("Communication needs", person.communication_needs), ("Address", person.address),
        ("Postcode", person.postcode), ("Local authority person ID", person.la_person_id),
        ("NHS number", person.nhs_number), ("Unique pupil number", person.upn),
        ("Recorded by", redact.practitioner(person.created_by)), ("Recorded on", person.created_at),
    ], person)]


def _cases(reader, person):
    return access.visible(reader, Case.objects.filter(young_person=person)).select_related(
        "owning_agency", "lead_practitioner__agency").prefetch_related("lead_practitioner__groups").order_by(
        "opened_on", "pk")


def cases(reader, person, redact) -> list[sar.Row]:
    return [sar.Row(f"Case {case.reference}", [
        ("Status", case.get_status_display()), ("Opened", case.opened_on), ("Closed", case.closed_on),
        ("Why it closed", case.get_closure_reason_display()), ("Closure note", case.closure_note),
        ("Reason for involvement", case.summary), ("Level of risk", case.get_risk_level_display()),
        ("Lead practitioner", redact.practitioner(case.lead_practitioner)), ("Agency", case.owning_agency.name),
    ], case) for case in _cases(reader, person)]


def chronology(reader, person, redact) -> list[sar.Row]:
    entries = access.visible(reader, ChronologyEntry.objects.filter(case__young_person=person)).select_related(
        "case", "agency", "author__agency").prefetch_related("author__groups").order_by("occurred_at", "pk")
    return [sar.Row(f"{entry.get_kind_display()}, {sar.text(entry.occurred_at)} (case {entry.case.reference})", [
        ("What happened", entry.text), ("Recorded by", redact.practitioner(entry.author)),
        ("Recorded on", entry.recorded_at),
    ], entry) for entry in entries]


def voice(reader, person, redact) -> list[sar.Row]:
    words = access.visible(reader, VoiceEntry.objects.filter(young_person=person)).select_related(
        "recorded_by__agency").prefetch_related("recorded_by__groups").order_by("said_on", "pk")
    return [sar.Row(f"What you said on {sar.text(entry.said_on)}", [
        ("In your words", entry.words), ("How it was captured", entry.how_captured),
        ("Recorded by", redact.practitioner(entry.recorded_by)),
    ], entry) for entry in words]


def trusted_adults(reader, person, redact) -> list[sar.Row]:
    adults = access.visible(reader, TrustedAdult.objects.filter(young_person=person)).order_by("added_at", "pk")
    return [sar.Row(redact.third_party(adult.relationship), [
        ("Relationship", adult.relationship), ("Added on", adult.added_at),
    ], adult) for adult in adults]


def register() -> None:
    for order, (key, title, rows) in enumerate((
            ("young_person", "Your details", details), ("cases", "Cases", cases),
            ("chronology", "Chronology", chronology), ("voice", "Your words", voice),
            ("trusted_adults", "Trusted adults", trusted_adults))):
        sar.register(sar.Section(key=key, title=title, order=10 + order, rows=rows))
