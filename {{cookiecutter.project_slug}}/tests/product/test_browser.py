"""A person in a real headless Chromium (Debian's package, driven by Playwright) against a live
server on sub-domains of localhost. Each test saves a screenshot of every page it visits.

Skipped only when no Chromium is installed (``apt-get install chromium``); the template's own
tests fail when these were skipped.
"""

import copy
import json  # >>> include_api <<<
import os
import re
import shutil
import tempfile
import threading
import time
import urllib.error  # >>> include_api <<<
import urllib.request  # >>> include_api <<<
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from allauth.socialaccount.models import SocialApp
from django.core import mail
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    sync_playwright,
)

from pgschemas.fleet.provisioning import drop_schema
from pgschemas.fleet.spares import refill_spare_schemas, spare_schema_names
from pgschemas.schema import StaticSchema
from shared_app.models import Client, Domain, OperatorAction
from tenant_app.models import WorkspaceSecurity

from ..dns_server import DNSMASQ, DnsServer
from ..factories import PASSWORD, OperatorFactory, UserFactory
from ..processes import oidc_provider

# >>> include_billing
# isort: split
from billing_app.models import StripeEvent
from shared_app.models import Plan

from ..fake_stripe import FakeStripe
from .billing import price_plans, send

# <<< include_billing
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no Chromium found: apt-get install chromium"),
]
SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOTS", Path(tempfile.gettempdir()) / "browser-screenshots")
)


@pytest.fixture
def site(live_server_url, settings):
    """The live server's base URLs: www at localhost:PORT, workspaces at <name>.localhost:PORT.

    Sign-ups take spare schemas, as in production. Tears down every workspace the test signed up
    and every spare made for it (their data was committed).
    """
    tenants = copy.deepcopy(settings.TENANTS)
    tenants["www"]["DOMAINS"].append("localhost")
    settings.TENANTS = tenants
    settings.TENANT_DOMAIN_SUFFIX = "localhost"
    settings.PGSCHEMAS_SPARE_SCHEMAS = 2
    port = urlsplit(live_server_url).port
    settings.WORKSPACE_URL_PORT = port  # links to workspaces (hand-over, invitations)
    before = set(Client.objects.values_list("schema_name", flat=True))
    refill_spare_schemas()
    yield Site(port)
    for thread in threading.enumerate():
        if thread.name == "pgschemas-refill":
            thread.join()
    for client in Client.objects.exclude(schema_name__in=before):
        client.delete()
        drop_schema(client.schema_name)
    for spare in spare_schema_names():
        drop_schema(spare)


class Site:
    def __init__(self, port: int) -> None:
        self.port = port

    def www(self, path: str = "/") -> str:
        return f"http://localhost:{self.port}{path}"

    def workspace(self, name: str, path: str = "/") -> str:
        return f"http://{name}.localhost:{self.port}{path}"


# Reported to the console like Chrome's own errors, which do not all say "Content Security".
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
    `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`));
"""


class WatchedBrowser:
    """Chromium whose pages record every console error or warning, uncaught script error and
    Content-Security-Policy violation; the ``browser`` fixture fails the test if any occurred.
    A page that answers 404 (or 403, 410, 503) is logged as a failed load: that is no problem
    when the test went there on purpose (a navigation), only when a page loads something
    missing."""

    def __init__(self, chromium: Browser) -> None:
        self.chromium = chromium
        self.messages: list[tuple[str, str]] = []  # (where, what)
        self.pages_refused: dict[str, int] = {}  # navigations answered with an error: status

    def new_context(self) -> BrowserContext:
        context = self.chromium.new_context()
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.messages.append(("", str(error.error))))
        context.on("response", self._response)
        return context

    def new_page(self) -> Page:
        return self.new_context().new_page()

    def problems(self) -> list[str]:
        return [
            f"{where}: {what}"
            for where, what in self.messages
            if not (
                where in self.pages_refused and f"status of {self.pages_refused[where]}" in what
            )
        ]

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.messages.append((message.location.get("url", ""), message.text))

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.is_navigation_request():
            self.pages_refused[response.url] = response.status


@pytest.fixture
def browser() -> WatchedBrowser:
    """Tests see the site as a person does, through the browser only: no ORM calls while it
    runs (Playwright's event loop would give them a connection that is never closed)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # *.test: workspaces' custom domains (test_an_owner_serves_the_workspace_at_…).
            args=[
                "--host-resolver-rules="
                "MAP localhost 127.0.0.1, MAP *.localhost 127.0.0.1, MAP *.test 127.0.0.1"
            ],
        )
        watched = WatchedBrowser(chromium)
        yield watched
        chromium.close()
        assert watched.problems() == [], "the browser reported problems"


