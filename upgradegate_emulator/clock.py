# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated clock: real time since start, scaled, advanceable, freezable."""

import threading
import time


class Clock:
    """Emulated time.

    `elapsed()` is seconds since the emulator started, `now()` the matching
    epoch.  Real time is multiplied by `scale`; `advance()` jumps ahead;
    `freeze()` stops the flow of real time until `resume()`.
    """

    def __init__(self, scale=1.0, monotonic=time.monotonic, wall=time.time):
        self._monotonic = monotonic
        self.start_epoch = wall()
        self._lock = threading.Lock()
        self._scale = float(scale)
        self._base_elapsed = 0.0
        self._base_mono = monotonic()
        self._frozen = False

    def _flowing(self):
        if self._frozen:
            return 0.0
        return (self._monotonic() - self._base_mono) * self._scale

    def elapsed(self):
        with self._lock:
            return self._base_elapsed + self._flowing()

    def now(self):
        return self.start_epoch + self.elapsed()

    @property
    def scale(self):
        return self._scale

    @property
    def frozen(self):
        return self._frozen

    def _rebase(self):
        self._base_elapsed += self._flowing()
        self._base_mono = self._monotonic()

    def advance(self, seconds):
        with self._lock:
            self._rebase()
            self._base_elapsed += float(seconds)

    def freeze(self):
        with self._lock:
            self._rebase()
            self._frozen = True

    def resume(self):
        with self._lock:
            self._rebase()
            self._frozen = False

    def set_scale(self, scale):
        with self._lock:
            self._rebase()
            self._scale = float(scale)

    def describe(self):
        return {"elapsed": self.elapsed(), "now": self.now(), "start_epoch": self.start_epoch,
                "scale": self._scale, "frozen": self._frozen}
