"""Malware scanning by ClamAV's daemon: every uploaded document is streamed to clamd before anything is stored.

clamd's INSTREAM command over TCP (``CLAMAV_URL``, ``tcp://host:port``): the file goes in chunks, each prefixed
with its length as four big-endian bytes, ending with a zero-length chunk; clamd answers ``stream: OK`` or
``stream: <signature> FOUND``. It fails closed: a scanner that cannot be reached, times out or answers anything else
raises ``ScannerUnavailable``, and the upload is refused, never accepted unscanned.

Production runs ``freshclam`` (the official signature databases) beside a clamd that listens where ``CLAMAV_URL``
points. The tests start a private clamd with a local signature for the EICAR test file (tests/conftest.py).
"""

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """The scanner did not give a verdict: the file must be treated as unscanned (refused)."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""  # what was found, when not clean


def _address() -> tuple[str, int]:
    url = urlsplit(settings.CLAMAV_URL)
    if url.scheme != "tcp" or not url.hostname or not url.port:
        raise ScannerUnavailable(f"CLAMAV_URL must be tcp://host:port, not {settings.CLAMAV_URL!r}")
    return url.hostname, url.port


def _connect(timeout: float | None = None) -> socket.socket:
    try:
        return socket.create_connection(_address(), timeout=timeout or settings.CLAMAV_TIMEOUT)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd not reachable: {type(exc).__name__}") from exc


def _answer(conn: socket.socket) -> str:
    chunks = []
    while True:
        data = conn.recv(4096)
        if not data:
            break
        chunks.append(data)
        if data.endswith(b"\0"):
            break
    return b"".join(chunks).rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(stream) -> Verdict:
    """Stream the file-like ``stream`` (from its start) to clamd; its verdict, or ``ScannerUnavailable``."""
    stream.seek(0)
    try:
        with _connect() as conn:
            conn.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK):
                conn.sendall(struct.pack(">I", len(chunk)) + chunk)
            conn.sendall(struct.pack(">I", 0))
            reply = _answer(conn)
    except OSError as exc:  # reset or timed out mid-stream (clamd drops a stream over its StreamMaxLength)
        raise ScannerUnavailable(f"clamd stopped answering: {type(exc).__name__}") from exc
    finally:
        stream.seek(0)
    if reply == "stream: OK":
        return Verdict(True)
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return Verdict(False, reply[len("stream: "):-len(" FOUND")])
    raise ScannerUnavailable(f"clamd gave no verdict: {reply[:120]!r}")


def status() -> str:
    """"ok" when clamd answers PING, or what is wrong (for /healthz's detail)."""
    try:
        with _connect(timeout=2) as conn:
            conn.sendall(b"zPING\0")
            reply = _answer(conn)
    except (ScannerUnavailable, OSError) as exc:
        return f"error: {exc}"
    return "ok" if reply == "PONG" else f"error: unexpected answer {reply[:40]!r}"
