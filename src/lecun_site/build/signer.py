"""The signer: what a cold build's pages read, recorded after the build, in the background.

Recording every read (render/reads.py) makes a page's render about half as slow again, and a
cold build (no reads from a last build) gains nothing from it: every page renders anyway. So a
large cold `build` renders without recording, puts the site in place and returns; its build
cache holds then only the state a build with nothing to do needs (each page's file), and the
pages are *unsigned* (traces.Traces.unsigned). `Signer.start()` forks a detached process, at
a lower priority, that

1. saves what the build left for it: the parsed files;
2. renders every page again from the same graph and templates, recording what it reads, and
   writes nothing (rendering is a pure function of what it reads: these are the reads of the
   pages in the output); the markdown bodies it compiles meanwhile are kept in the cache (the
   build looked bodies up there but kept none);
3. saves those reads in the cache's state, if the cache is still the one its build wrote.

While it runs it holds `sign.lock` in the cache folder: a `build` or `serve` that opens the
cache waits for it (saying so), then starts from signed pages and renders only what changed.
If it fails, it says why in `sign.log`, which the next build reports; that build is then cold
again. Small sites (fewer than SIGN_LATER_FROM pages) record while they render, as does every
build where forking is unsafe or unavailable; `build --no-cache` records nothing at all.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..render.page import Renderer
from .cache import SIGN_LOCK, SIGN_LOG, BuildCache
from .core import BuildOptions, Outcome, PARALLEL_MIN_PAGES, sign, site_theme

# From how many pages a cold build leaves recording to the signer: below it, recording costs
# less than starting a process (the rendering itself is not parallel below PARALLEL_MIN_PAGES).
SIGN_LATER_FROM = PARALLEL_MIN_PAGES

_MAX_FD = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024
NICENESS = 10  # the signer yields to whatever else runs (a next build, the browser, Pagefind)


class Signer:
    """The signing a deferred build left to do (`build_site` returns it; the CLI starts it)."""

    def __init__(self, cache: BuildCache, outcome: Outcome, options: BuildOptions) -> None:
        self.cache = cache
        self.outcome = outcome
        self.options = options

    def start(self) -> int | None:
        """Fork the detached signer and return its process id; sign here (and return None)
        where forking is unsafe. The parent is back at once: the child forks the signer and
        ends, so that it belongs to no terminal and leaves no process to wait for."""
        from ..parallel import can_fork

        if not can_fork():
            self.sign_here()
            return None
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # nothing buffered here is written twice by the child
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            try:
                os.close(read)
                os.setsid()
                if os.fork():
                    os._exit(0)
                os.write(write, str(os.getpid()).encode())
                os.close(write)
                self._detached()
            finally:
                os._exit(1)
        os.close(write)
        try:
            signer = os.read(read, 32).decode() or None
        finally:
            os.close(read)
            os.waitpid(pid, 0)
            self.cache.release()  # the signer has its own copies of the descriptors (and the lock)
        return int(signer) if signer else None

    def sign_here(self) -> None:
        """Sign in this process (where forking is unsafe); a failure is a notice, as in the background."""
        try:
            self._sign()
        except Exception as exc:
            self.cache.notices.append(f"what the pages read could not be recorded ({_reason(exc)}); "
                                      "the next build with a change renders every page")
        finally:
            self.cache.release()

    def _detached(self) -> None:
        """The signer process: no terminal, lower priority, and its failures written to sign.log."""
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        lock = self.cache.sign_lock
        # nothing else inherited stays open (a pipe the caller waits on, a terminal, a socket):
        # only the lock and the store of compiled bodies, which it goes on reading
        store = self.cache.markdown
        keep = sorted({lock, devnull} | ({store.descriptor} if store is not None and store.descriptor is not None else set()))
        start = 3
        for fd in keep:
            os.closerange(start, fd)
            start = fd + 1
        os.closerange(start, _MAX_FD)
        os.ftruncate(lock, 0)
        os.write(lock, str(os.getpid()).encode())
        try:
            os.nice(NICENESS)
        except OSError:
            pass
        code = 0
        try:
            self._sign()
        except BaseException as exc:  # noqa: BLE001 - the process ends here, whatever happened
            code = 1
            if self._still_ours():
                try:
                    (self.cache.folder / SIGN_LOG).write_text(_reason(exc) + "\n", encoding="utf-8")
                except OSError:
                    pass
        os._exit(code)

    def _sign(self) -> None:
        from .pipeline import fewer_collections

        cache, outcome = self.cache, self.outcome
        if not self._still_ours():
            return  # the cache folder was removed or made anew: nothing here is ours to complete
        with fewer_collections():
            cache.save_parsed()
            old = outcome.renderer
            renderer = Renderer(outcome.graph, site_theme(self.options), local=self.options.local,
                                drafts=self.options.drafts, env=old.env)
            renderer.social_cards = old.social_cards
            store = renderer.markdown.store = cache.markdown_store()
            store.adding = True  # the build kept none of the bodies it compiled: this render keeps them
            traces = sign(renderer, self.options, outcome.jobs, outcome.traces)
            if not self._still_ours():
                return
            store.save(renderer.markdown.used)  # every page rendered: the bodies they use, no others
        if self._still_ours():
            cache.state.traces = traces
            cache.save_state()

    def _still_ours(self) -> bool:
        """Whether the cache folder is the one whose lock this signer holds (not removed, or
        removed and made again by another build)."""
        try:
            return os.fstat(self.cache.sign_lock).st_ino == os.stat(Path(self.cache.folder) / SIGN_LOCK).st_ino
        except OSError:
            return False


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
