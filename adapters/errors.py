"""The failure every delivery adapter (email, SMS) raises for the outside world's faults."""

from __future__ import annotations


class DeliveryError(RuntimeError):
    """The server or provider refused, failed or did not answer in time.

    An expected event, not a fault in this code: the caller logs one line.
    """
