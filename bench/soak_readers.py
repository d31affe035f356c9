"""The readers' side of the soak (soak.py): the mix of reader URLs wrk picks from at
random, and the Lua script that counts wrk's responses by status class."""

from __future__ import annotations

import seed as seeding

LUA = r"""
local paths = {
%s
}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  s2, s3, s4, s5, other = 0, 0, 0, 0, 0
  math.randomseed(os.time() + (id or 0) * 7919)
end
function request()
  local p = paths[math.random(#paths)]
  return wrk.format("GET", p[2], {["Host"] = p[1]})
end
function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  elseif status >= 200 then s2 = s2 + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local t = {s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0}
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + th:get(k) end
  end
  io.write(string.format("STATUS 2xx=%%d 3xx=%%d 4xx=%%d 5xx=%%d other=%%d\n", t.s2, t.s3, t.s4, t.s5, t.other))
end
"""


def lua_paths(info: seeding.SeedInfo, edited: list[tuple[str, str]], search_query: str) -> list[tuple[str, str]]:
    """(host, path) pairs; duplicates weight the mix toward article pages."""
    from urllib.parse import quote_plus

    mix: list[tuple[str, str]] = []
    for site in info.sites[:20]:
        host = f"{site}.localhost"
        for locale, slug in info.samples.get(site, []):
            mix.append((host, f"/{locale}/{slug}/"))
        for locale in ("en", "de"):
            mix += [(host, f"/{locale}/"), (host, f"/{locale}/category/{info.category}/"),
                    (host, f"/{locale}/feed.xml")]
        mix.append((host, f"/en/search?q={quote_plus(search_query)}"))
    first = f"{info.sites[0]}.localhost"
    for locale, slug in edited:  # the edited articles, twice: readers race the editor
        mix += [(first, f"/{locale}/{slug}/")] * 2
    if info.articles_per_site > 10:
        mix += [(first, "/en/?page=2"), (first, "/de/?page=2")]
    return mix
