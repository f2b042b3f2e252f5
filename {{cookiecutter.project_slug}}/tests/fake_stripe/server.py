"""A stand-in for Stripe's API, for the tests: a real HTTP server on a loopback port that answers
the calls the product makes with Stripe's own example objects (fixtures.json, from Stripe's
OpenAPI repository), ids and the fields the call sets filled in. It keeps the state a flow needs
(customers, checkout sessions, subscriptions and their seats), records every call, and
refuses, as Stripe does (400 and an error object), a call whose path, method or required
parameters are wrong.

Run ``python tests/fake_stripe/server.py``: it prints ``listening <port>`` and serves until
killed. Besides Stripe's paths: ``GET /checkout/<id>`` (the page Checkout would show),
``POST /checkout/<id>/pay`` (the customer pays: the subscription is made, then a redirect to
the session's success_url) and ``GET /_test/state`` (calls and objects, as JSON).
"""

import copy
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

FIXTURES = json.loads((Path(__file__).parent / "fixtures.json").read_text())["resources"]
REQUIRED = {
    ("POST", "/v1/customers"): (),
    ("POST", "/v1/checkout/sessions"): (
        "mode",
        "success_url",
        "line_items[0][price]",
        "line_items[0][quantity]",
    ),
    ("POST", "/v1/billing_portal/sessions"): ("customer",),
}


class StripeError(Exception):
    def __init__(self, status: int, message: str, param: str = "") -> None:
        super().__init__(message)
        self.status, self.param = status, param


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.numbers = itertools.count(1)
        self.calls: list[dict[str, Any]] = []
        self.objects: dict[str, dict[str, Any]] = {}

    def new(self, kind: str, prefix: str, **fields: Any) -> dict[str, Any]:
        made = copy.deepcopy(FIXTURES[kind])
        made.update(id=f"{prefix}_test{next(self.numbers)}", created=int(time.time()), **fields)
        self.objects[made["id"]] = made
        return made

    def get(self, object_id: str, kind: str) -> dict[str, Any]:
        found = self.objects.get(object_id)
        if found is None or found["object"] != kind:
            raise StripeError(404, f"No such {kind}: '{object_id}'", "id")
        return found


def nested(params: dict[str, str], prefix: str) -> dict[str, str]:
    """``metadata[key]`` -> {key: value}, for one prefix."""
    return {
        key[len(prefix) + 1 : -1]: value
        for key, value in params.items()
        if key.startswith(prefix + "[") and key.count("[") == 1
    }


def subscription_for(state: State, session: dict[str, Any]) -> dict[str, Any]:
    period_end = int(time.time()) + 30 * 86400
    subscription = state.new("subscription", "sub", customer=session["customer"], status="active")
    item = subscription["items"]["data"][0]
    item.update(
        id=f"si_test{next(state.numbers)}",
        subscription=subscription["id"],
        quantity=int(session["_line_items"][0]["quantity"]),
        current_period_end=period_end,
        current_period_start=int(time.time()),
    )
    item["price"]["id"] = session["_line_items"][0]["price"]
    return subscription


