"""A small OpenID Connect provider for the tests, run as a separate process: discovery, JWKS,
authorization code flow (with PKCE S256), token and userinfo endpoints, ID tokens signed RS256.

``python tests/oidc_provider.py CONFIG.json`` listens on a free loopback port and prints its
issuer URL on the first line. CONFIG: ``{"clients": {client_id: {"secret": ...,
"redirect_uris": [...]}}, "users": {email: {"email_verified": bool}}}``. The person "logged in"
at the provider is the ``idp_user`` cookie sent to the authorization endpoint (a real provider
would show its log-in page there).
"""

import base64
import hashlib
import json
import secrets
import sys
import time
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "test-key"


class Provider:
    def __init__(self, config: dict, issuer: str) -> None:
        self.clients = config["clients"]
        self.users = config["users"]
        self.issuer = issuer
        self.codes: dict[str, dict] = {}  # code -> grant, used once
        self.tokens: dict[str, str] = {}  # access token -> e-mail


class Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, *args: object) -> None:
        pass

    def answer(self, status: int, body: object = None, headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        data = json.dumps(body).encode() if body is not None else b""
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self.answer(200, self.discovery())
        elif url.path == "/jwks":
            jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
            self.answer(200, {"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]})
        elif url.path == "/authorize":
            self.authorize(query)
        elif url.path == "/userinfo":
            email = self.provider.tokens.get(self.headers.get("Authorization", "")[7:])
            if email is None:
                self.answer(401, {"error": "invalid_token"})
            else:
                self.answer(200, self.claims(email))
        else:
            self.answer(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlsplit(self.path).path != "/token":
            return self.answer(404, {"error": "not_found"})
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        client = self.provider.clients.get(client_id)
        if client is None or not secrets.compare_digest(client["secret"], secret or ""):
            return self.answer(401, {"error": "invalid_client"})
        grant = self.provider.codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or grant["client_id"] != client_id
            or grant["redirect_uri"] != form.get("redirect_uri")
            or not pkce_matches(grant, form.get("code_verifier", ""))
        ):
            return self.answer(400, {"error": "invalid_grant"})
        access = secrets.token_urlsafe(24)
        self.provider.tokens[access] = grant["email"]
        now = int(time.time())
        claims = {
            **self.claims(grant["email"]),
            "iss": self.provider.issuer,
            "aud": client_id,
            "iat": now,
            "exp": now + 300,
        }
        if grant.get("nonce"):
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": KID})
        self.answer(
            200,
            {"access_token": access, "token_type": "Bearer", "id_token": id_token},
            {"Cache-Control": "no-store"},
        )

    def authorize(self, query: dict[str, str]) -> None:
        client = self.provider.clients.get(query.get("client_id", ""))
        redirect_uri = query.get("redirect_uri", "")
        if client is None or redirect_uri not in client["redirect_uris"]:
            return self.answer(400, {"error": "unknown client or redirect_uri"})
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        email = cookie["idp_user"].value if "idp_user" in cookie else ""
        if email not in self.provider.users:
            return self.answer(401, {"error": "nobody is logged in at the provider"})
        code = secrets.token_urlsafe(24)
        self.provider.codes[code] = {
            "client_id": query["client_id"],
            "redirect_uri": redirect_uri,
            "email": email,
            "nonce": query.get("nonce"),
            "challenge": query.get("code_challenge"),
            "method": query.get("code_challenge_method"),
        }
        back = {"code": code, "state": query.get("state", "")}
        self.answer(302, headers={"Location": f"{redirect_uri}?{urlencode(back)}"})

    def claims(self, email: str) -> dict:
        user = self.provider.users[email]
        return {"sub": hashlib.sha256(email.encode()).hexdigest()[:16], "email": email, **user}

    def discovery(self) -> dict:
        issuer = self.provider.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }


def pkce_matches(grant: dict, verifier: str) -> bool:
    if not grant["challenge"]:
        return True
    digest = hashlib.sha256(verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return grant["method"] == "S256" and secrets.compare_digest(expected, grant["challenge"])


def main() -> None:
    with open(sys.argv[1]) as file:
        config = json.load(file)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer = f"http://127.0.0.1:{server.server_port}"
    Handler.provider = Provider(config, issuer)
    print(issuer, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
