# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The loopback-only guard: a test that reaches outside loopback fails, clearly."""

import socket
import textwrap

import pytest

import netguard

# RFC 5737 documentation address: never a real host. The guard refuses it before any packet is sent.
OUTSIDE = "192.0.2.1"


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("::ffff:127.0.0.1", True),
        ("169.254.169.254", False),
        ("10.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("management.azure.com", False),
        ("login.microsoftonline.com", False),
        (OUTSIDE, False),
    ],
)
def test_only_loopback_hosts_are_allowed(host, allowed):
    assert netguard.is_loopback_host(host) is allowed


def test_loopback_connection_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with server, socket.create_connection(server.getsockname(), timeout=5):
        pass


def _run_inner(pytester, body):
    pytester.makepyfile(test_inner=textwrap.dedent(body))
    return pytester.runpytest_subprocess("-p", "netguard_plugin", "-p", "no:cacheprovider")


def test_a_test_reaching_outside_loopback_fails_with_a_clear_message(pytester):
    result = _run_inner(
        pytester,
        """
        import socket

        def test_reaches_out():
            socket.create_connection(("%s", 443), timeout=1)
        """ % OUTSIDE,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*NetworkGuard: blocked connection to %s:443*loopback*" % OUTSIDE])


def test_a_refusal_swallowed_by_the_code_under_test_still_fails_the_test(pytester):
    result = _run_inner(
        pytester,
        """
        import socket

        def test_credential_chain_style():
            try:
                socket.create_connection(("169.254.169.254", 80), timeout=1)
            except OSError:
                pass  # a credential chain would catch this and move on
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*tried to leave loopback*", "*blocked connection to 169.254.169.254:80*"])


def test_a_child_process_reaching_outside_loopback_fails_the_test(pytester):
    result = _run_inner(
        pytester,
        """
        import subprocess, sys

        def test_child_reaches_out():
            subprocess.run([sys.executable, "-c", "import socket; socket.getaddrinfo('management.azure.com', 443)"])
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*blocked name lookup to management.azure.com:443*"])