class Camera:
    """Saves a numbered screenshot of each page visited, into one folder per test."""

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.folder = folder
        self.count = 0

    def shoot(self, page: Page, name: str) -> None:
        self.count += 1
        page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)


@pytest.fixture
def camera(request, capsys) -> Camera:
    folder = SCREENSHOTS / request.node.name
    with capsys.disabled():
        print(f"\n{request.node.name}: screenshots in {folder}")
    return Camera(folder)


def unique(prefix: str) -> str:
    return f"{prefix}{os.getpid()}{int(time.time() * 1000) % 100000}"


def sign_up(page: Page, site: Site, camera: Camera, subdomain: str, email: str) -> float:
    """Sign up from the landing page; return seconds from submitting to the workspace page."""
    landing = page.goto(site.www())
    assert "default-src 'self'" in landing.headers["content-security-policy"]
    camera.shoot(page, "landing")
    page.get_by_role("link", name="Start free").first.click()
    page.wait_for_url(site.www("/signup/"))
    page.get_by_label("Workspace name").fill(subdomain.title())
    page.get_by_label("Subdomain").fill(subdomain)
    page.get_by_label("Your e-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    camera.shoot(page, "signup")
    started = time.perf_counter()
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url(site.workspace(subdomain), wait_until="load")
    elapsed = time.perf_counter() - started
    camera.shoot(page, "workspace")
    return elapsed


def test_sign_up_work_log_out_log_in_invite_and_accept(site, browser, camera, capsys):
    owner_email, member_email = "owner@example.com", "member@example.com"
    subdomain = unique("brw")
    page = browser.new_page()

    elapsed = sign_up(page, site, camera, subdomain, owner_email)
    with capsys.disabled():
        print(f"sign-up form submitted -> workspace page shown: {elapsed:.2f} s")

    assert page.get_by_text(f"Welcome to {subdomain.title()}!").is_visible()
    assert page.get_by_text(owner_email).is_visible()  # logged in, as the owner

    page.get_by_role("link", name="New project").click()
    camera.shoot(page, "new-project")
    page.get_by_label("Name").fill("Website relaunch")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(site.workspace(subdomain))
    camera.shoot(page, "project-created")
    assert page.get_by_text("Website relaunch").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    camera.shoot(page, "logged-out")
    page.goto(site.workspace(subdomain))
    assert "/accounts/login/" in page.url and page.get_by_text("Website relaunch").count() == 0
    camera.shoot(page, "anonymous-sent-to-log-in")

    page.get_by_label("Email").fill(owner_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site.workspace(subdomain))
    camera.shoot(page, "logged-in")
    assert page.get_by_text("Website relaunch").is_visible()

    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email").fill(member_email)
    camera.shoot(page, "members")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(site.workspace(subdomain, "/members/"))
    camera.shoot(page, "invited")
    assert page.get_by_text("Pending invitations").is_visible()
    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)

    member = browser.new_context().new_page()  # another person: no cookies of the owner's
    member.goto(link)
    camera.shoot(member, "invitation")
    member.get_by_label("New password:", exact=True).fill(PASSWORD)
    member.get_by_label("New password confirmation:", exact=True).fill(PASSWORD)
    member.get_by_role("button", name="Join the workspace").click()
    member.wait_for_url(site.workspace(subdomain))
    camera.shoot(member, "member-dashboard")
    assert member.get_by_text(member_email).is_visible()
    assert member.get_by_text("Website relaunch").is_visible()

    member.goto(site.workspace(subdomain, "/members/"))
    camera.shoot(member, "member-sees-members")
    assert member.get_by_text("Only owners can invite or remove members.").is_visible()
    assert member.get_by_role("button", name="Send invitation").count() == 0


