"""Response headers the security middleware of Django and django-csp do not set."""

from urllib.parse import urlsplit

from django.conf import settings


def tile_origin(url_template: str) -> list[str]:
    """The origin a Leaflet tile URL template loads from, for the CSP's img-src ("{s}" subdomains as a wildcard)."""
    if not url_template:
        return []
    parts = urlsplit(url_template.replace("{s}", "*"))
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in ("https", "http") and parts.netloc else []


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` from settings.PERMISSIONS_POLICY (feature: allowed origins; an empty list, none)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
