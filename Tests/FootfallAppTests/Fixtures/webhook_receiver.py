"""A webhook endpoint for the tests: every delivery is verified with the PyPI package
`standardwebhooks` (not code of ours), kept, and answered as the test told it.

Usage: webhook_receiver.py SECRET — prints the port it listens on, then serves until its
standard input closes.
  POST /hook          a delivery: verified, recorded, answered with the next planned answer
  POST /plan          {"answers": [500, 200, ...], "stall": seconds} plans the next answers;
                      {"secret": "whsec_…"} sets the secret (when the URL was needed to get it)
  GET  /received      every delivery so far: [{"id", "type", "verified", "error", "body"}]
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

lock = threading.Lock()
received = []
plan = {"answers": [], "stall": 0, "secret": sys.argv[1]}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with lock:
            body = json.dumps(received).encode()
        self._answer(200, body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        payload = self.rfile.read(length)
        if self.path == "/plan":
            with lock:
                plan.update(json.loads(payload))
            return self._answer(204)
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            with lock:
                secret = plan["secret"]
            Webhook(secret).verify(payload, headers)
            verified, error = True, None
        except Exception as failure:  # the library's own verdict, whatever it is
            verified, error = False, str(failure)
        with lock:
            received.append({"id": headers.get("webhook-id"), "type": json.loads(payload).get("type"),
                             "verified": verified, "error": error, "body": payload.decode()})
            stall = plan.get("stall", 0)
            plan["stall"] = 0
            status = plan["answers"].pop(0) if plan["answers"] else 200
        if stall:
            time.sleep(stall)
        self._answer(status if verified else 401)


def end_with_the_test():
    """The test holds this process's standard input; when it closes (the test ended, or was
    killed), so does the receiver, leaving no process behind."""
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=end_with_the_test, daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
