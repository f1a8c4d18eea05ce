# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The side channel between the module and the controller: lines in order, once, and never a failure."""

import os
import stat

import pytest

from ansible_collections.upgradegate.azure.plugins.module_utils._relay import RELAY_FILE, Relay, Sink, sink_for


def test_every_complete_line_reaches_the_controller_once_and_in_order(tmp_path):
    shown = []
    relay = Relay(shown.append, str(tmp_path), interval=3600)  # not started: read by hand
    assert stat.S_IMODE(os.stat(relay.path).st_mode) == 0o600
    sink = sink_for(str(tmp_path), no_log=False)
    sink.emit("first")
    relay._read()  # pylint: disable=protected-access
    sink.emit("second\nhalf")  # a newline inside a line never splits it
    with open(relay.path, "ab") as stream:
        stream.write(b"partial without end")
    relay._read()  # pylint: disable=protected-access
    assert shown == ["first", "second half"]
    with open(relay.path, "ab") as stream:
        stream.write(b" and its end\n")
    sink.close()
    relay.close()
    assert shown == ["first", "second half", "partial without end and its end"]
    assert not os.path.exists(relay.path)


def test_the_relay_thread_prints_lines_while_the_module_still_writes(tmp_path):
    shown = []
    relay = Relay(shown.append, str(tmp_path), interval=0.01).start()
    sink = Sink(relay.path)
    sink.emit("one")
    # wait by polling, without any bound on time: the thread must show it before close() is called
    while not shown:
        os.sched_yield()
    assert shown == ["one"]
    relay.close()


def test_a_relay_never_takes_over_an_existing_file(tmp_path):
    (tmp_path / RELAY_FILE).write_text("someone else's\n")
    with pytest.raises(OSError):
        Relay(print, str(tmp_path))


def test_no_sink_without_a_relay_file_or_under_no_log(tmp_path):
    assert sink_for(None, no_log=False) is None
    assert sink_for(str(tmp_path), no_log=False) is None
    (tmp_path / RELAY_FILE).write_text("")
    assert sink_for(str(tmp_path), no_log=True) is None
    assert sink_for(str(tmp_path), no_log=False) is not None


def test_a_sink_never_creates_a_file_and_a_failed_write_is_silent(tmp_path):
    path = tmp_path / "gone.log"
    sink = Sink(str(path))
    sink.emit("lost")
    sink.emit("lost too")
    assert not path.exists()


def test_the_sink_censors_before_writing(tmp_path):
    path = tmp_path / "progress.log"
    path.write_text("")
    sink = Sink(str(path), censor=lambda text: text.replace("s3cret", "********"))
    sink.emit("error: s3cret")
    sink.close()
    assert path.read_text() == "error: ********\n"
