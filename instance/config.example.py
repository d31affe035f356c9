# Copy to instance/config.py and adjust. Environment variables prefixed
# CLINICJOURNAL_ override anything set here.

# SQLAlchemy database URL. Default: SQLite file in this folder.
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

# Articles per page on the journal index and category pages.
# PER_PAGE = 10
