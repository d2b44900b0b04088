"""Settings of the portal, all read from the environment (see README, « Configuration »)."""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

from portal.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

# Demo mode (`make demo` sets PORTAL_DEMO=1): the only mode where the demo data and its accounts,
# whose password is public, may be loaded and used. It serves like production (DEBUG off, the
# portal's own error pages) but over plain HTTP on this machine. Production refuses it: `check
# --deploy` fails while it is on, and with it off a demo account can neither exist (system check)
# nor log in (portal.accounts.backends).
DEMO_MODE = env_bool("PORTAL_DEMO", default=False)
# Local modes (development or demo) run over plain HTTP on this machine, with a throwaway key.
LOCAL_MODE = DEBUG or DEMO_MODE

# A development key is only acceptable locally; production must provide its own.
SECRET_KEY = env_str("SECRET_KEY") or (
    "django-insecure-dev-only-key-never-use-in-production" if LOCAL_MODE else env_required("SECRET_KEY")
)

# Benchmark only (benchmarks/scale.py): adds two reference pages, /sante/auth/ (a bare signed-in
# view) and /sante/gabarit/ (the base template alone). Never on in production.
BENCHMARK = env_bool("BENCHMARK", default=False)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if LOCAL_MODE else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "portal.core",
    "portal.accounts",
    "portal.referentiels",
    "portal.audit",
    "portal.echeances",
    "portal.documents",
    "aap",
    "label",
    "accompagnement",
    "financement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.IdleTimeoutMiddleware",
    "portal.accounts.twofactor.TwoFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "portal.audit.middleware.AuditRequestMiddleware",
    "portal.accounts.middleware.ScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the French lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.accounts.context_processors.scope",
                "portal.echeances.context_processors.notifications",
            ],
            "builtins": ["portal.core.templatetags.formats"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Default: a SQLite file in the repository (ignored by git) so that `make demo` needs nothing.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Planner settings of each connection (BENCHMARKS.md). A Département's data fits in memory:
# an index probe costs about as much as a sequential read (random_page_cost 1.1, the usual
# value for SSD or cached data, instead of 4 for spinning disks: a structure's caseload count
# probed 1 300 people instead of scanning all 52 700, 10.7 → 2.8 ms); JIT compilation costs
# more than it saves on the portal's short queries (2.5 s of 2.7 s on the indicators).
# DATABASE_PG_OPTIONS="" keeps the server's own settings.
_pg_options = env_str("DATABASE_PG_OPTIONS", "-c random_page_cost=1.1 -c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _pg_options:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = _pg_options
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# The model backend, refusing the demo accounts outside demo mode (even with a silenced check).
# django-axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = ["portal.accounts.backends.LockoutBackend", "portal.accounts.backends.PortalBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploaded and generated files are private: never served by a public URL, only through views
# that check the user's scope.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Locally (development or demo, without collectstatic) WhiteNoise serves the files straight from
# static/ and the apps; in production from STATIC_ROOT, filled by `collectstatic`.
WHITENOISE_USE_FINDERS = LOCAL_MODE
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Size limit per kind of upload (portal.core.uploads): supporting documents (training
# certificates, quality charters).
UPLOAD_MAX_BYTES = {"piece": env_int("UPLOAD_MAX_PIECE_BYTES", 5 * 1024 * 1024)}
# Optional antivirus: uploads are scanned by clamd before being stored (Unix socket or host:port).
CLAMD_SOCKET = env_str("CLAMD_SOCKET", "")
CLAMD_HOST = env_str("CLAMD_HOST", "")
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
# Console by default (the demo prints e-mails in the terminal, decoded: portal.core.mail); SMTP
# in production.
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "portal.core.mail.ReadableConsoleBackend")
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
    "timeout": env_int("EMAIL_TIMEOUT", 30),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
# Links in e-mails point here (no request to build them from in a Celery task). `make demo` sets
# it to the address it serves (http://HOST:PORT).
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Portail RSA – Pas-de-Calais <ne-pas-repondre@pasdecalais.fr>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Security -------------------------------------------------------------------------------
# Strict by default; the local modes over plain HTTP relax only what HTTP cannot carry.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not LOCAL_MODE)
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]  # the container health check speaks plain HTTP inside the stack
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if LOCAL_MODE else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not LOCAL_MODE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not LOCAL_MODE)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day
# A session left idle this long ends (portal.accounts.middleware.IdleTimeoutMiddleware).
PORTAL_IDLE_TIMEOUT_MINUTES = env_int("PORTAL_IDLE_TIMEOUT_MINUTES", 30)

# Two-factor authentication (TOTP + recovery codes, django-otp): every role reads beneficiary
# data or decides, so every account needs it; only demo mode switches it off (its accounts have a
# public password anyway). `check --deploy` fails if it is off outside demo mode (portal.E003).
PORTAL_2FA_REQUIRED = env_bool("PORTAL_2FA_REQUIRED", default=not DEMO_MODE)
OTP_TOTP_ISSUER = "Portail RSA 62"
OTP_STATIC_THROTTLE_FACTOR = 1
PORTAL_RECOVERY_CODES = 10

