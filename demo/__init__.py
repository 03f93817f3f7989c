"""The demo store: a catalogue, customers with orders, addresses, cards and tickets.

`python -m app seed` (and `make demo`) loads it; the test factories build their
rows with the same builders (`demo.builders`).
"""
