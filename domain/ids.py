"""Public global IDs ("Type:pk", base64url), the one encoding every surface and webhook uses."""

from __future__ import annotations

import base64


def global_id(type_name: str, pk: int | str) -> str:
    raw = f"{type_name}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
