"""Invitations: an administrator invites a person by email; the link in it sets their password, once, within
``INVITATION_DAYS``, and then they set up a second factor (safeguarding.factors sends them there).

The link's token is Django's password-reset token with its own salt and lifetime, made from the person's password
hash and whether they are active: accepting sets a password and activates them, so the link works once; inviting
again gives a new unusable password, so an older link stops working. Nothing secret is stored: the email job takes
the person's id and makes the link when it sends.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int, int_to_base36


class InvitationTokens(PasswordResetTokenGenerator):
    key_salt = "safeguarding.invitations.InvitationTokens"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.is_active}{user.email}{timestamp}"

    def check_token(self, user, token) -> bool:
        if not (user and token) or "-" not in str(token):
            return False
        ts_b36 = str(token).split("-", 1)[0]
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not constant_time_compare(self._make_token_with_timestamp(user, ts, self.secret), token):
            return False
        age = self._num_seconds(self._now()) - ts
        return 0 <= age <= timedelta(days=settings.INVITATION_DAYS).total_seconds()


tokens = InvitationTokens()


def link_for(user) -> str:
    path = reverse("invitation-accept", kwargs={"uidb36": int_to_base36(user.pk), "token": tokens.make_token(user)})
    return f"{settings.SITE_URL}{path}"


def person_for(uidb36: str, token: str):
    """The invited person the link is for, or None (unknown, already accepted, expired or tampered with)."""
    from .models import User

    try:
        pk = base36_to_int(uidb36)
    except ValueError:
        return None
    user = User.objects.filter(pk=pk, is_active=False).first() if pk < 2**63 else None
    return user if user is not None and not user.has_usable_password() and tokens.check_token(user, token) else None


def email(user) -> tuple[str, str]:
    """The invitation's subject and body (no one's details but the person's own name)."""
    body = (f"Hello {user.first_name or user.username},\n\n"
            f"You have been invited to use {settings.SERVICE_NAME} by your agency, {user.agency}.\n\n"
            f"Your username is: {user.username}\n\n"
            f"Choose your password here (the link works once, for {settings.INVITATION_DAYS} days):\n"
            f"{link_for(user)}\n\n"
            "You will then set up a second factor: an authenticator app on your phone, or a passkey.\n\n"
            "If you were not expecting this email, you can ignore it.\n")
    return f"You have been invited to {settings.SERVICE_NAME}", body
