from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Young people and cases"

    def ready(self):
        # The front door's and transfers' own kinds (contexts registers its own in its ready()).
        from django.urls import reverse

        from . import (
            finders,  # noqa: F401 (registers this app's pickers with the kernel)
            frontdoor_views,
            referrals,
            selectors,
            transfers,
        )
        from .models import Case, CaseTransfer, YoungPersonReferral

        referrals.register(referrals.Kind(
            word="young-person", model=YoungPersonReferral, noun="young person",
            duplicates=selectors.referral_duplicates,
            outcome_url=lambda referral: reverse("case", args=[referral.case_id]) if referral.case_id else None,
            accept_form_options=frontdoor_views.person_accept_options, accept=frontdoor_views.person_accept))
        transfers.register(transfers.Kind(record_model=Case, model=CaseTransfer, field="case", word="case"))
