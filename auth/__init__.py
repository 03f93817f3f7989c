"""Login codes, magic links, sessions, rate limits and permission classes."""
