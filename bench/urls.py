"""The benchmark URLconf (``bench.settings_http`` only): the service's pages plus a floor page.

The floor is the cheapest page a signed-in person can get: the whole middleware stack (session, user, timeout,
axes) and a tiny response, no template and no query of its own. Pages are measured against it. It is never in the
production URLconf (``safeguarding.urls``).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from safeguarding import urls as service

handler403 = service.handler403
handler404 = service.handler404
handler500 = service.handler500


@login_required
def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [*service.urlpatterns, path("bench/floor/", floor, name="bench-floor")]
