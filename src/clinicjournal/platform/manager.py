"""Plugin discovery, registration, per-site hook calls and failure isolation.

Every plugin is registered once in the app's one ``PluginManager``. A site's
calls go through ``pm.subset_hook_caller`` with the plugins disabled on that
site removed; those callers are cached per (hook, disabled set) and the cache
is dropped on every register and unregister, because a cached subset caller is
a live proxy that would include a later-registered plugin.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pluggy

from . import hookspecs
from .health import SLOW_CALL_MS
from .hookspecs import PluginInfo

log = logging.getLogger("clinicjournal.plugins")
ENTRY_POINT_GROUP = "clinicjournal"
FOLDER_PREFIX = "clinicjournal_"


@dataclass
class PluginRecord:
    """What the install knows about one plugin, working or broken."""

    name: str
    source: str  # "distribution" or "folder"
    location: str
    version: str = ""
    module: Any = None
    info: PluginInfo = field(default_factory=PluginInfo)
    error: str | None = None  # set when it failed to import or validate
    failures: int = 0  # hook calls that raised since start-up (this process)
    last_failure: str | None = None
    slowest_ms: float = 0.0

    @property
    def broken(self) -> bool:
        return self.error is not None

    @property
    def directory(self) -> Path | None:
        file = getattr(self.module, "__file__", None)
        return Path(file).parent if file else None


@dataclass(frozen=True)
class HookResult:
    plugin: str
    value: Any


class Plugins:
    """The app's plugin manager plus the records the CLI and admin UI show."""

    def __init__(self, disabled_everywhere: Iterable[str] = (), trace: bool = False) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.disabled_everywhere = frozenset(disabled_everywhere)
        self.trace = trace
        self.health = None  # a plugin_health.HealthRecorder once the database is set up
        self.failure_count = 0  # hook calls that raised in this process, all plugins
        self._callers: dict[tuple[str, frozenset[str]], Any] = {}

    # -- discovery -----------------------------------------------------------

    def discover(self, folder: str | None) -> None:
        """Load entry-point plugins, then folder plugins. Never raises for a plugin."""
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist
            record = PluginRecord(
                name=ep.name,
                source="distribution",
                location=f"{dist.name if dist else '?'}: {ep.value}",
                version=dist.version if dist else "",
            )
            self._load(record, lambda ep=ep: ep.load())
        if folder and Path(folder).is_dir():
            for path in sorted(Path(folder).iterdir()):
                self._load_from_folder(path)
        self.pm.check_pending()

    def _load_from_folder(self, path: Path) -> None:
        if path.name.startswith((".", "_")):
            return
        if path.is_dir() and (path / "__init__.py").exists():
            module_name, init = path.name, path / "__init__.py"
        elif path.suffix == ".py":
            module_name, init = path.stem, path
        else:
            return
        name = module_name.removeprefix(FOLDER_PREFIX)
        existing = self.records.get(name)
        if existing is not None:
            # The same code installed as a distribution (editable checkout): one plugin.
            if existing.directory and existing.directory.resolve() in (path.resolve(), path.parent.resolve()):
                return
            log.warning("plugin %r in %s ignored: a plugin of that name is already loaded from %s",
                        name, path, existing.location)
            return
        record = PluginRecord(name=name, source="folder", location=str(path))

        def load() -> Any:
            if module_name in sys.modules:
                return sys.modules[module_name]
            spec = importlib.util.spec_from_file_location(module_name, init)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[module_name]
                raise
            return module

        self._load(record, load)

    def _load(self, record: PluginRecord, loader) -> None:
        self.records[record.name] = record
        if record.name in self.disabled_everywhere:
            record.error = "disabled by the DISABLED_PLUGINS setting"
            return
        try:
            module = loader()
            self.register(module, record.name)
        except Exception as exc:  # a broken plugin is reported, never fatal
            record.error = f"{type(exc).__name__}: {exc}"
            log.error("plugin %r could not be loaded from %s: %s", record.name, record.location,
                      record.error)
            return
        record.module = module
        # A module's own version is more telling than its distribution's when one
        # distribution ships several plugins (clinicjournal's built-ins).
        record.version = getattr(module, "__version__", "") or record.version

    # -- registration ----------------------------------------------------------

    def register(self, plugin: Any, name: str) -> None:
        """Register ``plugin`` and validate it; :raise ValueError: when it implements
        a hook that does not exist (usually a misspelling)."""
        self.pm.register(plugin, name=name)
        self._callers.clear()
        unknown = [c.name for c in self.pm.get_hookcallers(plugin) or [] if not c.has_spec()]
        if unknown:
            self.pm.unregister(plugin)
            raise ValueError(f"implements unknown hook(s) {', '.join(unknown)}; see docs/plugins.md")
        record = self.records.setdefault(name, PluginRecord(name=name, source="object", location=repr(plugin)))
        record.module = plugin
        record.error = None
        impls = [i for i in self.pm.hook.plugin_info.get_hookimpls() if i.plugin_name == name]
        if impls:
            record.info = impls[0].function() or PluginInfo()

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self._callers.clear()
        self.records.pop(name, None)

    # -- queries ---------------------------------------------------------------

    def active_names(self) -> list[str]:
        return sorted(n for n, r in self.records.items() if not r.broken)

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        if plugin is None:
            return []
        return sorted(c.name for c in self.pm.get_hookcallers(plugin) or [])

    def default_enabled(self, name: str) -> bool:
        record = self.records.get(name)
        return bool(record and not record.broken and record.info.default_enabled)

    def title(self, name: str) -> str:
        """What people call plugin ``name`` (its ``PluginInfo.name``, in the current
        language), else the name it is installed under."""
        record = self.records.get(name)
        shown = str(record.info.name or "").strip() if record is not None else ""
        return shown or name

    def setting_specs(self, name: str) -> dict[str, hookspecs.SettingSpec]:
        record = self.records.get(name)
        return {s.name: s for s in record.info.settings} if record else {}

    # -- calling ---------------------------------------------------------------

    def _caller(self, hook: str, enabled: frozenset[str]):
        key = (hook, enabled)
        caller = self._callers.get(key)
        if caller is None:
            disabled = frozenset(self.active_names()) - enabled
            removed = [self.pm.get_plugin(n) for n in disabled if self.pm.get_plugin(n) is not None]
            caller = self.pm.subset_hook_caller(hook, remove_plugins=removed)
            self._callers[key] = caller
        return caller

    def call(self, hook: str, enabled: frozenset[str] | None, site_slug: str = "-",
             **kwargs: Any) -> list[HookResult]:
        """Call ``hook`` on the plugins in ``enabled`` (all when ``None``), isolating failures.

        Implementations run in pluggy's order (last registered first, honouring
        tryfirst/trylast). For a ``firstresult`` hook the first non-``None`` value
        stops the call. ``None`` results are dropped.
        """
        caller = getattr(self.pm.hook, hook) if enabled is None else self._caller(hook, enabled)
        first_only = bool(caller.spec and caller.spec.opts.get("firstresult"))
        results: list[HookResult] = []
        for impl in reversed(caller.get_hookimpls()):
            args = {a: kwargs[a] for a in impl.argnames}
            started = time.perf_counter()
            try:
                value = impl.function(**args)
            except Exception as exc:
                self.record_failure(impl.plugin_name, hook, site_slug, exc)
                continue
            finally:
                self._after_call(impl.plugin_name, hook, site_slug, args, started)
            if value is not None:
                results.append(HookResult(impl.plugin_name, value))
                if first_only:
                    break
        return results

    def _after_call(self, plugin: str, hook: str, site: str, args: dict, started: float) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        record = self.records.get(plugin)
        if record is not None and elapsed > record.slowest_ms:
            record.slowest_ms = elapsed
        if self.health is not None and elapsed >= SLOW_CALL_MS:
            self.health.slow_call(plugin, site, hook, elapsed)
        if self.trace:
            summary = ", ".join(f"{k}={_short(v)}" for k, v in args.items())
            log.info("hook %s plugin=%s site=%s (%s) %.2f ms", hook, plugin, site, summary, elapsed)

    def record_failure(self, plugin: str, hook: str, site: str, exc: BaseException) -> None:
        record = self.records.get(plugin)
        message = f"{hook} on site {site}: {type(exc).__name__}: {exc}"
        self.failure_count += 1
        if record is not None:
            record.failures += 1
            record.last_failure = message
        if self.health is not None:
            self.health.failure(plugin, site, message)
        log.error("plugin %r failed in %s; rendering without it\n%s", plugin, message,
                  "".join(traceback.format_exception(exc)))


def _short(value: Any) -> str:
    text = getattr(value, "slug", None) or repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
