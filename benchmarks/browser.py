"""A one-note edit as the writer sees it: from the save to the open page showing the new text.

    python -m benchmarks.browser --content C --out O --note SLUG [--edits 3] [--result R.json]

Starts the real `lecun-site serve --no-search` on 127.0.0.1 (any free port), opens the note's
English page in Debian's Chromium (playwright), waits until the page's live-reload connection
is open and half a second more (the page and the server settled, as a writer finds them),
then appends a sentence with a unique marker to the note's file, `--edits` times, half a
second apart once the reloaded page is connected again, and times each from just before the
write to the moment the page's text contains the marker (polled every few milliseconds). That is the whole path of issue 7's "browser ≤ 200 ms":
watcher debounce, rebuild, server-sent event, reload and paint. The note is restored and the
server stopped (Ctrl-C, as a writer stops it) at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]


def unavailable() -> str | None:
    """Why the measurement cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def measure(content: Path, out: Path, note: str, edits: int = 3, start_timeout: float = 900.0,
            edit_timeout: float = 30.0) -> dict:
    from playwright.sync_api import sync_playwright

    note_file = content / "notes" / f"{note}.en.md"
    original = note_file.read_bytes()
    log = out.parent / f"{out.name}-serve.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle:
        server = subprocess.Popen([sys.executable, "-u", "-m", "lecun_site", "serve", "--content", str(content),
                                   "--out", str(out), "--port", "0", "--no-search"],
                                  stdout=handle, stderr=subprocess.STDOUT, env=env)
    result: dict = {"ok": False, "edits_ms": []}
    try:
        url = _wait_for_url(server, log, start_timeout)
        result["first_build_seconds"] = time.perf_counter() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page()
                page.goto(f"{url}en/notes/{note}/")
                _wait_until_connected(page)
                # as before every later save: the page and the server settle first (saved within
                # milliseconds of the page opening, the first save took 180-300 ms instead of ~155)
                time.sleep(0.5)
                for number in range(edits):
                    marker = f"benchmark-edit-{number}-{os.getpid()}"
                    written = time.perf_counter()
                    with open(note_file, "a", encoding="utf-8") as handle:
                        handle.write(f"\nOne more sentence, {marker}.\n")
                    _wait_for_text(page, marker, edit_timeout)
                    result["edits_ms"].append((time.perf_counter() - written) * 1000)
                    _wait_until_connected(page)  # the page has reloaded: its new connection must be open
                    time.sleep(0.5)
            finally:
                browser.close()
        result["ok"] = True
        result["median_ms"] = statistics.median(result["edits_ms"])
    except Exception as exc:  # reported in the result, like a failed build in the other workers
        result["problems"] = [f"{type(exc).__name__}: {exc}"]
    finally:
        note_file.write_bytes(original)
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        result["serve_log_tail"] = log.read_text(encoding="utf-8", errors="replace").splitlines()[-5:]
    return result


def _wait_for_url(server: subprocess.Popen, log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(r"serving \S+ at (http://127\.0\.0\.1:\d+/\S*)", log.read_text(encoding="utf-8", errors="replace"))
        if match:
            return match[1]
        if server.poll() is not None:
            raise RuntimeError("serve exited before serving: " + log.read_text(encoding="utf-8")[-2000:])
        time.sleep(0.1)
    raise TimeoutError(f"serve did not start within {timeout:.0f} s")


def _wait_until_connected(page) -> None:
    """Until the page's live-reload connection is open (serve's script marks the page then)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if page.evaluate("document.documentElement.getAttribute('data-lecun-live') === 'open'"):
                return
        except Exception:
            pass  # the page is between documents
        time.sleep(0.02)
    raise TimeoutError("the page's live-reload connection did not open")


def _wait_for_text(page, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate("t => document.body !== null && document.body.innerText.includes(t)", text):
                return
        except Exception:
            pass  # a reload is under way: the old document is gone, the new one not yet there
        time.sleep(0.003)
    raise TimeoutError(f"the page did not show the edit within {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--note", required=True, help="slug of the note to edit (its .en.md file)")
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--result", type=Path, default=None, help="JSON file to write")
    args = parser.parse_args(argv)
    reason = unavailable()
    result = {"ok": False, "problems": [reason]} if reason else measure(args.content, args.out, args.note, args.edits)
    text = json.dumps(result, indent=1)
    if args.result:
        args.result.write_text(text, encoding="utf-8")
    print(text)
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
