"""The team ledger: the journal shared by every companion of a seller's team, on PostgreSQL.

A companion keeps its journal in embedded SQLite by default; in team mode (`settings.json` key
"ledger") it keeps it in one PostgreSQL database the whole team shares. This package holds what
is specific to PostgreSQL: the connection string rules, the versioned schema and its migrations,
and the advisory-lock keys. See docs/team.md.
"""
