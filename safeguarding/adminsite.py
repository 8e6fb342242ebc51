"""Django's admin for this service: signed in through the service's own sign-in page (a password and a second
factor, never the admin's password-only form), and every page behind a fresh second factor (the step-up)."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .factors import fresh_factor_required


class StepUpAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        # The staff check first (Django's), then the step-up.
        return super().admin_view(fresh_factor_required(view), cacheable)

    def login(self, request, extra_context=None):
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")
