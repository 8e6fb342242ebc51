"""Where a place is, found from what people know: its postcode, or the ward it is in. Nobody types coordinates.

``GEOCODER`` (setting) is the address of a postcodes.io-compatible API (``GET <url>/postcodes/<postcode>`` answering
``{"result": {"latitude": .., "longitude": ..}}``), or empty for none. With none, or when it cannot find a postcode,
the person picks a ward or area from the list administrators keep (``Area``), and the place goes at its centre.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

log = logging.getLogger(__name__)

POSTCODE = "postcode"
WARD_CENTRE = "approximate: ward centre"


class Unavailable(Exception):
    """The postcode finder did not answer in time, or answered with something that is not a place."""


@dataclass(frozen=True)
class Position:
    latitude: Decimal
    longitude: Decimal
    note: str  # how it was found: the postcode, or "approximate: ward centre"


def configured() -> bool:
    return bool(settings.GEOCODER)


def _five(value) -> Decimal:
    return Decimal(str(round(float(value), 5)))


def by_postcode(postcode: str) -> Position | None:
    """The postcode's position from the configured finder; None when it does not know the postcode.

    Raises Unavailable when it cannot be asked (none configured, a timeout, an error, an answer not understood).
    """
    if not configured():
        raise Unavailable("No postcode finder is configured")
    url = f"{settings.GEOCODER.rstrip('/')}/postcodes/{urllib.parse.quote(postcode.strip())}"
    try:
        with urllib.request.urlopen(url, timeout=settings.GEOCODER_TIMEOUT) as response:  # noqa: S310 (setting)
            body = json.loads(response.read(65536))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        log.warning("postcode finder answered %s", exc.code)
        raise Unavailable(f"The postcode finder answered {exc.code}") from exc
    except (OSError, ValueError) as exc:  # refused, timed out, or not JSON
        log.warning("postcode finder failed: %s", exc.__class__.__name__)
        raise Unavailable("The postcode finder did not answer") from exc
    try:
        result = body["result"]
        return Position(_five(result["latitude"]), _five(result["longitude"]), POSTCODE)
    except (KeyError, TypeError, ValueError) as exc:
        raise Unavailable("The postcode finder's answer was not understood") from exc


def by_area(area) -> Position:
    """The middle of a ward or area: an approximate position, and said to be one."""
    return Position(area.latitude, area.longitude, WARD_CENTRE)
