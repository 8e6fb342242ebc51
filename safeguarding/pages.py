"""The shape most pages that change something share: show a form; on a valid POST, call the service, say what
was done and go on; on a refusal, show the form again with GOV.UK errors and everything the person typed."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from . import pickers
from .forms import submit


def form_page(request, form, *, call: Callable[[dict], object], template: str, done: str | Callable = "",
              then: str | Callable = "", context: dict | None = None, rename: dict[str, str] | None = None,
              invalid_status: int = 200):
    """``call(cleaned_data)`` runs the service; ``done`` (text, or a function of its result) is the success message;
    ``then`` (a URL, or a function of the result) is where the person goes next. A picker's Search button
    (safeguarding.pickers) shows the form again with the matches, saving nothing."""
    status = 200
    if request.method == "POST" and not pickers.search_step(request.user, form):
        if form.is_valid():
            result = submit(form, lambda: call(form.cleaned_data), rename)
            if result:
                if done:
                    messages.success(request, done(result) if callable(done) else done)
                return redirect(then(result) if callable(then) else then)
        status = invalid_status
    return render(request, template, {"form": form, **(context or {})}, status=status)


class RefusalMiddleware:
    """A rule refused because of the record's state (``policy.must``: a closed case, a submitted assessment) where no
    form was there to show it: the page says why, with a 409, instead of failing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ValidationError):
            return render(request, "409.html", {"reasons": exception.messages}, status=409)
        return None
