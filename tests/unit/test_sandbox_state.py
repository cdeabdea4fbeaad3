"""Sandbox state: files and modes, durations, locks."""

import stat
import threading
import time

import pytest

from coursecore.errors import UsageError
from coursecore.home import sandbox_dir
from sandbox import state
from sandbox.errors import SandboxBusy, SandboxError


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECOURSE_HOME", str(tmp_path / "kc"))
    return tmp_path / "kc"


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_save_load_round_trip_with_private_modes(home):
    saved = state.SandboxState(name="alice", cluster="kubecourse-alice", ttl=3600, lab="argo-salmon", nodes=2)
    folder = state.save(saved)
    assert state.load("alice") == saved
    assert mode(folder) == 0o700
    assert mode(folder / state.STATE_FILE) == 0o600
    assert mode(folder.parent) == 0o700
    assert state.names() == ["alice"]


def test_load_missing_is_none_and_garbage_is_an_error(home):
    assert state.load("nobody") is None
    folder = state.private_dir(sandbox_dir("broken"))
    (folder / state.STATE_FILE).write_text("{not json")
    with pytest.raises(SandboxError, match="failed to read sandbox state") as info:
        state.load("broken")
    assert "kubecourse down --name broken" in info.value.hint


def test_write_private_is_0600_even_with_a_permissive_umask(home, tmp_path):
    import os

    old = os.umask(0)
    try:
        state.write_private(tmp_path / "secret", "x")
    finally:
        os.umask(old)
    assert mode(tmp_path / "secret") == 0o600


def test_remove_deletes_the_folder(home):
    state.save(state.SandboxState(name="bob", cluster="kubecourse-bob"))
    state.remove("bob")
    assert state.names() == []
    assert state.load("bob") is None


def test_expiry():
    s = state.SandboxState(name="a", cluster="kubecourse-a", created=1000.0, ttl=60)
    assert not s.expired(now=1059)
    assert s.expired(now=1060)
    assert not state.SandboxState(name="a", cluster="kubecourse-a", created=0.0).expired()


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("45s", 45),
        ("90m", 5400),
        ("2h", 7200),
        ("1d12h", 129600),
        ("1h30m", 5400),
        (None, None),
        ("", None),
        ("0", None),
        ("none", None),
    ],
)
def test_parse_duration(text, seconds):
    assert state.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["2 hours", "h", "-1h", "1.5h", "1h 30m", "10"])
def test_parse_duration_refuses_garbage(text):
    with pytest.raises(UsageError, match="invalid duration"):
        state.parse_duration(text)


@pytest.mark.parametrize("seconds, text", [(None, "-"), (5, "5s"), (65, "1m05s"), (7500, "2h05m"), (90000, "1d01h")])
def test_format_duration(seconds, text):
    assert state.format_duration(seconds) == text


def test_lock_excludes_a_second_holder_and_times_out(home):
    with state.lock("alice"):
        assert state.is_locked("alice")
        started = time.monotonic()
        with pytest.raises(SandboxBusy) as info:
            with state.lock("alice", timeout=0.3):
                pass
        assert time.monotonic() - started >= 0.25
        assert info.value.exit_code == 3
    assert not state.is_locked("alice")
    assert mode(home / "locks" / "alice.lock") == 0o600


def test_waiter_gets_the_lock_when_the_holder_releases(home):
    order = []
    held = threading.Event()

    def holder():
        with state.lock("alice"):
            held.set()
            time.sleep(0.3)
            order.append("holder done")

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait()
    with state.lock("alice", timeout=5):
        order.append("waiter in")
    thread.join()
    assert order == ["holder done", "waiter in"]
