"""Business rules as plain async functions: the only place that changes data."""
