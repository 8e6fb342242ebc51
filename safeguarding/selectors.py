from .models import AuditEvent


def audit_events_for(user):
    """The audit events a manager may search.

    The lead authority's managers answer for the whole partnership's records, so they see every event;
    a partner agency's managers see what their own people did.
    """
    events = AuditEvent.objects.select_related("actor", "agency", "target_type")
    if user.agency.is_lead_authority:
        return events
    return events.filter(agency_id=user.agency_id)
