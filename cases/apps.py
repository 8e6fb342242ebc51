from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Young people and cases"

    def ready(self):
        # The front door's and transfers' own kinds (contexts registers its own in its ready()).
        from django.urls import reverse

        from safeguarding import viewers

        from . import (
            finders,  # noqa: F401 (registers this app's pickers with the kernel)
            frontdoor_views,
            referrals,
            selectors,
            transfers,
        )
        from . import retention as case_retention
        from . import subject_access as case_subject_access
        from .models import Case, CaseTransfer, YoungPerson, YoungPersonReferral

        referrals.register(referrals.Kind(
            word="young-person", model=YoungPersonReferral, noun="young person",
            duplicates=selectors.referral_duplicates,
            outcome_url=lambda referral: reverse("case", args=[referral.case_id]) if referral.case_id else None,
            accept_form_options=frontdoor_views.person_accept_options, accept=frontdoor_views.person_accept))
        transfers.register(transfers.Kind(record_model=Case, model=CaseTransfer, field="case", word="case"))
        case_retention.register()  # closed cases' retention and disposal (safeguarding.retention)
        case_subject_access.register()  # its sections of a subject access export (safeguarding.subject_access)
        # Who has seen a young person's record, or a case's (safeguarding.viewers).
        viewers.register(viewers.Kind("young-person", YoungPerson, "young-person", "young person"))
        viewers.register(viewers.Kind("case", Case, "case", "case"))
