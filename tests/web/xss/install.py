"""Building the hostile install of tests/test_xss.py: every payload through every input
(site names and settings, articles in the authoring format, UI translations)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import yaml
from babel.messages.pofile import read_po, write_po

from clinicjournal.cli import main as cli_main
from clinicjournal.content.authoring import AuthoringError, parse_document
from clinicjournal.platform.settings import update_settings
from clinicjournal.store import db, manage
from xss.payloads import PAYLOADS

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
PASSWORD = "correct horse battery"
NAME_LIMIT = 200  # characters of a site name (and an author's name)
#: UI strings whose German translation is pinned to a known payload, to prove they reach the page.
PINNED_TRANSLATIONS = {
    "Skip to content": "<script>alert(1)</script>",
    "Health Journal": '"><img src=x onerror=alert(73)>',
    "Search": "<svg onload=alert(37)>",
    "Medical disclaimer:": "</p><iframe srcdoc=\"<script>alert(161)</script>\"></iframe>",
}


# -- building the hostile install ----------------------------------------------------------------

def pack(payloads: list[str], limit: int) -> list[list[str]]:
    """Payloads in groups whose space-joined text fits ``limit`` characters."""
    chunks, current = [], []
    for payload in payloads:
        if current and len(" ".join([*current, payload])) > limit:
            chunks.append(current)
            current = []
        current.append(payload)
    if current:
        chunks.append(current)
    return chunks


#: Site names hold 200 characters: one small site per group, seen on its front page.
NAME_CHUNKS = pack(PAYLOADS, NAME_LIMIT)
#: Everything else: a few sites with many payloads on each page.
CONTENT_CHUNKS = pack(PAYLOADS, 1200)
#: An article title holds 300 characters; author and reviewer names hold 200.
TITLE_LIMIT = 300


def fit(payloads: list[str], limit: int) -> str:
    """As many of ``payloads`` (from the first) as fit ``limit`` characters, space-joined."""
    return " ".join(pack(payloads, limit)[0]) if payloads else ""


def reference(i: int, payload: str) -> dict:
    url = payload if re.match(r"(?i)^https?://", payload) else "https://example.org/" + payload
    return {"key": f"r{i}", "title": payload, "container": payload, "authors": [payload, "Holick MF"],
            "kind": payload[:100], "year": 2020, "url": url}  # a source's kind holds 100 characters


def markdown_body(payloads: list[str], cite: int) -> str:
    parts = ["Sources: " + " ".join(f"[@r{i}]" for i in range(cite)) + "\n" if cite else "Plain text.\n"]
    for i, p in enumerate(payloads):
        parts.append(
            f"{p}\n\n"
            f"Inline: [{p}](https://example.org/{i}) and [link {i}]({p}) and ![image {i}]({p}) and <{p}> "
            f"and *{p}* and `{p}`.\n\n"
            f"[reference {i}][d{i}]\n\n[d{i}]: {p}\n\n"
            f"## {p}\n\n- {p}\n\n> {p}\n\n| col | {p} |\n|---|---|\n| {p} | x |\n")
    return "\n".join(parts)


def document(slug: str, locale: str, front: list[str], body: list[str], kind: str = "article",
             key: str = "hostile") -> str:
    joined, name = " ".join(front), fit(front, NAME_LIMIT)
    meta = {"slug": slug, "locale": locale, "translation_key": key if kind == "article" else "about",
            "type": kind, "title": fit(front, TITLE_LIMIT) or "Untitled", "summary": joined or "Summary.",
            "author": name, "reviewer": name, "reviewed": "2025-01-02", "takeaway": joined,
            "faq": [{"q": p, "a": p} for p in front],
            "references": [reference(i, p) for i, p in enumerate(front)]}
    if kind == "article":
        meta.update(category="sleep-health", published="2025-01-15")
    meta = {k: v for k, v in meta.items() if v not in ("", [])}
    return ("---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n"
            + markdown_body(body, len(front)))


def parses(text: str) -> bool:
    try:
        parse_document(text, source="check.md")
    except AuthoringError:
        return False
    return True


def accepted(setter, values: list[str]) -> list[str]:
    """Push ``values`` through ``setter`` together; those it refuses are dropped (one by one)."""
    try:
        setter(" ".join(values))
        return values
    except manage.ConfigError:
        pass
    kept = each_accepted(setter, values)
    if kept:
        setter(" ".join(kept))
    return kept


def each_accepted(setter, values: list[str]) -> list[str]:
    """Push each of ``values`` through ``setter`` on its own; the last accepted one stays."""
    kept = []
    for value in values:
        try:
            setter(value)
            kept.append(value)
        except manage.ConfigError:
            pass
    return kept


def site_settings(app, slug: str, chunk: list[str], name: bool) -> dict[str, list[str]]:
    """The site's own inputs: name, appearance, plugin settings."""
    plugins = app.extensions["clinicjournal"].plugins
    stats: dict[str, list[str]] = {}
    with app.app_context():
        sess = db.session()
        site = manage.create_site(sess, slug, f"Site {slug}", ["en", "de"])
        sess.commit()
        if name:
            stats["name"] = accepted(lambda v: manage.update_site(sess, site, name=v), chunk)
        stats["tagline"] = accepted(lambda v: manage.update_site(sess, site, appearance={"tagline": v}), chunk)
        stats["appearance"] = [p for key in ("primary", "accent", "logo") for p in each_accepted(
            lambda v, key=key: manage.update_site(sess, site, appearance={key: v}), chunk)]
        disclaimer = plugins.setting_specs("disclaimer")
        for locale in ("en", "de"):
            stats[f"disclaimer text {locale}"] = accepted(
                lambda v, loc=locale: update_settings(sess, site, "disclaimer", disclaimer, {"text": v}, loc), chunk)
        stats["disclaimer link"] = each_accepted(
            lambda v: update_settings(sess, site, "disclaimer", disclaimer, {"link": v}, "en"), chunk)
        stats["twitter"] = accepted(lambda v: update_settings(
            sess, site, "structured_data", plugins.setting_specs("structured_data"), {"twitter_site": v}), chunk)
        sess.commit()
    return stats


