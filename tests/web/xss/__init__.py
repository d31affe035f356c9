"""Hostile input corpus for the XSS tests."""
