"""Refunds and cancellations: journal, exactly-once guards, feed batching, live status, audit."""
