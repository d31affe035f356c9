"""Security headers on every Flask response.

The Content-Security-Policy allows no inline script at all. The one inline
style block (the site's colours) is allowed by its hash rather than a nonce,
so pages stay cacheable.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from flask import Flask, g, request
from werkzeug.wrappers import Response

BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "img-src": "'self' https: data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


@lru_cache(maxsize=1024)
def style_hash(css: str) -> str:
    digest = hashlib.sha256(css.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def allow_inline_style(css: str) -> str:
    """Register an inline ``<style>`` block for this response's CSP; returns ``css``."""
    g.setdefault("csp_style_hashes", set()).add(style_hash(css))
    return css


def content_security_policy() -> str:
    return _policy_with_styles(frozenset(g.get("csp_style_hashes", ())))


@lru_cache(maxsize=1024)
def _policy_with_styles(style_hashes: frozenset[str]) -> str:
    # a few distinct values (one theme per site): built once each
    policy = dict(BASE_POLICY)
    policy["style-src"] = " ".join(["'self'", *sorted(style_hashes)])
    return "; ".join(f"{k} {v}" for k, v in policy.items())


#: sent with every Flask response (a view may set its own instead)
FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def set_headers(response: Response) -> Response:
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}  # one pass, not one per header
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", content_security_policy())
    headers.extend([(name, value) for name, value in FIXED_HEADERS if name.lower() not in present])
    if request.is_secure and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def static_headers(headers, path: str, url: str) -> None:
    """WhiteNoise's hook: the same basic protections for static files."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"


def init_app(app: Flask) -> None:
    app.after_request(set_headers)
    app.jinja_env.globals["allow_inline_style"] = allow_inline_style