def test_a_second_customer_cannot_reach_the_first_by_url_or_by_host(site, browser, camera):
    first, second = unique("first"), unique("second")
    first_page = browser.new_context().new_page()
    sign_up(first_page, site, camera, first, "a@example.com")
    first_page.get_by_role("link", name="New project").click()
    first_page.get_by_label("Name").fill("First's secret plan")
    first_page.get_by_role("button", name="Save").click()
    first_page.wait_for_url(site.workspace(first))
    secret_url = first_page.get_by_role("link", name="Edit").get_attribute("href")

    context = browser.new_context()
    page = context.new_page()
    sign_up(page, site, camera, second, "b@example.com")

    page.goto(site.workspace(second, secret_url))  # by URL
    camera.shoot(page, "other-project-by-url")
    assert page.get_by_text("First's secret plan").count() == 0
    assert "Not Found" in page.content()

    page.goto(site.workspace(first))  # by host
    camera.shoot(page, "other-workspace-by-host")
    assert "/accounts/login/" in page.url and "First's secret plan" not in page.content()

    session = next(c for c in context.cookies() if c["name"] == "sessionid")
    context.add_cookies([{**session, "domain": f"{first}.localhost"}])  # a stolen cookie
    page.goto(site.workspace(first))
    camera.shoot(page, "other-workspace-with-own-cookie")
    assert "/accounts/login/" in page.url and "First's secret plan" not in page.content()


def test_an_owner_downloads_all_the_workspace_data_from_the_emailed_link(
    site, browser, camera, settings, tmp_path
):
    settings.WORKSPACE_EXPORTS_DIR = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"
    subdomain = unique("exp")
    page = browser.new_page()
    sign_up(page, site, camera, subdomain, "owner@example.com")

    page.get_by_role("link", name="Settings").click()
    camera.shoot(page, "settings")
    page.get_by_role("button", name="Download all your data").click()
    page.wait_for_url(site.workspace(subdomain, "/settings/"))
    camera.shoot(page, "export-started")
    assert page.get_by_text("Your export has started").is_visible()
    link = re.search(r"http://\S+/settings/export/\S+/", mail.outbox[-1].body).group(0)
    with page.expect_download() as download:
        page.evaluate("url => { window.location.href = url; }", link)
    archive = download.value
    assert archive.suggested_filename.startswith(f"{subdomain}-")
    assert archive.suggested_filename.endswith(".tar.gz")

    stranger = browser.new_context().new_page()  # not logged in to this workspace
    stranger.goto(link)
    camera.shoot(stranger, "link-without-login")
    assert "/accounts/login/" in stranger.url


@pytest.fixture
def console_case(site):
    """A workspace on <name>.localhost and a www operator, made before the browser starts;
    removed afterwards with the records of what the test did (the workspace by ``site``)."""
    name = unique("ops")
    tenant = Client.objects.create(schema_name=name, name=name.title())
    Domain.objects.create(tenant=tenant, domain=f"{name}.localhost", is_primary=True)
    with StaticSchema("www"):
        operator = OperatorFactory(
            email=f"{name}@example.com", permissions=["open_support_session"]
        )
    yield name, operator.email
    OperatorAction.objects.filter(schema_name=name).delete()
    with StaticSchema("www"):
        operator.delete()


@pytest.fixture
def support_case(console_case):
    """console_case's workspace with an owner, whose session an operator opens."""
    name, operator_email = console_case
    with Client.objects.get(schema_name=name):
        UserFactory(email="owner@example.com", role="owner")
    return name, operator_email


