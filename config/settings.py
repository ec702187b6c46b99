"""Settings, read from the environment.

Deployers configure the platform through environment variables (see the table in README.md);
operators configure programmes in the database. Three environments:

- ``development`` (default): SQLite under ``SEOULLEARN_DATA_DIR``, generated local secrets,
  console e-mail, debug pages.
- ``test``: as development, with fast password hashing; chosen by pytest.
- ``production``: ``SECRET_KEY``, ``FIELD_ENCRYPTION_KEYS`` and ``ALLOWED_HOSTS`` are required,
  HTTPS-only cookies and HSTS.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


_RUNNING_TESTS = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
SEOULLEARN_ENV = env("SEOULLEARN_ENV", "test" if _RUNNING_TESTS else "development")
if SEOULLEARN_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("SEOULLEARN_ENV must be development, test or production")
PRODUCTION = SEOULLEARN_ENV == "production"

DATA_DIR = Path(env("SEOULLEARN_DATA_DIR", str(BASE_DIR / "var")) or "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _local_secrets() -> dict[str, str]:
    """Development secrets generated once per data directory (never used in production)."""
    path = DATA_DIR / "dev-secrets.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
    else:
        data = {}
    changed = False
    if "SECRET_KEY" not in data:
        data["SECRET_KEY"] = secrets.token_urlsafe(50)
        changed = True
    if "FIELD_ENCRYPTION_KEYS" not in data:
        data["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
        changed = True
    if changed:
        path.write_text(json.dumps(data, indent=2))
        path.chmod(0o600)
    return data


if PRODUCTION:
    _missing = [
        name for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ALLOWED_HOSTS") if not env(name)
    ]
    if _missing:
        raise ImproperlyConfigured(
            "Production settings need these environment variables: " + ", ".join(_missing)
        )
    _secrets: dict[str, str] = {}
else:
    _secrets = _local_secrets()

SECRET_KEY: str = env("SECRET_KEY") or _secrets["SECRET_KEY"]
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: prepend a new key,
# run `manage.py rotate_field_keys`, then drop the old key).
FIELD_ENCRYPTION_KEYS: list[str] = env_list("FIELD_ENCRYPTION_KEYS") or [
    _secrets["FIELD_ENCRYPTION_KEYS"]
]
# Key for blind indexes (HMAC-SHA256). Defaults to one derived from SECRET_KEY.
BLIND_INDEX_KEY: str = env("BLIND_INDEX_KEY") or ("blind-index:" + SECRET_KEY)

DEBUG = env_bool("DEBUG", SEOULLEARN_ENV == "development")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000") or ""

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth so that the account app's templates restyle allauth's pages.
    "seoullearn.core",
    "seoullearn.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_htmx",
    "ninja",  # serves the API docs (Swagger UI) from local static files, not a CDN
    "simple_history",
    "oauth2_provider",
    "django_tasks",
    "django_tasks_db",
    "seoullearn.programmes",
    "seoullearn.eligibility",
    "seoullearn.catalog",
    "seoullearn.lrs",
    "seoullearn.enrollment",
    "seoullearn.mentoring",
    "seoullearn.activities",
    "seoullearn.learning",
    "seoullearn.insights",
    "seoullearn.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "seoullearn.accounts.middleware.StaffMfaRequiredMiddleware",
    "seoullearn.core.middleware.DomainErrorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "seoullearn.core.context_processors.platform",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "seoullearn.sqlite3"
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{SQLITE_PATH}") or ""
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock
        # at BEGIN so that concurrent writers queue instead of failing on lock upgrade.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-seoullearn.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "seoullearn",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "core_cache",
        }
    }

# --- background tasks (DEP 14) ---------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "provisioning", "matching", "analytics", "lrs"],
    }
}
# A task running longer than this without finishing is considered abandoned by a dead worker
# and put back in the queue by the sweeper.
TASK_STUCK_AFTER_SECONDS = int(env("TASK_STUCK_AFTER_SECONDS", "900") or 900)

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if SEOULLEARN_ENV == "test" and not env_bool("TEST_REAL_HASHER"):
    # Tests create thousands of users; the production hasher is asserted in its own test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_FORMS = {"signup": "seoullearn.accounts.forms.SignupForm"}
ACCOUNT_ADAPTER = "seoullearn.accounts.adapter.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Seoul Learn"
# Accept the code of the neighbouring 30-second step too (RFC 6238 §5.2 allows one step of
# transmission delay): a code typed as the step turns over would otherwise be refused.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
MFA_ADAPTER = "seoullearn.accounts.adapter.MFAAdapter"

AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = 0.25  # hours (15 minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- OAuth2 (machine clients) ---------------------------------------------------------------
# Named explicitly so that migrations of apps pointing at the (swappable) models resolve.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES": {
        "provider": "Provider integration API",
        "statements/write": "xAPI: write statements",
        "statements/read": "xAPI: read statements",
        "statements/read/mine": "xAPI: read own statements",
        "state": "xAPI: state resources",
        "profile": "xAPI: activity and agent profile resources",
        "define": "xAPI: define activities",
        "all/read": "xAPI: read everything",
        "all": "xAPI: everything",
    },
    "DEFAULT_SCOPES": ["provider"],
    "PKCE_REQUIRED": True,
    # RFC 9700 (OAuth 2.0 Security Best Current Practice): the compliant behaviour everywhere.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # Plain http redirect URIs only outside production (local sandbox providers).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],
}

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "private"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded evidence never gets a public URL: files are encrypted at rest and served only
# through views that check permission and write the access log.
MEDIA_ROOT = DATA_DIR / "private"
EVIDENCE_MAX_BYTES = int(env("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)) or 0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- e-mail and SMS -------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25") or 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "서울런 <no-reply@seoullearn.example>")
# Where guardian invitations and reminders go: "console" prints, "sms_sandbox" stores
# messages in the database (an SMS gateway stand-in for development), "email" mails.
NOTIFICATION_CHANNELS = env_list("NOTIFICATION_CHANNELS", ["console", "sms_sandbox", "email"])
# Channel for guardian invitations: a built-in channel above, or the dotted path of a class with
# ``send(*, recipient, subject, body, purpose)`` (a real SMS gateway; see accounts/channels.py).
GUARDIAN_INVITE_CHANNEL = env("GUARDIAN_INVITE_CHANNEL", "sms_sandbox") or "sms_sandbox"

# --- security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000") or 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- platform -------------------------------------------------------------------------------
# Programme defaults used when seeding; everything operators change lives in the database.
DEFAULT_JURISDICTION = env("DEFAULT_JURISDICTION", "seoul")
ACCESS_LOG_RETENTION_DAYS = int(env("ACCESS_LOG_RETENTION_DAYS", str(2 * 365)) or 730)
SANDBOX_PROVIDER_URL = env("SANDBOX_PROVIDER_URL", "http://127.0.0.1:8100") or ""
# Master secret of the bundled sandbox provider (per-provider secrets are derived from it);
# development and tests only.
SANDBOX_PROVIDER_SECRET = env("SANDBOX_PROVIDER_SECRET", "sandbox-provider-dev-secret") or ""
# Single sign-on signing key: a PEM file in production (rotated by replacing the file and
# setting SSO_KEY_ID); otherwise generated on first use and stored encrypted in the database.
SSO_PRIVATE_KEY_PATH = env("SSO_PRIVATE_KEY_PATH", "") or ""
SSO_KEY_ID = env("SSO_KEY_ID", "") or ""
SSO_TOKEN_TTL_SECONDS = int(env("SSO_TOKEN_TTL_SECONDS", "120") or 120)
# Provisioning retries: exponential backoff from the base to the cap, then "failed".
PROVISIONING_RETRY_BASE_SECONDS = int(env("PROVISIONING_RETRY_BASE_SECONDS", "15") or 15)
PROVISIONING_RETRY_MAX_SECONDS = int(env("PROVISIONING_RETRY_MAX_SECONDS", "3600") or 3600)
PROVISIONING_MAX_ATTEMPTS = int(env("PROVISIONING_MAX_ATTEMPTS", "12") or 12)

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
