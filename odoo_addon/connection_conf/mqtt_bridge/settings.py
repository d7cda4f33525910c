"""Connection settings of one broker as the plain MQTT code needs them."""

from __future__ import annotations

import hashlib
import os
import ssl
import uuid
from dataclasses import dataclass, field

from .wire import DEFAULT_TOPIC_PREFIX, is_valid_topic_prefix


@dataclass(frozen=True)
class BrokerSettings:
    """Where and how to reach a broker, and which topic prefix to watch."""

    host: str
    port: int = 8883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    use_tls: bool = True
    ca_cert: str | None = field(default=None, repr=False)
    topic_prefix: str = DEFAULT_TOPIC_PREFIX
    qos: int = 1
    keepalive: int = 60
    answer_actions: bool = False  # Odoo is the publisher: it answers the doors' /action

    def problems(self) -> list[str]:
        """Return what is wrong with these settings (empty when usable)."""
        found = []
        if not self.host or any(char.isspace() for char in self.host):
            found.append("broker host is empty or contains spaces")
        if not 1 <= self.port <= 65535:
            found.append(f"port {self.port} is not between 1 and 65535")
        if not is_valid_topic_prefix(self.topic_prefix):
            found.append(
                f"topic prefix {self.topic_prefix!r} must end with '/' and hold no '+', '#' "
                "or empty level"
            )
        if self.qos not in (0, 1, 2):
            found.append(f"QoS {self.qos} is not 0, 1 or 2")
        if not 5 <= self.keepalive <= 3600:
            found.append(f"keepalive {self.keepalive} s is not between 5 and 3600")
        if self.password and not self.username:
            found.append("a password needs a user name")
        return found

    def route_key(self) -> str:
        """Return where this session goes, without secrets: scheme, user, host, port, prefix."""
        tls = "tls" if self.use_tls else "tcp"
        return f"{tls}://{self.username or ''}@{self.host}:{self.port}/{self.topic_prefix}"

    def connection_key(self) -> str:
        """Return a stable key for this broker session: the route and a digest of the
        secrets (a changed password or CA makes another session)."""
        secret = hashlib.sha256(
            f"{self.password or ''}\x00{self.ca_cert or ''}".encode()
        ).hexdigest()[:12]
        return f"{self.route_key()}#{secret}"

    def tls_context(self) -> ssl.SSLContext:
        """Return the TLS context: the given CA (PEM text) or the system's trust store.

        Chain and host name are verified; Python 3.13's extra X.509 strictness (which
        refuses many private CAs without key identifiers) is relaxed to 3.10-3.12's rules.
        """
        try:
            context = ssl.create_default_context(cadata=self.ca_cert or None)
        except (ssl.SSLError, ValueError) as exc:
            raise ValueError(f"CA certificate is not valid PEM: {exc}") from exc
        context.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)
        return context


def new_client_id(role: str = "odoo") -> str:
    """Return a client id unique to this process and call (at most 23 characters)."""
    return f"{role[:6]}-{os.getpid() % 100000}-{uuid.uuid4().hex[:8]}"
