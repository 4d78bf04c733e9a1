"""The local Amazon SP-API sandbox: LWA, Orders, Feeds, Finances and Fulfillment Outbound."""

from companion.sandbox.server import SandboxServer, start_sandbox
from companion.sandbox.settings import SandboxSettings
from companion.sandbox.state import STATE, SandboxState

__all__ = ["STATE", "SandboxServer", "SandboxSettings", "SandboxState", "start_sandbox"]
