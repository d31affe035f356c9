"""The plugin platform: the hook contract, the plugin manager, per-site plugin
settings, plugin health and plugin routes."""
