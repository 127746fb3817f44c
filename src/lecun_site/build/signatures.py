"""Hashes the build core signs pages with: `stable_hash`, and each template's chain.

A page's signature is its *frame* (the template with everything it extends, includes or
imports, the page, the options) plus what its render read (reads.py); core.py puts them together.
"""

from __future__ import annotations

import hashlib

import jinja2.meta

from ..render.jinja_env import template_error


def stable_hash(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


class TemplateFingerprints:
    """Hash of each template together with everything it extends, includes or imports. A
    template that names another by a variable (which cannot be known before it renders) is
    hashed with every template of the site."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self._cache: dict[str, str] = {}
        self._parts: dict[str, tuple[str, list]] = {}  # name -> (source, names it refers to), each parsed once
        self._everything: str | None = None

    def __call__(self, name: str) -> str:
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = stable_hash(*sorted(self._chain(name, set())))
        return found

    def _chain(self, name: str, seen: set[str]) -> set[tuple[str, str]]:
        if name in seen:
            return set()
        seen.add(name)
        found = self._parts.get(name)
        if found is None:
            source, filename, _ = self.env.loader.get_source(self.env, name)
            try:
                tree = self.env.parse(source, name, filename)
            except jinja2.TemplateSyntaxError as exc:
                raise template_error(exc) from exc
            found = self._parts[name] = (source, list(jinja2.meta.find_referenced_templates(tree)))
        source, children = found
        parts = {(name, source)}
        for child in children:
            if child is None:
                parts.add(("*", self.everything()))
            else:
                parts |= self._chain(child, seen)
        return parts

    def everything(self) -> str:
        if self._everything is None:
            names = sorted(self.env.loader.list_templates())
            self._everything = stable_hash([(n, self.env.loader.get_source(self.env, n)[0]) for n in names])
        return self._everything