def act(page: Page, camera: Camera, action: str, label: str, reason: str) -> None:
    page.locator(f"#id_{action}-reason").fill(reason)
    camera.shoot(page, f"console-{action}")
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def test_the_console_suspends_a_workspace_whose_page_answers_403_then_resumes_it(
    site, console_case, browser, camera
):
    name, operator_email = console_case
    page = browser.new_page()
    assert page.goto(site.workspace(name)).status == 200  # its log-in page

    page.goto(site.www("/console/"))  # to the operator log-in first
    page.locator("#id_username").fill(operator_email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site.www("/console/"))
    page.get_by_role("searchbox").fill(name)
    page.get_by_role("button", name="Filter").click()
    camera.shoot(page, "console-list")
    page.get_by_role("link", name=name.title()).click()
    page.wait_for_url(site.www(f"/console/{name}/"))

    act(page, camera, "suspend", "Suspend", "Unpaid since May")
    assert page.get_by_text("Suspend: done").is_visible()
    suspended = page.goto(site.workspace(name, "/accounts/login/"))
    camera.shoot(page, "workspace-suspended")
    assert suspended.status == 403
    assert "suspended" in page.content() and "Password" not in page.content()

    page.goto(site.www(f"/console/{name}/"))
    act(page, camera, "resume", "Resume", "Paid")
    resumed = page.goto(site.workspace(name, "/accounts/login/"))
    camera.shoot(page, "workspace-resumed")
    assert resumed.status == 200 and page.get_by_label("Password").is_visible()
    page.goto(site.www(f"/console/{name}/"))
    assert page.get_by_text("Unpaid since May").is_visible()


