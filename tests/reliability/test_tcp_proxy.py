"""The fault proxy itself: forwards, delays, cuts, refuses, swallows, and stops cleanly."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from testbed.tcp_proxy import TcpProxy


@pytest.fixture
def echo_server() -> Iterator[int]:
    """A loopback echo server; returns its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()
    handlers: list[threading.Thread] = []

    def echo(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.05)
            while not stop.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                conn.sendall(data)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            handler = threading.Thread(target=echo, args=(conn,))
            handlers.append(handler)
            handler.start()

    server = threading.Thread(target=serve)
    server.start()
    yield int(listener.getsockname()[1])
    stop.set()
    server.join(5)
    for handler in handlers:
        handler.join(5)
    listener.close()


def _roundtrip(port: int, payload: bytes = b"ping", timeout: float = 2.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(payload)
        return conn.recv(65536)


def test_forwards_and_delays(echo_server: int) -> None:
    """Bytes go through both ways; a delay applies to each direction."""
    with TcpProxy("127.0.0.1", echo_server) as proxy:
        assert _roundtrip(proxy.port) == b"ping"
        proxy.delay = 0.2
        started = time.monotonic()
        assert _roundtrip(proxy.port) == b"ping"
        assert time.monotonic() - started >= 0.4


def test_cut_refuse_and_blackhole(echo_server: int) -> None:
    """A cut closes open links; refusing closes new ones; a blackhole answers nothing."""
    with TcpProxy("127.0.0.1", echo_server) as proxy:
        conn = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
        conn.sendall(b"a")
        assert conn.recv(10) == b"a"
        assert proxy.cut() == 1
        assert conn.recv(10) == b""
        conn.close()
        proxy.refusing = True
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as refused:
            assert refused.recv(10) == b""
        proxy.refusing = False
        proxy.blackhole = True
        with pytest.raises(TimeoutError):
            _roundtrip(proxy.port, timeout=0.3)
        proxy.blackhole = False
        assert _roundtrip(proxy.port) == b"ping"
        assert proxy.accepted == 4


def test_stop_joins_every_thread(echo_server: int) -> None:
    """After stop no proxy thread is left, even with connections open."""
    proxy = TcpProxy("127.0.0.1", echo_server).start()
    conns = [socket.create_connection(("127.0.0.1", proxy.port), timeout=2) for _ in range(3)]
    for conn in conns:
        conn.sendall(b"x")
        assert conn.recv(1) == b"x"
    proxy.stop()
    assert not [t for t in threading.enumerate() if t.name.startswith("tcp-proxy")]
    for conn in conns:
        conn.close()
