"""Malware scanning by ClamAV's daemon: every uploaded document is streamed to clamd before anything is stored.

clamd's INSTREAM command over TCP (``CLAMAV_URL``, ``tcp://host:port``): the file goes in chunks, each prefixed
with its length as four big-endian bytes, ending with a zero-length chunk; clamd answers ``stream: OK`` or
``stream: <signature> FOUND``. It fails closed: a scanner that cannot be reached, times out or answers anything else
raises ``ScannerUnavailable``, and the upload is refused, never accepted unscanned.

Production runs ``freshclam`` (the official signature databases) beside a clamd that listens where ``CLAMAV_URL``
points. The tests, and ``make demo`` (``manage.py demo_scanner``), start a private clamd with one local signature, for
the EICAR test file (``local_daemon``): there is no network for freshclam there, and no need for its databases.
"""

import socket
import struct
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
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


# --- A private clamd, for the tests and the demo ------------------------------------------------------------------

CLAMD = "/usr/sbin/clamd"  # Debian's clamav-daemon


def eicar() -> bytes:
    """The EICAR anti-virus test file, put together here so the repository itself holds no copy a scanner flags."""
    return "".join(["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-", "FILE!$H+H*"]).encode()


def local_daemon(folder: Path, port: int, *, foreground_output: bool = False) -> subprocess.Popen:
    """Start Debian's clamd on 127.0.0.1:``port``, its configuration, log and database in ``folder``, knowing one
    signature: the EICAR test file, as a body signature (found anywhere in a file). The caller waits for ``pong``
    and stops the process."""
    (folder / "db").mkdir(parents=True, exist_ok=True)
    (folder / "db" / "efh-test.ndb").write_text(f"Efh.Test.EICAR:0:*:{eicar().hex()}\n")
    config = folder / "clamd.conf"
    config.write_text("\n".join([
        f"TCPSocket {port}", "TCPAddr 127.0.0.1", "Foreground yes", f"DatabaseDirectory {folder / 'db'}",
        f"LogFile {folder / 'clamd.log'}", f"PidFile {folder / 'clamd.pid'}", "StreamMaxLength 8M",
        f"TemporaryDirectory {folder}", "SelfCheck 0", ""]))
    quiet = None if foreground_output else subprocess.DEVNULL
    return subprocess.Popen([CLAMD, "-c", str(config)],  # noqa: S603 (Debian's clamd, our own configuration)
                            stdout=quiet, stderr=quiet, start_new_session=True)


def pong(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a clamd answers PING on ``host``:``port``."""
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            conn.sendall(b"zPING\0")
            return conn.recv(16).startswith(b"PONG")
    except OSError:
        return False


@contextmanager
def demo_daemon():
    """For the demo only: when nothing answers at ``CLAMAV_URL`` and it names a port on this machine, a private clamd
    (``local_daemon``) listens there for as long as the block runs; the process, or None when one was already
    answering, when ``CLAMAV_URL`` is elsewhere, or when Debian's clamd is not installed (uploads are then refused)."""
    host, port = _address()
    if pong(port, host) or host not in ("127.0.0.1", "localhost") or not Path(CLAMD).exists():
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="efh-demo-clamd-") as folder:
        daemon = local_daemon(Path(folder), port)
        try:
            deadline = time.monotonic() + 60
            while not pong(port) and daemon.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            yield daemon if daemon.poll() is None else None
        finally:
            if daemon.poll() is None:
                daemon.terminate()
                daemon.wait(timeout=30)
