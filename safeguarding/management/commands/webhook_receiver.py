"""A partner's receiver for the local demo: checks each delivery's signature and prints what it was told.

    manage.py webhook_receiver [--port 8765]

Listens on 127.0.0.1 only. A delivery is checked against the secrets of the connections whose endpoint is this
receiver (read from the database: this stands in for the partner, who holds their secret), within a five-minute
replay window, and deduped by event id, as docs/webhooks.md tells a partner to. It answers 204 to a good delivery and
400 to a bad signature. It prints the event's type, id and the API address of the record, which is all an event says.
"""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management.base import BaseCommand

from safeguarding import webhooks
from safeguarding.models import WebhookSubscription

PATH = "/efh-events"
REPLAY_WINDOW = 300


class Command(BaseCommand):
    help = "Run a local webhook receiver for the demo (127.0.0.1), checking signatures and printing events."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, port, **options):
        command = self
        seen = set()
        endpoint = f"http://127.0.0.1:{port}{PATH}"

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 65536))
                header = self.headers.get(webhooks.SIGNATURE_HEADER, "")
                secrets = [secret for pair in WebhookSubscription.objects.filter(url=endpoint).values_list(
                    "secret", "previous_secret") for secret in pair if secret]
                if self.path != PATH or not any(webhooks.verify(secret, header, body, tolerance=REPLAY_WINDOW)
                                                 for secret in secrets):
                    command.stderr.write(f"Refused a delivery to {self.path}: the signature does not verify")
                    self.send_response(400)
                    self.end_headers()
                    return
                event = json.loads(body)
                if event["id"] not in seen:
                    seen.add(event["id"])
                    where = (event.get("resource") or {}).get("url") or "no API address"
                    command.stdout.write(f"{event['occurred_at']} {event['type']} for agency {event['agency']}: "
                                         f"{where} (event {event['id']})")
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.stdout.write(f"Receiving webhook deliveries at {endpoint} (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
