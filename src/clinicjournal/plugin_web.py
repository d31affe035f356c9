"""Plugin routes and CLI commands, collected once at start-up.

Routes are registered for every plugin that imported cleanly and answer 404 on
sites where the plugin is disabled (so enabling needs no restart).
"""

from __future__ import annotations

from flask import Flask, abort, g


def init_app(app: Flask) -> None:
    plugins = app.extensions["clinicjournal"].plugins
    for result in plugins.call("blueprints", None):
        for blueprint in result.value:
            blueprint.before_request(_require_enabled(result.plugin))
            app.register_blueprint(blueprint)
    for result in plugins.call("cli_commands", None):
        for command in result.value:
            app.cli.add_command(command)


def _require_enabled(plugin: str):
    def check() -> None:
        site = g.get("site")
        if site is None or plugin not in site.enabled_plugins:
            abort(404)
    return check
