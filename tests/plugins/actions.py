"""Fixtures for the actions tests."""
