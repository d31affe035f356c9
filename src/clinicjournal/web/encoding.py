"""Compressed reader pages: brotli and gzip, negotiated by ``Accept-Encoding``.

A cached page is compressed once, when it is stored, into every encoding
(:func:`variants`); a hit then only picks one (:func:`choose`), so a cached
page costs the same to serve compressed as plain. Each encoding is a
representation of its own for HTTP: its own ``Content-Length``, its own ETag
(``"<tag>-br"``: a cache that holds the gzip bytes must not answer a brotli
revalidation with a 304) and ``Vary: Accept-Encoding`` on all of them.

Only public reader pages are compressed (the ones mark_cacheable handles):
they carry no secret, so compression cannot leak one (BREACH needs a secret and
reflected input in the same compressed body; admin pages have CSRF tokens and
are never compressed here).
"""

from __future__ import annotations

import gzip
from typing import Iterable

import brotli
from werkzeug.http import parse_accept_header

#: below this, the encoded body plus its header costs about what it saves
MIN_SIZE = 860
#: brotli quality 5 and gzip level 6: a 22 KB page in about a millisecond each,
#: within a few percent of the best ratio (quality 11 would cost 30 times more on every miss)
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
#: in order of preference when the client accepts both equally
ENCODINGS = ("br", "gzip")
VARY = ("Vary", "Accept-Encoding")

# Clients send a handful of distinct Accept-Encoding values; parse each once.
_choices: dict[str, str] = {}
_MAX_REMEMBERED = 256


def choose(accept_encoding: str | None) -> str:
    """The encoding to send for this ``Accept-Encoding`` value: "br", "gzip" or ""
    (identity). An encoding with ``q=0`` is refused, ``*`` stands for the ones not named."""
    if not accept_encoding:
        return ""
    found = _choices.get(accept_encoding)
    if found is None:
        found = _negotiate(accept_encoding)
        if len(_choices) < _MAX_REMEMBERED:  # a client sending random values cannot grow this
            _choices[accept_encoding] = found
    return found


def _negotiate(value: str) -> str:
    accepted = parse_accept_header(value)
    named = {name.lower(): quality for name, quality in accepted}
    wildcard = named.get("*", 0)
    best, best_quality = "", 0.0
    for encoding in ENCODINGS:
        quality = named.get(encoding, wildcard)
        if quality > best_quality:
            best, best_quality = encoding, quality
    return best


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    if encoding == "gzip":
        # mtime=0: the same page gives the same bytes in every worker and on every host
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    raise ValueError(f"unknown content encoding {encoding!r}")


def encoded_etag(etag: str, encoding: str) -> str:
    """``"abc"`` → ``"abc-br"`` (weak tags stay weak)."""
    weak, tag = ("W/", etag[2:]) if etag.startswith("W/") else ("", etag)
    return f'{weak}"{tag.strip(chr(34))}-{encoding}"'


def encoded_headers(headers: Iterable[tuple[str, str]], encoding: str, length: int) -> list[tuple[str, str]]:
    """``headers`` of the plain page, as they are for its ``encoding`` representation."""
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower == "content-length":
            value = str(length)
        elif lower == "etag":
            value = encoded_etag(value, encoding)
        elif lower in ("vary", "content-encoding"):
            continue
        out.append((name, value))
    out += [("Content-Encoding", encoding), VARY]
    return out


def variants(headers: list[tuple[str, str]], body: bytes) -> dict[str, tuple[list[tuple[str, str]], bytes]]:
    """Every representation of a page: ``{"": plain, "br": ..., "gzip": ...}``, each
    ``(headers, body)``. A small page, or one already encoded, has only its plain one."""
    if any(name.lower() == "content-encoding" for name, _ in headers):
        return {"": (headers, body)}
    plain = [(name, value) for name, value in headers if name.lower() != "vary"] + [VARY]
    found = {"": (plain, body)}
    if len(body) >= MIN_SIZE:
        for encoding in ENCODINGS:
            data = compress(body, encoding)
            found[encoding] = (encoded_headers(headers, encoding, len(data)), data)
    return found
