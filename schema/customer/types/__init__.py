"""The customer surface's object types, one module per domain.

Imports among them go one way (catalog, address <- order <- ticket, cart;
address <- payment; all <- customer), so no module needs a lazy import.
"""
