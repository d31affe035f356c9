"""A plugin whose slot always raises: the page must survive it."""

from clinicjournal import PluginInfo, hookimpl


@hookimpl
def plugin_info():
    return PluginInfo(description="Always fails", default_enabled=False)


@hookimpl
def template_slot(slot, ctx):
    raise RuntimeError(f"boom in {slot}")
