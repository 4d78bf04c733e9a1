"""The local HTTP API: one middleware per file, the routes of each part, validation, OpenAPI."""
