"""The demo's loopback server keeps the demo's output clean of a client's hang-ups, not of real errors."""

from __future__ import annotations

import socket
import struct
import time

from monitor.demo.server import _serve


def _reset_connection(port: int) -> None:
    """Connect and close with a TCP reset (SO_LINGER 0) before sending a request line."""
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.sendall(b"GE")  # the server is reading the request line when the reset comes
    time.sleep(0.05)
    s.close()


def test_a_reset_connection_prints_no_traceback_but_a_real_error_does(capsys):
    def lookup(path, query):
        if path == "/boom":
            raise ValueError("a real bug in the demo site")
        return ("text/html; charset=utf-8", "<html><body>好</body></html>".encode())

    server = _serve(lookup)
    port = server.server_address[1]
    try:
        for _ in range(3):
            _reset_connection(port)
        time.sleep(0.3)
        assert "Traceback" not in capsys.readouterr().err
        with socket.create_connection(("127.0.0.1", port)) as s:  # the server still answers
            s.sendall(b"GET /boom HTTP/1.0\r\nHost: x\r\n\r\n")
            s.settimeout(5)
            try:
                while s.recv(4096):
                    pass
            except OSError:
                pass
        time.sleep(0.3)
        err = capsys.readouterr().err
        assert "ValueError" in err and "Traceback" in err
    finally:
        server.shutdown()
        server.server_close()
