"""The preview server: serves the output folder, live-reloads browsers, shows build errors.

Standard library only (http.server). Every HTML response gets a small script injected
before </body> (never written into the output folder). The script listens to a
Server-Sent Events stream at /__lecun/events:

- `reload` {urls, all}: reload if this page is among the changed ones (scroll kept);
- each page carries the epoch (build count) it was served at and connects with `?since=`
  that epoch: a build that ended between serving the page and the stream opening, or two
  builds in quick succession, are caught up on, never missed (State.changes_since);
- `problems` [{path, line, column, message, hint}…]: show an overlay listing them (built
  with textContent, so nothing in a message can run); the last good site stays served;
- after problems, the next `reload` removes the overlay and reloads.

Requests that resolve outside the output folder get 404, never a file from elsewhere.
The server takes no part in building: `serve()` in cli.py wires a Builder and a Watcher to it.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import posixpath
import socket
import threading
from collections import deque
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

EVENTS_PATH = "/__lecun/events"
STATUS_PATH = "/__lecun/status"

CLIENT_SCRIPT = """<script>/* lecun-site live reload (dev server only) */
(function () {
  var key = "lecun-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var y = parseInt(saved, 10) || 0;
    window.scrollTo(0, y);
    window.addEventListener("load", function () { window.scrollTo(0, y); });
  }
  var shown = false;
  function here() { return location.pathname.replace(/index\\.html$/, ""); }
  function reload() { sessionStorage.setItem(key, String(window.scrollY)); location.reload(); }
  function hide() { var o = document.getElementById("lecun-overlay"); if (o) { o.remove(); } shown = false; }
  function show(problems) {
    hide();
    var o = document.createElement("div");
    o.id = "lecun-overlay";
    o.setAttribute("role", "alert");
    o.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,24,.94);color:#fff;" +
      "font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem;overflow:auto";
    var h = document.createElement("h2");
    h.textContent = "Build failed: " + problems.length + " problem(s). The last good version is still served.";
    h.style.cssText = "color:#ff8f8f;font:bold 18px/1.4 system-ui,sans-serif;margin:0 0 1rem";
    o.appendChild(h);
    problems.forEach(function (p) {
      var item = document.createElement("pre");
      item.className = "lecun-problem";
      item.style.cssText = "white-space:pre-wrap;margin:0 0 1rem;border-left:3px solid #ff8f8f;padding-left:1rem";
      var where = (p.path || "") + (p.line ? ":" + p.line : "") + (p.column ? ":" + p.column : "");
      item.textContent = where + (where ? ": " : "") + p.message + (p.hint ? "\\n    hint: " + p.hint : "");
      o.appendChild(item);
    });
    document.body.appendChild(o);
    shown = true;
  }
  var source = new EventSource("__EVENTS__?since=__EPOCH__");
  // for tools that drive the page (the benchmark): the live-reload connection is open
  source.addEventListener("open", function () { document.documentElement.setAttribute("data-lecun-live", "open"); });
  source.addEventListener("problems", function (e) { show(JSON.parse(e.data)); });
  source.addEventListener("reload", function (e) {
    var data = JSON.parse(e.data);
    if (shown || data.all || data.urls.indexOf(here()) >= 0) { reload(); }
  });
  source.addEventListener("ok", function () { if (shown) { reload(); } });
})();
</script>
"""


class State:
    """What the server tells browsers: an epoch that grows with every build, and its outcome."""

    HISTORY = 256  # builds remembered; a page older than that reloads whatever changed

    def __init__(self, base_path: str = "/") -> None:
        self.prefix = base_path.rstrip("/")  # the site's URLs are served under it
        self.epoch = 0
        self.problems: list[dict] = []
        self._history: deque[tuple[tuple[str, ...], bool]] = deque(maxlen=self.HISTORY)  # per epoch
        self.cond = threading.Condition()
        self.closing = False

    def reloaded(self, urls: list[str], all_pages: bool = False) -> None:
        with self.cond:
            self.epoch += 1
            self.problems = []
            self._history.append((tuple(self.prefix + url for url in urls), all_pages))
            self.cond.notify_all()

    def failed(self, problems: list[dict]) -> None:
        with self.cond:
            self.epoch += 1
            self.problems = list(problems)
            self._history.append(((), False))
            self.cond.notify_all()

    def changes_since(self, epoch: int) -> tuple[list[str], bool]:
        """(the URLs changed by the builds after `epoch`, whether every page changed); hold `cond`."""
        behind = self.epoch - epoch
        if behind <= 0:
            return [], False
        if behind > len(self._history):
            return [], True
        urls: dict[str, None] = {}
        every = False
        for changed, all_pages in list(self._history)[-behind:]:
            urls.update(dict.fromkeys(changed))
            every = every or all_pages
        return list(urls), every

    def close(self) -> None:
        with self.cond:
            self.closing = True
            self.cond.notify_all()


def make_handler(root: Path, state: State, events_path: str = EVENTS_PATH):
    root = root.resolve()
    prefix = state.prefix
    script = CLIENT_SCRIPT.replace("__EVENTS__", events_path).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        server_version = "lecun-site"
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # quiet: the terminal shows rebuilds, not requests
            pass

        def do_HEAD(self):
            self.do_GET(head=True)

        def do_GET(self, head: bool = False):
            parts = urlsplit(self.path)
            path = parts.path
            if path == events_path:
                return self.events(parts.query)
            if path == STATUS_PATH:
                body = json.dumps({"epoch": state.epoch, "problems": state.problems}).encode("utf-8")
                return self.send(HTTPStatus.OK, "application/json", body, head)
            if prefix:  # served under the site's base path, as it will be published
                if path in ("/", prefix):
                    return self.redirect(prefix + "/")
                if not path.startswith(prefix + "/"):
                    return self.not_found(head)
                path = path[len(prefix):]
            epoch = state.epoch  # read before the file: a build that ends meanwhile is caught up on
            file = self.resolve(path)
            if file is None:
                return self.not_found(head)
            if file.is_dir():
                if not path.endswith("/"):
                    return self.redirect(prefix + path + "/")
                file = file / "index.html"
                if not file.is_file():
                    return self.not_found(head)
            try:
                body = file.read_bytes()
            except OSError:
                return self.not_found(head)
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if kind == "text/html":
                body = inject(body, script.replace(b"__EPOCH__", str(epoch).encode()))
            if kind.startswith("text/") or kind in ("application/xml", "application/javascript", "image/svg+xml"):
                kind += "; charset=utf-8"
            self.send(HTTPStatus.OK, kind, body, head)

        def resolve(self, url_path: str) -> Path | None:
            """The file a URL names, or None when it is outside the output folder or missing."""
            clean = posixpath.normpath(unquote(url_path))
            if "\x00" in clean:
                return None
            parts = [p for p in clean.split("/") if p not in ("", ".")]
            if any(p == ".." for p in parts):
                return None
            candidate = root.joinpath(*parts)
            try:
                real = candidate.resolve(strict=True)
            except (OSError, RuntimeError):
                return None
            if real != root and root not in real.parents:
                return None
            return real

        def redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def not_found(self, head: bool) -> None:
            page = root / "404.html"
            body = inject(page.read_bytes(), script) if page.is_file() else b"<h1>404</h1>"
            self.send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body, head)

        def send(self, status, kind: str, body: bytes, head: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def events(self, query: str = "") -> None:
            since = parse_qs(query).get("since", [""])[0]
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            with state.cond:
                seen = state.epoch
                problems = list(state.problems)
                # what changed since the epoch the page was served at (none given, or a bad one: nothing)
                missed, every = state.changes_since(int(since)) if since.isascii() and since.isdigit() else ([], False)
            try:
                self.emit("hello", {"epoch": seen})
                if problems:
                    self.emit("problems", problems)
                elif missed or every:
                    self.emit("reload", {"urls": missed, "all": every, "epoch": seen})
                while True:
                    with state.cond:
                        state.cond.wait_for(lambda: state.epoch != seen or state.closing, timeout=15)
                        if state.closing:
                            return
                        if state.epoch == seen:
                            message = None
                        else:
                            urls, every = state.changes_since(seen)  # every build since, not only the last
                            seen = state.epoch
                            message = ("problems", list(state.problems)) if state.problems else (
                                "reload", {"urls": urls, "all": every, "epoch": seen})
                    if message is None:
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                    else:
                        self.emit(*message)
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

        def emit(self, event: str, data) -> None:
            payload = json.dumps(data, ensure_ascii=False)
            self.wfile.write(f"event: {event}\ndata: {payload}\n\n".encode("utf-8"))
            self.wfile.flush()

    return Handler


def inject(html: bytes, script: bytes) -> bytes:
    marker = html.rfind(b"</body>")
    if marker == -1:
        return html + script
    return html[:marker] + script + html[marker:]


class DevServer:
    """A threaded HTTP server over the output folder, bound to `host` (127.0.0.1 by default)."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000, tries: int = 10,
                 base_path: str = "/") -> None:
        self.state = State(base_path)
        handler = make_handler(root, self.state)
        self.requested_port = port
        last_error: OSError | None = None
        for candidate in ([port] if port == 0 else range(port, port + tries)):
            try:
                self.httpd = ThreadingHTTPServer((host, candidate), handler)
                break
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                last_error = exc
        else:
            raise OSError(errno.EADDRINUSE, f"ports {port}–{port + tries - 1} on {host} are all in use") from last_error
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="lecun-http", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.state.prefix}/"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.state.close()
        if self._thread.is_alive():
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