def answer(state: State, method: str, path: str, params: dict[str, str], base: str) -> Any:
    for name in REQUIRED.get((method, path), ()):
        if not params.get(name):
            raise StripeError(400, f"Missing required param: {name}.", name)
    if (method, path) == ("POST", "/v1/customers"):
        return state.new(
            "customer",
            "cus",
            email=params.get("email"),
            name=params.get("name"),
            metadata=nested(params, "metadata"),
        )
    if (method, path) == ("POST", "/v1/checkout/sessions"):
        if params["mode"] != "subscription":
            raise StripeError(400, "This product sells subscriptions only.", "mode")
        if "customer" in params:
            state.get(params["customer"], "customer")
        if not params["line_items[0][price]"].startswith("price_"):
            raise StripeError(400, "No such price.", "line_items[0][price]")
        session = state.new(
            "checkout.session",
            "cs",
            mode="subscription",
            status="open",
            customer=params.get("customer"),
            client_reference_id=params.get("client_reference_id"),
            success_url=params["success_url"],
            cancel_url=params.get("cancel_url"),
            subscription=None,
            payment_status="unpaid",
        )
        session["url"] = f"{base}/checkout/{session['id']}"
        session["_line_items"] = [
            {"price": params["line_items[0][price]"], "quantity": params["line_items[0][quantity]"]}
        ]
        return session
    if (method, path) == ("POST", "/v1/billing_portal/sessions"):
        state.get(params["customer"], "customer")
        portal = state.new(
            "billing_portal.session",
            "bps",
            customer=params["customer"],
            return_url=params.get("return_url"),
        )
        portal["url"] = f"{base}/portal/{portal['id']}"
        return portal
    if method == "GET" and (match := re.fullmatch(r"/v1/subscriptions/(\w+)", path)):
        return state.get(match[1], "subscription")
    if method == "POST" and (match := re.fullmatch(r"/v1/subscription_items/(\w+)", path)):
        if not params.get("quantity", "").isdigit():
            raise StripeError(400, "Invalid integer: quantity.", "quantity")
        items = {
            item["id"]: item
            for found in state.objects.values()
            if found["object"] == "subscription"
            for item in found["items"]["data"]
        }
        if match[1] not in items:
            raise StripeError(404, f"No such subscription item: '{match[1]}'", "id")
        items[match[1]]["quantity"] = int(params["quantity"])
        return items[match[1]]
    if match := re.fullmatch(r"/checkout/(\w+)/pay", path):
        session = state.get(match[1], "checkout.session")
        if session["status"] != "open":
            raise StripeError(400, "This checkout is complete already.")
        session.update(
            status="complete",
            payment_status="paid",
            subscription=subscription_for(state, session)["id"],
        )
        return session
    raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")


def public(obj: Any) -> Any:
    """The object as Stripe shows it: without the server's own keys (``_...``)."""
    if isinstance(obj, dict):
        return {key: public(value) for key, value in obj.items() if not key.startswith("_")}
    return obj


class Handler(BaseHTTPRequestHandler):
    state = State()

    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = (body if isinstance(body, str) else json.dumps(public(body))).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_call(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        path, _, query = self.path.partition("?")
        params = dict(parse_qsl(body or query, keep_blank_values=True))
        base = f"http://{self.headers['Host']}"
        if path == "/_test/state":
            with self.state.lock:
                return self.send(200, {"calls": self.state.calls, "objects": self.state.objects})
        if match := re.fullmatch(r"/checkout/(\w+)", path):
            return self.send(200, checkout_page(match[1]), "text/html")
        if path.startswith("/v1/") and not self.headers.get("Authorization", "").startswith(
            "Bearer sk_test_"
        ):
            return self.send(
                401,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": "Invalid API Key provided.",
                    }
                },
            )
        with self.state.lock:
            self.state.calls.append({"method": method, "path": path, "params": params})
            try:
                result = answer(self.state, method, path, params, base)
            except StripeError as error:
                return self.send(
                    error.status,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "message": str(error),
                            "param": error.param,
                        }
                    },
                )
        if path.endswith("/pay"):
            self.send_response(303)
            self.send_header("Location", result["success_url"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self.send(200, result)

    def do_GET(self) -> None:
        self.handle_call("GET")

    def do_POST(self) -> None:
        self.handle_call("POST")


def checkout_page(session_id: str) -> str:
    """Checkout's page, for a browser: its Pay button completes the session (no icon to fetch)."""
    return (
        '<!doctype html><title>Test checkout</title><link rel="icon" href="data:,">'
        "<h1>Test checkout</h1>"
        f'<form method="post" action="/checkout/{session_id}/pay">'
        '<button type="submit">Pay</button></form>'
    )


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening {server.server_port}", flush=True)
    server.serve_forever()
