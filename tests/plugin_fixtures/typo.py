"""Implements a misspelled hook: must be refused and listed as broken."""

from clinicjournal import hookimpl


@hookimpl
def templat_slot(slot, ctx):
    return "never"
