from django.apps import AppConfig


class ContextsConfig(AppConfig):
    name = "contexts"
    verbose_name = "Places and peer groups"

    def ready(self):
        # The front door's and transfers' kinds for places and peer groups (cases.referrals, cases.transfers).
        from cases import referrals, transfers
        from safeguarding import viewers

        from . import (
            finders,  # noqa: F401 (registers this app's pickers with the kernel)
            selectors,
            views,
        )
        from . import retention as context_retention
        from . import subject_access as context_subject_access
        from .models import ContextReferral, ContextTransfer, PeerGroup, Place

        referrals.register(referrals.Kind(
            word="context", model=ContextReferral, noun="place or peer group",
            duplicates=selectors.referral_duplicates,
            outcome_url=lambda referral: subjects_url(referral.record) if referral.record else None,
            accept_form_options=views.referral_accept_options, accept=views.referral_accept))
        transfers.register(transfers.Kind(record_model=Place, model=ContextTransfer, field="place", word="context"))
        transfers.register(transfers.Kind(record_model=PeerGroup, model=ContextTransfer, field="peer_group",
                                          word="context"))
        # Its record types' retention, and its rows about an erased young person (safeguarding.retention).
        context_retention.register()
        context_subject_access.register()  # its section of a subject access export
        # Who has seen a place's or a group's record (safeguarding.viewers).
        viewers.register(viewers.Kind("place", Place, "place", "place"))
        viewers.register(viewers.Kind("peer-group", PeerGroup, "peer-group", "peer group"))


def subjects_url(record) -> str:
    from safeguarding import subjects

    return subjects.of(record).url(record)
