"""Keep secrets out of odoorpc's debug logs (no Home Assistant imports, see odoo_client.py)."""

from __future__ import annotations

import logging

REDACTED = "**REDACTED**"


class SecretRedactor(logging.Filter):
    """Hide passwords in odoorpc's debug logs, which print every RPC's arguments."""

    def __init__(self) -> None:
        """Start with no secret."""
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite a record that holds a secret; never drop one."""
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, REDACTED)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


REDACTOR = SecretRedactor()
logging.getLogger("odoorpc.rpc.jsonrpclib").addFilter(REDACTOR)
