# Copy to instance/config.py and adjust. Environment variables prefixed
# CLINICJOURNAL_ override anything set here.

# SQLAlchemy database URL. Default: SQLite file in this folder.
# A SQLite file (and its -wal/-shm files) is created readable by its owner only
# (0600), as are backups; an existing one that every user could read is made
# 0600 at start (logged), one shared with a group only (e.g. 0640) is left alone.
# DATABASE_URL = "postgresql+psycopg://journal@db.internal/journal"

# Signs session cookies. Default: generated into instance/secret_key on first run.
# Every server of one deployment must share the same value.
# SECRET_KEY = "..."

# A folder of extra plugins (each a package or module).
# PLUGINS_FOLDER = "/srv/clinicjournal/plugins"

# Plugins switched off everywhere, whatever the sites say.
# DISABLED_PLUGINS = ["evidence"]

# The site to serve for a host name no site claims (default: a 404 page).
# DEFAULT_SITE = "harbourview"

# <slug>.localhost (and anything.<slug>.localhost) reaches the site <slug>: for
# development only, so off by default; `clinicjournal run` and `clinicjournal demo`
# turn it on. Production answers only the host names sites claim.
# LOCALHOST_SITES = False

# The "no site here" page for an unknown host name tells the reader the command
# that connects the host to a site: for development only, so off by default;
# `clinicjournal run`, `clinicjournal demo` and debug mode turn it on. (Not
# decided by the client address: behind a reverse proxy every request comes
# from 127.0.0.1.)
# OPERATOR_HINTS = False

# Articles per page on the journal index and category pages.
# PER_PAGE = 10

# Where the hashed, pre-compressed static files are built at start
# (default: instance/static-build). Each host builds its own.
# STATIC_BUILD_DIR = "/srv/clinicjournal/static-build"

# Refuse to serve a database behind (or ahead of) the code's migrations.
# CHECK_SCHEMA = True

# The largest request body accepted, in bytes. A larger one is answered with a
# 413 page before it is read (an article upload's page says how large a file
# may be). Keep it well above ADMIN_UPLOAD_MAX_BYTES: the article editor sends
# its form URL-encoded, up to three bytes per byte of text. Multipart forms
# (the upload) also have Flask's MAX_FORM_MEMORY_SIZE (500 kB for each field
# that is not a file) and MAX_FORM_PARTS (1000).
# MAX_CONTENT_LENGTH = 4_000_000

# -- Caching (docs/deploy.md) ---------------------------------------------------

# "simple": rendered pages in each worker's memory (one host);
# "redis": shared by every worker on every host; "null": no page cache.
# CACHE_TYPE = "simple"
# CACHE_REDIS_URL = "redis://127.0.0.1:6379/0"
# CACHE_KEY_PREFIX = "clinicjournal:"

# Seconds a rendered page is kept at most (any saved change, and a scheduled
# article's moment, retire cached pages at once).
# CACHE_TTL = 300

# "simple" only: megabytes of pages each worker keeps, least recently used out first.
# CACHE_MAX_MB = 16

# What browsers and CDNs are told (Cache-Control), in seconds.
# CACHE_MAX_AGE = 0  # browsers revalidate every view (a cheap 304)
# CACHE_S_MAXAGE = 300
# CACHE_STALE_WHILE_REVALIDATE = 60

# Remember rendered article parts and site chrome in each worker (keyed by
# everything they show, so never stale). False renders everything per request.
# RENDER_MEMO = True

# -- Administration (docs/admins.md) --------------------------------------------

# Languages the admin is offered in (chosen from the browser's Accept-Language).
# UI_LOCALES = ["en", "de", "es", "fr", "ar"]

# Number of trusted reverse proxies in front of the app (their X-Forwarded-For
# and X-Forwarded-Proto are believed). 0 trusts no such header.
# PROXY_FIX = 0

# Sign-in throttle: failures allowed per window, and how long a lock lasts.
# LOGIN_MAX_FAILURES = 5
# LOGIN_WINDOW_MINUTES = 15
# LOGIN_LOCK_MINUTES = 15

# How long a sign-in lasts; rows per admin list page; largest upload.
# ADMIN_SESSION_HOURS = 12
# ADMIN_PER_PAGE = 50
# ADMIN_UPLOAD_MAX_BYTES = 1_000_000

# Argon2id parameters for password hashes (argon2-cffi's PasswordHasher
# arguments); hashes are upgraded at the next sign-in when these change.
# ARGON2_PARAMETERS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}

# Log every plugin hook call with its timing (also CLINICJOURNAL_TRACE_PLUGINS=1).
# TRACE_PLUGINS = False

# E-mail to staff (docs/deploy.md, "E-mail"). "eml" writes each message as a
# .eml file into MAIL_FILE_PATH (instance/mail/); "smtp" sends it.
# MAIL_BACKEND = "smtp"
# MAIL_SERVER = "smtp.example.org"
# MAIL_PORT = 587
# MAIL_USE_TLS = True          # STARTTLS; or MAIL_USE_SSL = True for port 465
# MAIL_USERNAME = "journal@clinic.example"
# MAIL_PASSWORD = "..."
# MAIL_DEFAULT_SENDER = "Clinic Journal <journal@clinic.example>"
# MAIL_BASE_URL = "https://journal.clinic.example"   # links in mail from the CLI and cron
# INVITATION_DAYS = 7
# PASSWORD_RESET_MINUTES = 60
# PASSWORD_RESET_MAX_PER_ACCOUNT = 3      # mails per address per window (then silently none)
# PASSWORD_RESET_MAX_PER_ADDRESS = 20     # requests per client address per window (then 429)
# PASSWORD_RESET_WINDOW_MINUTES = 60
# REVIEW_REMINDER_DAYS = 14               # reviewers hear of a review this long before it is due
