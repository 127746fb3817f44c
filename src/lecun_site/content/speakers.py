"""Speaker labels as transcripts write them, shared by the build (transcripts.py) and
`import-transcript` (importer/turns.py), so that both read the same conventions:
`**Name:**`, and a plain `Name:` / `Name：` when the name is declared, is written in capitals
(`ANDREW NG:`, as captions write it) or is used as a label at least twice."""

from __future__ import annotations

import re

CJK = r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"

NAME_LABEL_RE = re.compile(r"^([^:：\n]{1,40}?)\s*[:：](?!//)\s*")

_PARTICLES = {"de", "van", "von", "der", "den", "le", "la", "du", "da", "di", "del", "bin", "al", "ibn", "y", "of"}


def is_name(text: str) -> bool:
    """A speaker name as transcripts write it: 1–10 Chinese characters, or 1–4 capitalised words."""
    if re.fullmatch(f"[{CJK}][{CJK}·・]{{0,9}}", text):
        return not re.search(r"[\u3000-\u303f\uff01-\uff1f]", text)  # no sentence punctuation
    words = text.split()
    if not 1 <= len(words) <= 4:
        return False
    for i, word in enumerate(words):
        if not re.fullmatch(r"[^\W\d_][\w.'’\-]*", word) or any(c.isdigit() or c == "_" for c in word):
            return False
        if not word[0].isupper() and (i == 0 or word not in _PARTICLES):
            return False
    return True


def is_caption_caps(name: str) -> bool:
    """`ANDREW NG:` — closed captions write speaker names in capitals; that is a label even once."""
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def name_label(text: str) -> tuple[str, str] | None:
    """(name, rest) when the line starts with something shaped like `Name:`."""
    match = NAME_LABEL_RE.match(text)
    if match and is_name(match[1].strip()):
        return match[1].strip(), text[match.end():]
    return None
