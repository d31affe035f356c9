"""Host names as sites claim them: one normal form, and the development suffix.

In development ``<slug>.localhost`` serves the site ``<slug>`` (browsers
resolve ``*.localhost`` to loopback), so no DNS or hosts-file edits are needed.
"""

from __future__ import annotations

LOCAL_SUFFIX = ".localhost"


def normalise_host(host: str) -> str:
    """Lower-case host name without port or trailing dot (IPv6 literals kept whole)."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")
