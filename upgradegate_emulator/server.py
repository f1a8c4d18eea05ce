# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sockets: the HTTPS server (TLS handshake in the connection's thread), the plain-HTTP managed
identity listener, the ready file and signal handling."""

import ipaddress
import json
import os
import signal
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import __version__
from .app import Emulator
from .messages import Request
from .msi import HEADER
from .scenario import load
from .tls import issue_server_cert, load_or_create_ca, server_context

IDLE_TIMEOUT = 120


class Handler(BaseHTTPRequestHandler):
    """Turns HTTP/1.1 requests into Request objects and writes Responses (one write when possible)."""

    protocol_version = "HTTP/1.1"
    server_version = "upgradegate-emulator/" + __version__
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT

    def version_string(self):
        return self.server_version

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        scheme = "https" if self.server.ssl_context else "http"
        req = Request(self.command, self.path, dict(self.headers.items()), body, scheme, client_port=self.client_address[1])
        resp = self.server.app.handle(req, msi_only=self.server.msi_only)
        if resp.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(resp)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def _send(self, resp):
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        if resp.cut is not None:
            self._send_cut(resp)
            return
        if resp.trickle is None:
            self._headers_buffer.append(b"\r\n")
            self.wfile.write(b"".join(self._headers_buffer) + resp.body)
            self._headers_buffer = []
            return
        self.end_headers()
        chunk, delay = resp.trickle
        for start in range(0, len(resp.body), max(1, chunk)):
            time.sleep(delay)
            self.wfile.write(resp.body[start:start + chunk])
            self.wfile.flush()

    def _send_cut(self, resp):
        """Headers that promise the whole body, half of it, then a close (or a reset, RST) mid-body."""
        self._headers_buffer.append(b"\r\n")
        self.wfile.write(b"".join(self._headers_buffer) + resp.body[:len(resp.body) // 2])
        self._headers_buffer = []
        self.wfile.flush()
        self.close_connection = True
        try:
            if resp.cut == "reset":  # linger 0: closing sends RST instead of FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))


class EmulatorServer(ThreadingHTTPServer):
    """A threading server with a big backlog; TLS is negotiated in each connection's own thread."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address, ssl_context=None, msi_only=False, verbose=False):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.ssl_context = ssl_context
        self.msi_only = msi_only
        self.verbose = verbose
        self.app = None
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(30)
        try:
            conn = self.ssl_context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
            conn.do_handshake()
        except (ssl.SSLError, OSError):
            request.close()
            return
        try:
            conn.settimeout(IDLE_TIMEOUT)
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError)):
            return
        super().handle_error(request, client_address)


def check_loopback(host):
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError("the emulator only listens on loopback addresses (127.0.0.1, ::1, localhost), not %r" % host)


def url_host(host):
    return "[%s]" % host if ":" in host else host


def write_ready_file(path, info):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ready-", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(info, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)


def ready_info(app, host, port, msi_port, state_dir, scenario_path):
    base = app.base_url
    scenario = app.scenario
    tenant = scenario["tenants"][0]
    client = tenant["clients"][0] if tenant["clients"] else {}
    http_endpoint = "http://%s:%d/msi/token" % (url_host(host), msi_port)
    return {
        "version": __version__,
        "pid": os.getpid(),
        "host": host,
        "port": port,
        "base_url": base,
        "authority_host": base,
        "resource_manager_url": base,
        "audience": base,
        "ca_path": os.path.join(state_dir, "ca.pem"),
        "state_dir": state_dir,
        "scenario": scenario_path,
        "scenario_name": scenario["name"],
        "tenant_id": tenant["id"],
        "client_id": client.get("client_id"),
        "subscription_id": scenario["subscriptions"][0]["id"],
        "identity_endpoint": base + "/msi/token",
        "identity_endpoint_http": http_endpoint,
        "msi_http_port": msi_port,
        "identity_header_name": HEADER,
        "identity_header": app.identity_secret,
        "client_certificates": app.client_certificates,
        "federated_token_files": app.federated_token_files,
        "inspection_url": base + "/_emulator",
        "started_at": app.clock.start_epoch,
    }


def serve(args):
    """Start, announce readiness, serve until SIGTERM/SIGINT.  Returns the exit code."""
    host = check_loopback(args.host)
    scenario = load(args.scenario)
    state_dir = os.path.abspath(args.state_dir or tempfile.mkdtemp(prefix="upgradegate-emulator-"))
    os.makedirs(state_dir, exist_ok=True)
    ca_cert, ca_key = load_or_create_ca(state_dir)
    context = server_context(*issue_server_cert(state_dir, ca_cert, ca_key))
    https = EmulatorServer((host, args.port), context, verbose=args.verbose)
    plain = EmulatorServer((host, args.msi_http_port), None, msi_only=True, verbose=args.verbose)
    port, msi_port = https.server_address[1], plain.server_address[1]
    app = Emulator(scenario, "https://%s:%d" % (url_host(args.host if args.host == "localhost" else host), port), state_dir)
    https.app = plain.app = app

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stop.set())
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True) for s in (https, plain)]
    for thread in threads:
        thread.start()

    info = ready_info(app, host, port, msi_port, state_dir, os.path.abspath(args.scenario))
    if args.ready_file:
        write_ready_file(args.ready_file, info)
    sys.stdout.write("READY %s\n" % json.dumps(info, sort_keys=True))
    sys.stdout.flush()

    while not stop.wait(0.1):
        pass
    for server in (https, plain):
        server.shutdown()
        server.server_close()
    if args.ready_file and os.path.exists(args.ready_file):
        os.remove(args.ready_file)
    sys.stdout.write("STOPPED\n")
    sys.stdout.flush()
    return 0
