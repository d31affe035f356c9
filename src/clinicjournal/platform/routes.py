"""Plugin routes and CLI commands, collected once at start-up.

Routes are registered for every plugin that imported cleanly and answer 404 on
sites where the plugin is disabled (so enabling needs no restart).
"""

from __future__ import annotations

from flask import Flask, abort, g, request


def init_app(app: Flask) -> None:
    plugins = app.extensions["clinicjournal"].plugins
    owners: dict[str, str] = {}  # blueprint name → plugin
    for result in plugins.call("blueprints", None):
        for blueprint in result.value:
            app.register_blueprint(blueprint)
            owners[blueprint.name] = result.plugin
    if owners:
        # One app-level check rather than a hook on each blueprint: a plugin's
        # blueprint is a module global shared by every app (worker) built in
        # the process, and Flask refuses changes to it after its first use.
        app.before_request(lambda: _require_enabled(owners))
    for result in plugins.call("cli_commands", None):
        for command in result.value:
            app.cli.add_command(command)


def _require_enabled(owners: dict[str, str]) -> None:
    for name in request.blueprints:
        plugin = owners.get(name)
        if plugin is not None:
            site = g.get("site")
            if site is None or plugin not in site.enabled_plugins:
                abort(404)