# >>> include_api
def call_api(
    site: Site, subdomain: str, key: str, method: str, data: dict | None = None
) -> tuple[int, dict]:
    """``/api/v1/projects/`` of the workspace on the live server, as a script would call it."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{site.port}/api/v1/projects/",
        method=method,
        data=json.dumps(data).encode() if data is not None else None,
        headers={
            "Host": f"{subdomain}.localhost:{site.port}",
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_owner_makes_an_api_key_shown_once_uses_it_and_reads_the_api_docs(site, browser, camera):
    subdomain = unique("api")
    page = browser.new_page()
    sign_up(page, site, camera, subdomain, "owner@example.com")

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Name:", exact=True).fill("CI")
    page.get_by_label("Scope").select_option("read")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-api-key").inner_text()
    camera.shoot(page, "key-shown-once")

    read = call_api(site, subdomain, key, "GET")  # a script: no session cookie, the key alone
    write = call_api(site, subdomain, key, "POST", {"name": "From a script"})
    assert read == (200, {"count": 0, "next": None, "previous": None, "results": []})
    assert write[0] == 403 and write[1]["error"]["code"] == "read_only_key"

    page.goto(site.workspace(subdomain, "/settings/"))
    camera.shoot(page, "key-listed")
    assert key not in page.content() and page.get_by_text(key.rsplit(".", 1)[0]).first.is_visible()
    usage = page.get_by_role("row").filter(has_text="CI")  # the read and the refused write
    assert usage.get_by_role("cell").last.inner_text() == "2"

    docs = page.goto(site.workspace(subdomain, "/api/v1/docs/"))
    assert "default-src 'self'" in docs.headers["content-security-policy"]
    page.get_by_role("button", name="GET /api/v1/projects/").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    camera.shoot(page, "api-docs")
    assert status.inner_text() == "200"  # the member's session, from the docs page


# <<< include_api
def test_an_owner_sets_up_an_authenticator_app_then_logs_in_with_its_code_and_a_passkey(
    site, browser, camera, settings
):
    """Two-factor in Chromium, under the strict CSP: the authenticator app (codes computed by
    pyotp, as a phone would), then a passkey on Chromium's virtual authenticator (the DevTools
    WebAuthn domain) to log in without a password."""
    settings.MFA_TOTP_TOLERANCE = 1  # the log-in uses the next step's code, not the used one
    subdomain = unique("mfa")
    page = browser.new_page()
    sign_up(page, site, camera, subdomain, "owner@example.com")

    page.get_by_role("link", name="Two-factor").click()
    camera.shoot(page, "two-factor")
    page.get_by_role("link", name="Activate").click()
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks again before any change
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(site.workspace(subdomain, "/accounts/2fa/totp/activate/"))
    camera.shoot(page, "activate-totp")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(site.workspace(subdomain, "/accounts/2fa/recovery-codes/"))
    camera.shoot(page, "recovery-codes")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.get_by_label("Email").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site.workspace(subdomain, "/accounts/2fa/authenticate/"))
    camera.shoot(page, "asks-for-code")
    page.locator("input[name=code]").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(site.workspace(subdomain))
    camera.shoot(page, "logged-in-with-code")

    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.goto(site.workspace(subdomain, "/accounts/2fa/webauthn/add/"))
    assert "/accounts/reauthenticate/" in page.url  # a log-in is no re-authentication
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(site.workspace(subdomain, "/accounts/2fa/webauthn/add/"))
    page.get_by_label("Name").fill("Laptop")
    page.get_by_label("Passwordless").check()
    camera.shoot(page, "add-passkey")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(site.workspace(subdomain, "/accounts/2fa/"))
    camera.shoot(page, "passkey-added")
    assert page.get_by_text("You have added 1 security key.").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(site.workspace(subdomain))
    camera.shoot(page, "logged-in-with-passkey")
    assert page.get_by_role("link", name="owner@example.com").is_visible()

    page.goto(site.workspace(subdomain, "/settings/audit/"))  # each change, in the audit log
    camera.shoot(page, "audit-log-of-two-factor")
    for what in ("Two-factor added · kind: totp", "Passkey added · kind: webauthn", "Logged out"):
        assert page.get_by_role("cell", name=what).first.is_visible()


# >>> include_billing
@pytest.fixture
def stripe_prices(committed_db, fake_stripe):
    """Billing on, against the local Stripe server, the paid plans priced (committed: set up
    before the browser starts, undone after it closed)."""
    price_plans()
    yield fake_stripe
    Plan.objects.update(stripe_monthly_price_id="", stripe_yearly_price_id="")
    StripeEvent.objects.all().delete()


@pytest.mark.billing
def test_an_owner_upgrades_through_checkout_and_the_billing_page_shows_the_paid_plan(
    stripe_prices: FakeStripe, site, browser, camera, live_server_url
):
    subdomain = unique("pay")
    page = browser.new_page()
    sign_up(page, site, camera, subdomain, "owner@example.com")
    page.goto(site.workspace(subdomain, "/billing/"))
    camera.shoot(page, "billing-on-trial")
    assert "Trial" in page.locator(".badge").first.inner_text()

    offer = page.get_by_role("listitem").filter(has_text="Business")
    offer.get_by_label("Billed").select_option("year")
    offer.get_by_role("button", name="Upgrade").click()
    page.wait_for_url(f"{stripe_prices.url}/checkout/*")
    session_id = page.url.rsplit("/", 1)[1]
    camera.shoot(page, "stripe-checkout")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(site.workspace(subdomain, "/billing/?checkout=done"))
    camera.shoot(page, "back-from-checkout")
    assert page.get_by_text("Your plan changes as soon as Stripe confirms it.").is_visible()

    session = stripe_prices.state()["objects"][session_id]  # completed, with its subscription
    assert session["status"] == "complete" and session["subscription"]
    assert send(live_server_url, "checkout.session.completed", session) == (
        200,
        {"outcome": "handled"},
    )

    page.goto(site.workspace(subdomain, "/billing/"))
    camera.shoot(page, "billing-paid")
    summary = page.locator(".card").first.inner_text()
    assert "Plan: Business" in summary and "Paying" in summary
    assert "Your trial ends" not in summary
    (checkout,) = stripe_prices.calls("/v1/checkout/sessions")
    assert checkout["params"]["line_items[0][price]"] == "price_business_year"


# <<< include_billing
def test_an_operator_opens_a_support_session_with_its_banner_and_the_owner_sees_it(
    site, support_case, browser, camera
):
    name, operator_email = support_case
    reason = "Ticket 4711: projects missing"
    page = browser.new_page()
    page.goto(site.www("/console/"))  # to the operator log-in first
    page.locator("#id_username").fill(operator_email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site.www("/console/"))
    page.goto(site.www(f"/console/{name}/"))
    page.get_by_label("Act as the member").fill("owner@example.com")
    page.locator("#id_support-reason").fill(reason)
    camera.shoot(page, "console-support")
    page.get_by_role("button", name="Open a support session").click()
    page.wait_for_url(site.workspace(name))
    camera.shoot(page, "support-session")
    banner = page.get_by_role("status")
    assert f"Support session: {operator_email} is acting as owner@example.com" in (
        banner.inner_text()
    )

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Audit log").click()
    camera.shoot(page, "audit-log")
    assert page.get_by_role("cell", name=f"Support: {operator_email}").is_visible()
    assert page.get_by_role("cell", name=reason).is_visible()
    page.goto(site.www(f"/console/{name}/"))
    assert page.get_by_role("cell", name="support_access").is_visible()


@pytest.fixture
def sso_case(site, tmp_path):
    """A workspace on <name>.localhost whose single sign-on is the test identity provider (a
    separate process, tests/identity_provider), joined from example.com; made before the browser
    starts. Yields the workspace's name and the provider's issuer URL."""
    name = unique("sso")
    tenant = Client.objects.create(schema_name=name, name=name.title())
    Domain.objects.create(tenant=tenant, domain=f"{name}.localhost", is_primary=True)
    callback = site.workspace(name, "/accounts/oidc/sso/login/callback/")
    config = {
        "clients": {"sso-client": {"secret": "sso-secret", "redirect_uris": [callback]}},
        "users": {"newcomer@example.com": {"email_verified": True}},
    }
    with oidc_provider(config, tmp_path) as issuer:
        with tenant:
            UserFactory(email="owner@example.com", role="owner")
            SocialApp.objects.create(
                provider="openid_connect",
                provider_id="sso",
                name="Initech",
                client_id="sso-client",
                secret="sso-secret",
                settings={"server_url": issuer, "oauth_pkce_enabled": True},
            )
            WorkspaceSecurity.objects.create(pk=1, sso_domains="example.com")
        yield name, issuer


def test_a_newcomer_continues_with_the_company_s_provider_and_joins_the_workspace(
    site, sso_case, browser, camera
):
    name, issuer = sso_case
    context = browser.new_context()
    # The person is logged in at the identity provider (its session cookie there).
    context.add_cookies([{"name": "idp_user", "value": "newcomer@example.com", "url": issuer}])
    page = context.new_page()
    page.goto(site.workspace(name, "/accounts/login/"))
    camera.shoot(page, "login-with-sso")
    page.get_by_role("button", name="Continue with Initech").click()
    page.wait_for_url(site.workspace(name))
    camera.shoot(page, "logged-in-through-sso")
    assert page.get_by_role("link", name="newcomer@example.com").is_visible()

    page.goto(site.workspace(name, "/members/"))
    camera.shoot(page, "member-by-sso")
    newcomer = page.get_by_role("listitem").filter(has_text="newcomer@example.com")
    assert newcomer.get_by_text("Member", exact=True).is_visible()


@pytest.mark.skipif(not DNSMASQ, reason="no dnsmasq: apt-get install dnsmasq")
def test_an_owner_serves_the_workspace_at_a_custom_domain_verified_with_check_now(
    site, browser, camera, dns_server: DnsServer, settings
):
    subdomain = unique("dom")
    custom = f"projects.{subdomain}.test"
    page = browser.new_page()
    sign_up(page, site, camera, subdomain, "owner@example.com")

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Custom domains").click()
    page.get_by_label("Your domain").fill(custom)
    page.get_by_role("button", name="Add the domain").click()
    camera.shoot(page, "records-to-publish")
    txt_name = f"{settings.CUSTOM_DOMAIN_TXT_PREFIX}.{custom}"
    assert page.get_by_text(txt_name).is_visible()
    assert page.get_by_text(settings.CUSTOM_DOMAIN_TARGET).is_visible()
    token = page.locator("code.token").inner_text()

    dns_server.set_txt({txt_name: [token]})  # the owner publishes the record
    page.get_by_role("button", name="Check now").click()
    camera.shoot(page, "verified")
    assert page.get_by_text(f"{custom} is verified.").is_visible()

    page.goto(f"http://{custom}:{site.port}/")  # no session here yet: cookies are per host
    page.get_by_label("Email").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"http://{custom}:{site.port}/")
    camera.shoot(page, "served-at-custom-domain")
    assert subdomain.title() in page.content()
    # Plain HTTP at a host other than localhost is no "potentially trustworthy" origin, so
    # Chromium ignores the Cross-Origin-Opener-Policy header there and says so; in production
    # the custom domain is served over HTTPS (docs/domains.md).
    browser.messages[:] = [
        (where, what)
        for where, what in browser.messages
        if not (custom in where and "Cross-Origin-Opener-Policy header has been ignored" in what)
    ]
