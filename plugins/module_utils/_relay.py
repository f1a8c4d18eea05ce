# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The side channel that carries progress lines from the module's process to the controller's output.

Ansible captures a module's stdout and reads it only when the module ends, so
lines printed there would arrive with the result. For a module that runs on
the controller's machine (a local connection, not under ``async``) the action
plugin creates the file ``RELAY_FILE`` in the task's temporary directory,
which Ansible gives the module as its ``tmpdir``, and a ``Relay`` thread on
the controller prints each complete line the module appends to it, as it
arrives. ``Sink`` is the module's end: it writes only to a file that already
exists (it never creates one), and the first error writing it silences it,
so progress can never fail or change the gate. Nothing is added to the
module's options: a module that finds no relay file prints nothing.
"""

import os
import threading

# How often the controller looks for new lines, in seconds.
POLL_SECONDS = 0.2
RELAY_FILE = "upgradegate-progress.log"


class Sink:
    """Appends lines to the relay's file; does nothing once a write has failed."""

    def __init__(self, path, censor=None):
        self._path = path
        self._censor = censor
        self._fd = None
        self._broken = False

    def emit(self, text):
        if self._broken:
            return
        if self._censor is not None:
            text = self._censor(text)
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND)
            os.write(self._fd, (text.replace("\n", " ") + "\n").encode("utf-8", "replace"))
        except OSError:
            self._broken = True

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def sink_for(tmpdir, no_log, censor=None):
    """The module's Sink on the relay file in ``tmpdir``, or None when there is none or the task is ``no_log``."""
    path = os.path.join(tmpdir, RELAY_FILE) if tmpdir else None
    if path is None or no_log or not os.path.isfile(path):
        return None
    return Sink(path, censor)


class Relay:
    """On the controller: a private file in ``directory`` the module appends lines to, and a thread that passes each complete line to ``emit``."""

    def __init__(self, emit, directory, interval=POLL_SECONDS):
        self._emit = emit
        self._interval = interval
        self.path = os.path.join(directory, RELAY_FILE)
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self._offset = 0
        self._partial = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="upgradegate-progress", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _follow(self):
        while not self._stop.wait(self._interval):
            self._read()

    def _read(self):
        try:
            with open(self.path, "rb") as stream:
                stream.seek(self._offset)
                data = stream.read()
        except OSError:
            return
        self._offset += len(data)
        *complete, self._partial = (self._partial + data).split(b"\n")
        for text in complete:
            if text.strip():
                self._emit(text.decode("utf-8", "replace"))

    def close(self):
        """Stop following, print the lines not printed yet, and remove the file."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._read()
        try:
            os.remove(self.path)
        except OSError:
            pass
