"""Fails to import: must be listed as broken, never stop the server."""

import a_module_that_does_not_exist  # noqa: F401
