"""Start the tests' identity provider (see __init__.py)."""

import json
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

from . import VERIFIED


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def load(config: dict) -> None:
    """The users and the applications (clients) of ``config``, authorised without a consent
    page (``skip_authorization``)."""
    verified = apps.get_model("auth", "Group").objects.create(name=VERIFIED)
    for email, claims in config["users"].items():
        user = get_user_model().objects.create_user(username=email, email=email)
        if claims.get("email_verified"):
            user.groups.add(verified)
    for client_id, client in config["clients"].items():
        apps.get_model("oauth2_provider", "Application").objects.create(
            name=client_id,
            client_id=client_id,
            client_secret=client["secret"],
            client_type="confidential",
            authorization_grant_type="authorization-code",
            redirect_uris=" ".join(client["redirect_uris"]),
            algorithm="RS256",
            skip_authorization=True,
        )


def main() -> None:
    application = get_wsgi_application()
    call_command("migrate", run_syncdb=True, verbosity=0)
    load(json.loads(Path(sys.argv[1]).read_text()))
    server = make_server("127.0.0.1", 0, application, server_class=Server, handler_class=Quiet)
    print(f"http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
