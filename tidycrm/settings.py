"""TidyCRM settings: everything that varies between deployments comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("TIDYCRM_ENV", "development")
PRODUCTION = ENV == "production"
DATA_DIR = Path(os.environ.get("TIDYCRM_DATA_DIR", BASE_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and collected static files


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(
            f"TIDYCRM_ENV=production needs these environment variables: {', '.join(missing)}"
        )
    SECRET_KEY = os.environ["SECRET_KEY"]
    DEBUG = False
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS")
else:
    SECRET_KEY = os.environ.get(
        "SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789"
    )
    DEBUG = os.environ.get("DEBUG", "1") == "1"
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "ninja",  # serves the API docs' own static files, so /api/v1/docs works offline
    "django_tasks_db",
    "tidycrm.core",
    "tidycrm.accounts",
    "tidycrm.audit",
    "tidycrm.customfields",
    "tidycrm.tags",
    "tidycrm.records",
    "tidycrm.companies",
    "tidycrm.contacts",
    "tidycrm.intake",
    "tidycrm.dedupe",
    "tidycrm.lists",
    "tidycrm.deals",
    "tidycrm.activities",
    "tidycrm.segments",
    "tidycrm.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tidycrm.core.middleware.RejectNulMiddleware",
]

ROOT_URLCONF = "tidycrm.urls"
WSGI_APPLICATION = "tidycrm.wsgi.application"
ASGI_APPLICATION = "tidycrm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tidycrm" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tidycrm.core.context_processors.navigation",
            ],
        },
    },
]

# SQLite in the data folder unless DATABASE_URL names another database.
_default_sqlite = f"sqlite:///{DATA_DIR / 'tidycrm.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory: live-server browser tests share the database across threads.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TIDYCRM_TEST_DB", str(DATA_DIR / "test-tidycrm.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "contacts:list"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "tidycrm" / "static"]  # the UI's stylesheet and vendored htmx
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TIDYCRM_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# The organisation's default region for phone numbers without a country code.
TIDYCRM_DEFAULT_REGION = os.environ.get("TIDYCRM_DEFAULT_REGION", "US")
# E-mail deliverability (a DNS look-up per address) is opt-in: syntax is always checked offline.
TIDYCRM_EMAIL_CHECK_DELIVERABILITY = os.environ.get("TIDYCRM_EMAIL_CHECK_DELIVERABILITY") == "1"

# Outgoing mail (notification e-mails, meeting invitations): SMTP when EMAIL_HOST is set, or
# the backend TIDYCRM_EMAIL_BACKEND names. Without either there is no default mailer: mail is
# off and notifications stay in the app (Django's old default, an SMTP server on localhost,
# would fail on most machines), so the check that warns of a missing default is silenced.
MAILERS: dict[str, dict[str, object]] = {}
if os.environ.get("TIDYCRM_EMAIL_BACKEND"):
    MAILERS["default"] = {"BACKEND": os.environ["TIDYCRM_EMAIL_BACKEND"]}
if os.environ.get("EMAIL_HOST"):
    _email_ssl = os.environ.get("EMAIL_USE_SSL") == "1"
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ["EMAIL_HOST"],
            "port": int(os.environ.get("EMAIL_PORT") or (465 if _email_ssl else 587)),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": not _email_ssl and os.environ.get("EMAIL_USE_TLS", "1") == "1",
            "use_ssl": _email_ssl,
            "timeout": 15,
        },
    }
SILENCED_SYSTEM_CHECKS = [] if MAILERS else ["mail.W001"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "TidyCRM <noreply@localhost>")
# Links in e-mails start with this (the address users reach TidyCRM at).
TIDYCRM_BASE_URL = os.environ.get("TIDYCRM_BASE_URL", "").rstrip("/")

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
