"""Machinery every domain uses: the runtime bundle, keyset pagination,
idempotency keys and the outbox."""
