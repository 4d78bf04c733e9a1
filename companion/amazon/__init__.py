"""The SP-API gateway: typed, rate-limited, retrying access to Amazon (or the sandbox)."""

from companion.amazon.clients import Target
from companion.amazon.gateway import FEED_CONTENT_TYPE, Gateway
from companion.amazon.models import (
    AmazonOrder,
    AmazonOrderItem,
    Feed,
    FinancialEvents,
    FulfillmentOrder,
)
from companion.amazon.outcome import (
    AmazonAccessDenied,
    AmazonCredentialsRejected,
    AmazonOutcomeUnknown,
    AmazonRejected,
)
from companion.amazon.parse import AmazonBadResponse
from companion.amazon.pool import GATEWAYS, GatewayPool, setup_gateways
from companion.amazon.retry import RetryPolicy

__all__ = [
    "FEED_CONTENT_TYPE",
    "GATEWAYS",
    "AmazonAccessDenied",
    "AmazonBadResponse",
    "AmazonCredentialsRejected",
    "AmazonOrder",
    "AmazonOrderItem",
    "AmazonOutcomeUnknown",
    "AmazonRejected",
    "Feed",
    "FinancialEvents",
    "FulfillmentOrder",
    "Gateway",
    "GatewayPool",
    "RetryPolicy",
    "Target",
    "setup_gateways",
]
