"""The SP-API gateway: typed, rate-limited, retrying access to Amazon (or the sandbox)."""
