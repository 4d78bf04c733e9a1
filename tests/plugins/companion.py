"""Fixtures for the companion tests."""
