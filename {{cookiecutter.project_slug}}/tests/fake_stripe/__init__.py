"""The tests' Stripe: the fake API server (server.py, a separate process) and Stripe's webhook
signatures, made the way Stripe makes them."""

import copy
import hashlib
import hmac
import itertools
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .server import FIXTURES

SERVER = Path(__file__).parent / "server.py"
WEBHOOK_SECRET = "whsec_test_secret"
API_KEY = "sk_test_fake"
_event_numbers = itertools.count(1)


class FakeStripe:
    """The server process on a free loopback port; ``state()`` is what it was asked and holds."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        port = int(self.process.stdout.readline().split()[1])
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def request(self, path: str, data: bytes | None = None) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + path, data=data, timeout=10) as response:
            return json.loads(response.read())

    def state(self) -> dict[str, Any]:
        return self.request("/_test/state")

    def calls(self, path: str) -> list[dict[str, Any]]:
        return [call for call in self.state()["calls"] if call["path"] == path]

    def pay(self, session_id: str) -> dict[str, Any]:
        """The customer pays on the checkout page: the session, completed, with its subscription."""
        request = urllib.request.Request(f"{self.url}/checkout/{session_id}/pay", method="POST")
        opener = urllib.request.build_opener(NoRedirects())
        try:
            opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 303, error.read()
        return self.state()["objects"][session_id]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def event(kind: str, obj: dict[str, Any], event_id: str = "") -> dict[str, Any]:
    """A Stripe event (the fixture's) of type ``kind`` about ``obj``."""
    made = copy.deepcopy(FIXTURES["event"])
    made.update(
        id=event_id or f"evt_test{next(_event_numbers)}_{time.time_ns()}",
        type=kind,
        created=int(time.time()),
        data={"object": {key: value for key, value in obj.items() if not key.startswith("_")}},
    )
    return made


def fixture(kind: str, **fields: Any) -> dict[str, Any]:
    made = copy.deepcopy(FIXTURES[kind])
    made.update(fields)
    return made


def signature(body: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends: t=<time>,v1=<HMAC-SHA256 of "t.body">."""
    timestamp = int(time.time()) if at is None else at
    signed = f"{timestamp}.".encode() + body
    mac = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
