# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Refuse every network connection that does not stay on loopback.

Tests may talk to 127.0.0.0/8 and ::1 only. The guard wraps the socket
calls that can send a packet (connect, connect_ex, sendto, sendmsg) and
name resolution, refuses anything else *before* it leaves the process,
and appends a line to the file named by ``UPGRADEGATE_NETGUARD_LOG`` so
that a refusal is seen even where a library (a credential chain, say)
catches the exception. ``sitecustomize.py`` beside this file installs the
guard in every child Python process whose PYTHONPATH includes this folder.
"""

import ipaddress
import os
import socket
import traceback

ENV_LOG = "UPGRADEGATE_NETGUARD_LOG"
LOOPBACK_NAMES = frozenset(("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"))
_INET_FAMILIES = (socket.AF_INET, socket.AF_INET6)


class NetworkGuardError(ConnectionRefusedError):
    """Raised instead of opening a connection that would leave loopback."""


def is_loopback_host(host):
    """True for loopback literals and names, None (a wildcard bind), and ''."""
    if host in (None, "", b""):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0]
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return address.is_loopback


def _is_address_literal(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(str(host).strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _refuse(what, host, port):
    message = (
        "NetworkGuard: blocked %s to %s:%s; tests may only talk to loopback "
        "(127.0.0.0/8, ::1). Configure auth and endpoints explicitly for the emulator." % (what, host, port)
    )
    log_path = os.environ.get(ENV_LOG)
    if log_path:
        where = "".join(traceback.format_stack(limit=8)[:-2])
        with open(log_path, "a", encoding="utf-8") as log:
            log.write("%s [pid %d]\n%s\n" % (message, os.getpid(), where))
    raise NetworkGuardError(message)


def _check_address(sock_family, address, what):
    if sock_family not in _INET_FAMILIES or not isinstance(address, tuple):
        return
    host, port = address[0], address[1]
    if not is_loopback_host(host):
        _refuse(what, host, port)


def install():
    """Install the guard in this process (idempotent)."""
    if getattr(socket, "_upgradegate_netguard", False):
        return
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_sendmsg = socket.socket.sendmsg
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        _check_address(self.family, address, "connection")
        return real_connect(self, address)

    def connect_ex(self, address):
        _check_address(self.family, address, "connection")
        return real_connect_ex(self, address)

    def sendto(self, data, *args):
        _check_address(self.family, args[-1], "datagram")
        return real_sendto(self, data, *args)

    def sendmsg(self, buffers, *args):
        if len(args) >= 3:
            _check_address(self.family, args[2], "datagram")
        return real_sendmsg(self, buffers, *args)

    def getaddrinfo(host, port, *args, **kwargs):
        # An address literal resolves without the network; connect() judges it.
        if not is_loopback_host(host) and not _is_address_literal(host):
            _refuse("name lookup", host, port)
        return real_getaddrinfo(host, port, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.socket.sendmsg = sendmsg
    socket.getaddrinfo = getaddrinfo
    socket._upgradegate_netguard = True  # pylint: disable=protected-access


def read_violations(log_path):
    """The refusals recorded so far, one string each."""
    try:
        with open(log_path, encoding="utf-8") as log:
            text = log.read()
    except FileNotFoundError:
        return []
    return text.split("NetworkGuard: ")[1:]
