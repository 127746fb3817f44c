"""The preview server's live-reload stream (devserver.py), over real HTTP on 127.0.0.1: a page
learns of every build that changed it, however the builds and its connection interleave."""

import json
import re
import socket
import urllib.request
from pathlib import Path

import pytest

from lecun_site.serve.devserver import DevServer, State


@pytest.fixture
def dev(tmp_path: Path):
    site = tmp_path / "_site"
    (site / "en" / "a").mkdir(parents=True)
    (site / "en" / "a" / "index.html").write_text("<!DOCTYPE html><html><body><p>A</p></body></html>",
                                                  encoding="utf-8")
    server = DevServer(site, "127.0.0.1", 0)
    server.start()
    yield server
    server.stop()


def served_epoch(server: DevServer, path: str) -> int:
    with urllib.request.urlopen(server.url + path.lstrip("/"), timeout=5) as response:
        html = response.read().decode("utf-8")
    return int(re.search(r'EventSource\("/__lecun/events\?since=(\d+)"\)', html)[1])


def events(server: DevServer, since: int | str | None, count: int, timeout: float = 3.0) -> list[tuple[str, dict]]:
    """The first `count` events of the stream (a socket timeout fails the test if they never come)."""
    query = "" if since is None else f"?since={since}"
    found = []
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(f"GET /__lecun/events{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while len(found) < count:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            found = re.findall(rb"event: (\w+)\ndata: (.*)\n\n", data)
    return [(name.decode(), json.loads(payload)) for name, payload in found[:count]]


def test_a_build_that_ends_before_the_page_connects_still_reloads_it(dev):
    """CI once saw a person page opened just before a save never update: its stream opened
    after that build had ended, and the stream only spoke of builds after it opened."""
    epoch = served_epoch(dev, "/en/a/")
    dev.state.reloaded(["/en/a/"])
    assert events(dev, epoch, 2) == [("hello", {"epoch": epoch + 1}),
                                     ("reload", {"urls": ["/en/a/"], "all": False, "epoch": epoch + 1})]


def test_two_quick_builds_are_both_told(dev):
    epoch = served_epoch(dev, "/en/a/")
    dev.state.reloaded(["/en/a/"])
    dev.state.reloaded(["/en/b/"])
    [_, (name, data)] = events(dev, epoch, 2)
    assert name == "reload" and data["urls"] == ["/en/a/", "/en/b/"]


def test_an_up_to_date_page_hears_only_later_builds(dev):
    epoch = served_epoch(dev, "/en/a/")
    assert events(dev, epoch, 1) == [("hello", {"epoch": epoch})]
    with pytest.raises(socket.timeout):  # nothing else comes until a build ends
        events(dev, epoch, 2, timeout=0.5)


@pytest.mark.parametrize("since", ["", "abc", "%C2%B2", "-1"])
def test_a_missing_or_odd_epoch_means_from_now(dev, since):
    dev.state.reloaded(["/en/a/"])
    assert events(dev, since, 1) == [("hello", {"epoch": 1})]
    with pytest.raises(socket.timeout):  # no reload for a build before the stream opened
        events(dev, since, 2, timeout=0.5)


def test_a_failed_build_since_the_page_was_served_shows_its_problems(dev):
    epoch = served_epoch(dev, "/en/a/")
    dev.state.failed([{"path": "notes/a.md", "line": 2, "column": None, "message": "bad", "hint": None}])
    [_, (name, data)] = events(dev, epoch, 2)
    assert name == "problems" and data[0]["message"] == "bad"


def test_state_remembers_a_bounded_history():
    state = State()
    for i in range(State.HISTORY + 5):
        state.reloaded([f"/p{i}/"])
    with state.cond:
        assert state.changes_since(state.epoch) == ([], False)
        assert state.changes_since(state.epoch - 2) == ([f"/p{State.HISTORY + 3}/", f"/p{State.HISTORY + 4}/"], False)
        assert state.changes_since(0) == ([], True)  # older than what is remembered: reload
    state.failed([])
    state.reloaded(["/x/"], all_pages=True)
    with state.cond:
        assert state.changes_since(state.epoch - 2) == (["/x/"], True)
