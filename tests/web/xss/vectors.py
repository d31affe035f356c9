"""What counts as an active vector in a page, checked with html.parser and in Chromium's DOM
(tests/test_xss.py)."""

from __future__ import annotations

import json
import re
from html import unescape

from xss.payloads import EVALUATED

# -- what counts as an active vector -------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "ping",
                  "codebase", "cite", "longdesc", "dynsrc", "lowsrc", "icon", "manifest", "archive", "classid",
                  "profile", "usemap", "srcset", "imagesrcset"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "base", "applet", "portal", "svg", "math",
                  "isindex", "xss", "handler", "animate", "set", "foreignobject", "maction"}
SCRIPT_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript|data|jar|mocha):", re.I)
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028\u2029\u202a-\u202e\u2060\ufeff]")
ACTIVE_CSS = re.compile(r"url\s*\(|expression\s*\(|behaviou?r\s*:|-moz-binding|@import|javascript:", re.I)


def script_url(value: str) -> bool:
    return bool(SCRIPT_SCHEME.match(INVISIBLE.sub("", unescape(value or ""))))


def own_preview_frame(node) -> bool:
    """The article editor's live preview: an empty frame (editor.js fills it with the server's
    sanitised rendering) that may never run script. Anything else framed is a vector."""
    attrs = node.attrs
    return (node.tag == "iframe" and set(attrs) == {"title", "sandbox", "data-preview-frame"}
            and attrs["sandbox"] == "allow-same-origin" and not node.children)


def active_vectors(doc) -> list[str]:
    """Everything in a page parsed by ``conftest.parse_html`` that could run script or
    load a foreign document."""
    problems = []
    head = doc.find("head")
    for node in doc.iter():
        tag, attrs = node.tag, node.attrs
        if tag == "script":
            if "src" in attrs:  # the site's own script file, nothing inline
                if not attrs["src"].startswith("/static/") or node.text() or attrs.get("type") not in (None, "module"):
                    problems.append(f"<script {attrs}> {node.text()[:60]!r}")
            elif attrs.get("type") != "application/ld+json":
                problems.append(f"<script {attrs}> {node.text()[:60]!r}")
            else:
                try:
                    json.loads("".join(c for c in node.children if isinstance(c, str)))
                except ValueError:
                    problems.append(f"JSON-LD that does not parse: {node.text()[:80]!r}")
        if tag in FORBIDDEN_TAGS and not own_preview_frame(node):
            problems.append(f"<{tag}>")
        if tag == "meta" and (attrs.get("http-equiv") or "").strip().lower() in ("refresh", "set-cookie",
                                                                               "content-security-policy"):
            problems.append(f"<meta http-equiv={attrs.get('http-equiv')}>")
        if tag == "link" and (attrs.get("rel") or "").lower() in ("import", "stylesheet", "preload", "modulepreload"):
            href = attrs.get("href") or ""
            if not href.startswith("/static/"):
                problems.append(f"<link rel={attrs.get('rel')} href={href!r}>")
        if tag == "style":
            if head is None or head not in node.ancestors():
                problems.append("<style> outside <head>")
            if ACTIVE_CSS.search(node.text()) or "<" in node.text():
                problems.append(f"<style> {node.text()[:80]!r}")
        if tag in ("form", "button", "input") and script_url(attrs.get("action") or attrs.get("formaction") or ""):
            problems.append(f"<{tag}> posting to a script URL")
        for name, value in attrs.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                problems.append(f"<{tag} {name}={value[:40]!r}>")
            if lowered in URL_ATTRIBUTES or lowered.endswith(":href"):
                candidates = value.split(",") if lowered.endswith("srcset") else [value]
                if any(script_url(c) for c in candidates):
                    problems.append(f"<{tag} {name}={value[:60]!r}>")
            if lowered == "style" and ACTIVE_CSS.search(unescape(value)):
                problems.append(f"<{tag} style={value[:60]!r}>")
            if lowered == "srcdoc":
                problems.append(f"<{tag} srcdoc>")
    return problems


# The same checks in the page itself, on the live DOM the browser built.
DOM_CHECK = r"""
() => {
  const problems = [];
  const URL_ATTRS = new Set(%(url_attributes)s);
  const FORBIDDEN = new Set(%(forbidden)s);
  const SCHEME = /^(?:javascript|vbscript|livescript|data|jar|mocha):/i;
  const INVISIBLE = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028\u2029\u202a-\u202e\u2060\ufeff]/g;
  const CSS = /url\s*\(|expression\s*\(|behaviou?r\s*:|-moz-binding|@import|javascript:/i;
  const scriptUrl = (v) => SCHEME.test((v || '').replace(INVISIBLE, ''));
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName.toLowerCase();
    if (tag === 'script') {
      if (el.hasAttribute('src')) {
        if (!el.getAttribute('src').startsWith('/static/') || el.textContent) problems.push('script: ' + el.outerHTML.slice(0, 80));
      } else if (el.getAttribute('type') !== 'application/ld+json') problems.push('script: ' + el.outerHTML.slice(0, 80));
      else { try { JSON.parse(el.textContent); } catch (e) { problems.push('bad JSON-LD: ' + el.textContent.slice(0, 80)); } }
    }
    if (FORBIDDEN.has(tag)) problems.push('<' + tag + '>');
    if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml') problems.push('foreign element ' + tag);
    if (tag === 'meta' && ['refresh', 'set-cookie', 'content-security-policy'].includes((el.getAttribute('http-equiv') || '').trim().toLowerCase())) problems.push('meta http-equiv');
    if (tag === 'link' && ['import', 'stylesheet', 'preload', 'modulepreload'].includes((el.getAttribute('rel') || '').toLowerCase())
        && !(el.getAttribute('href') || '').startsWith('/static/')) problems.push('link ' + el.outerHTML.slice(0, 80));
    if (tag === 'style' && (el.parentElement !== document.head || CSS.test(el.textContent))) problems.push('style: ' + el.textContent.slice(0, 80));
    if (tag === 'form' && scriptUrl(el.getAttribute('action'))) problems.push('form action');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) problems.push(tag + ' ' + name + '=' + attr.value.slice(0, 40));
      if (URL_ATTRS.has(name) || name.endsWith(':href')) {
        const parts = name.endsWith('srcset') ? attr.value.split(',') : [attr.value];
        if (parts.some(scriptUrl)) problems.push(tag + ' ' + name + '=' + attr.value.slice(0, 60));
      }
      if (name === 'style' && CSS.test(attr.value)) problems.push(tag + ' style=' + attr.value.slice(0, 60));
      if (name === 'srcdoc') problems.push(tag + ' srcdoc');
    }
  }
  for (const a of document.links) {
    if (['javascript:', 'vbscript:', 'data:'].includes(a.protocol)) problems.push('link protocol ' + a.href.slice(0, 60));
  }
  return problems;
}
""" % {"url_attributes": json.dumps(sorted(URL_ATTRIBUTES)), "forbidden": json.dumps(sorted(FORBIDDEN_TAGS))}

TRAP = """
window.__xss_hits = [];
window.__xss = (n) => window.__xss_hits.push('__xss(' + n + ')');
document.addEventListener('securitypolicyviolation',
  (e) => window.__xss_hits.push('csp ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


def assert_inert(doc, where: str) -> None:
    problems = active_vectors(doc)
    assert problems == [], f"{where}: {problems[:10]}"
    everything = doc.text() + " ".join(v for n in doc.iter() for v in n.attrs.values())
    assert EVALUATED not in everything, f"{where}: a template expression was evaluated"
    assert "<Config " not in everything and "SECRET_KEY" not in everything, f"{where}: configuration leaked"