def build_name_site(app, index: int, chunk: list[str]) -> dict[str, list[str]]:
    return site_settings(app, f"n{index:02d}", chunk, name=True)


def build_content_site(app, folder: Path, index: int, chunk: list[str]) -> dict[str, list[str]]:
    """Site ``c<index>`` with ``chunk`` in every article field and site setting."""
    slug = f"c{index:02d}"
    stats = site_settings(app, slug, chunk, name=False)
    if parses(document("x", "en", chunk, chunk)):
        front = body = chunk
    else:  # find the refused payloads, field by field
        front = [p for p in chunk if parses(document("x", "en", [p], []))]
        body = [p for p in chunk if parses(document("x", "en", [], [p]))]
    stats["article fields"], stats["article body"] = front, body
    content = folder / slug
    content.mkdir(parents=True)
    files = {"hostile.en.md": document("hostile", "en", front, body),
             "feindlich.de.md": document("feindlich", "de", front, body),
             "about.en.md": document("about", "en", front, body, kind="page")}
    # Title, author and reviewer hold fewer characters than a chunk: the payloads the
    # first article's could not take are each in another article's (listed on the index).
    for n, names in enumerate(pack(front, NAME_LIMIT)[1:], 2):
        files[f"hostile-{n}.en.md"] = document(f"hostile-{n}", "en", names, [], key=f"hostile-{n}")
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(cli_main, ["content", "import", str(content), "--site", slug])
    assert result.exit_code == 0, result.output
    return stats


def hostile_catalogs(real_dirs: dict[str, Path], target: Path, assigned: dict[str, str]) -> dict[str, Path]:
    """Copies of the catalogs whose German strings are all payloads (placeholders kept)."""
    copies, n = {}, 0
    for name, directory in real_dirs.items():
        copy = target / name
        shutil.copytree(directory, copy)
        po = copy / "de" / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            copies[name] = copy
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="de")
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            payload = PINNED_TRANSLATIONS.get(ids[0]) or PAYLOADS[n % len(PAYLOADS)]
            n += 1
            forms = []
            for msgid in ids:
                tokens = re.findall(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]", msgid)
                forms.append(" ".join([payload, *tokens]))
            message.string = tuple(forms) if isinstance(message.id, tuple) else forms[0]
            message.flags.discard("fuzzy")
            assigned[ids[0]] = forms[0]
        with po.open("wb") as fh:
            write_po(fh, catalog)
        copies[name] = copy
    return copies


def content_urls(index: int, chunk: list[str]) -> list[tuple[str, str, int]]:
    """(host, path, status) of the pages a content site's payloads reach."""
    host = f"c{index:02d}.localhost"
    query = quote(" ".join(chunk)[:200], safe="")
    return [(host, "/en/", 200), (host, "/en/hostile/", 200), (host, "/de/feindlich/", 200),
            (host, "/en/about/", 200), (host, "/en/category/sleep-health/", 200),
            (host, f"/de/search?q={query}", 200), (host, "/de/nichts-hier/", 404)]


NAME_URLS = [(f"n{i:02d}.localhost", "/en/", 200) for i in range(len(NAME_CHUNKS))]
CONTENT_URLS = [u for i, chunk in enumerate(CONTENT_CHUNKS) for u in content_urls(i, chunk)]
ALL_URLS = CONTENT_URLS + NAME_URLS
