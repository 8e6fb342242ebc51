"""Settings for ``bench.load`` only: the production settings served over plain HTTP on this machine.

The service's settings turn secure cookies on whenever DEBUG is off, and no variable turns them off (rightly:
production is always behind TLS). The load benchmark talks plain HTTP to gunicorn on 127.0.0.1, so here the
cookies are not marked secure, nothing redirects to HTTPS, and the URLconf adds the benchmark's floor page.
Everything else (DEBUG off, middleware, sessions, templates, database settings) is exactly production's.
"""

from safeguarding.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
ROOT_URLCONF = "bench.urls"