# Lock-out (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account, its login is
# refused for AXES_COOLOFF_TIME (portal login and /admin/ login alike), with a French message.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Per account, not per IP address: the Département's offices share a few public addresses, and
# one agent's typos must not lock out their colleagues (axes.W006 says so, hence silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
# models.W040: the covering indexes (INCLUDE) are for PostgreSQL, the production database; SQLite,
# for development and tests, builds them without their non-key columns, which is fine there.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "portal.accounts.views.axes_username"
AXES_RESET_ON_SUCCESS = True
# The announced wait is the real one: tries during the lock-out do not restart it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.locked_out"
AXES_VERBOSE = False
if env_bool("BEHIND_TLS_PROXY", default=False):
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Password reset: at most this many e-mails per address and per IP address and hour, whatever the
# answer shows (always the same page, after at least PASSWORD_RESET_MIN_SECONDS).
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3)
PASSWORD_RESET_LIMIT_PER_IP = env_int("PASSWORD_RESET_LIMIT_PER_IP", 10)
PASSWORD_RESET_MIN_SECONDS = 0.6

# Counters (password reset): Redis when CACHE_URL is set (several web processes share them),
# otherwise the process's memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("CACHE_URL")}
    if env_str("CACHE_URL", "")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"

# --- Celery ---------------------------------------------------------------------------------
# Without REDIS_URL tasks run eagerly in the web process, so the demo needs no broker.
REDIS_URL = env_str("REDIS_URL", "")
# A parallel test run (pytest-xdist, `make test` in CI) gives each worker process its own Redis
# database, so that a Celery worker started by one test process never takes a task queued by
# another one (whose objects live in another test database).
if REDIS_URL and (_xdist_worker := env_str("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    REDIS_URL = urlsplit(REDIS_URL)._replace(path=f"/{1 + int(_xdist_worker[2:]) % 15}").geturl()
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic tasks, in Paris time.
CELERY_BEAT_SCHEDULE = {
    "rappels-quotidiens": {
        "task": "portal.echeances.tasks.send_due_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "resumes-quotidiens": {
        "task": "portal.echeances.tasks.send_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    # Retention of the accompaniment's records: archive, then purge (weekly, Sunday night).
    "conservation-accompagnement": {
        "task": "accompagnement.tasks.retention_run",
        "schedule": crontab(hour=3, minute=0, day_of_week="sunday"),
    },
    # The indicators' closed months, computed before anyone opens the page (after the retention).
    "indicateurs-mois-clos": {
        "task": "accompagnement.tasks.indicateurs_precalcul",
        "schedule": crontab(hour=4, minute=0),
    },
}

# --- Accompaniment: retention of the beneficiaries' records ----------------------------------
# Months after the last exit: archived (the DPID's alone), then deleted.
ACCOMPAGNEMENT_ARCHIVAGE_MOIS = env_int("ACCOMPAGNEMENT_ARCHIVAGE_MOIS", 24)
ACCOMPAGNEMENT_PURGE_MOIS = env_int("ACCOMPAGNEMENT_PURGE_MOIS", 60)

# --- Funding: open data of subsidies (SCDL « subventions », décret n° 2017-779) ---------------
# Conventions and avenants whose amount exceeds this threshold (euros) are published.
FINANCEMENT_SEUIL_SUBVENTIONS = env_int("FINANCEMENT_SEUIL_SUBVENTIONS", 23000)
FINANCEMENT_NOM_ATTRIBUANT = env_str("FINANCEMENT_NOM_ATTRIBUANT", "Département du Pas-de-Calais")
# The Département's own SIRET (14 digits): no default, the export refuses to run without it.
FINANCEMENT_SIRET_DEPARTEMENT = env_str("FINANCEMENT_SIRET_DEPARTEMENT", "")

# --- Legal pages (portal.core.legal) ---------------------------------------------------------
PORTAL_DPO_EMAIL = env_str("PORTAL_DPO_EMAIL", "dpo@pasdecalais.fr")
PORTAL_DPO_ADDRESS = env_str(
    "PORTAL_DPO_ADDRESS",
    "Délégué à la protection des données, Département du Pas-de-Calais, Hôtel du Département, "
    "rue Ferdinand Buisson, 62018 Arras Cedex",
)
PORTAL_PUBLISHER = env_str("PORTAL_PUBLISHER", "Le Président du Conseil départemental du Pas-de-Calais")
PORTAL_HOST_INFO = env_str("PORTAL_HOST_INFO", "Département du Pas-de-Calais, Direction des systèmes d'information")
PORTAL_ACCESSIBILITY_EMAIL = env_str("PORTAL_ACCESSIBILITY_EMAIL", "accessibilite@pasdecalais.fr")

# --- Forms and UI ---------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports each layout step at INFO; only its warnings matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every successful login at INFO; failures and lock-outs are warnings.
        "axes": {"level": "WARNING"},
    },
}
