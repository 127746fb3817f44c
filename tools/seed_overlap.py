"""Report runs of text in content/ copied from the seed documents.

Usage: python tools/seed_overlap.py [content-dir] [seeds-dir] [--min 15]

Lists every place where a content file repeats MIN or more consecutive Chinese
characters (everything else ignored: the seeds are Chinese) of a seed document. Direct quotes belong in
quotes/*.yaml, limited to one sentence; everything else must be our own words.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_NOT_CJK = re.compile(r"[^\u3400-\u9fff]+")


def normalise(text: str) -> str:
    return _NOT_CJK.sub("", text)


def shingles(text: str, size: int) -> set[str]:
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def overlaps(content: Path, seeds: Path, size: int = 15, skip_quotes: bool = True) -> list[tuple[str, str]]:
    seed_grams: set[str] = set()
    for seed in sorted(seeds.glob("*.txt")):
        seed_grams |= shingles(normalise(seed.read_text(encoding="utf-8")), size)
    found = []
    for path in sorted(content.rglob("*")):
        if not path.is_file() or path.suffix not in {".md", ".yaml", ".yml"}:
            continue
        if skip_quotes and path.parent.name == "quotes":
            continue
        text = normalise(path.read_text(encoding="utf-8"))
        i = 0
        while i <= len(text) - size:
            if text[i : i + size] in seed_grams:
                j = i + size
                while j < len(text) and text[j - size + 1 : j + 1] in seed_grams:
                    j += 1
                found.append((str(path), text[i:j]))
                i = j
            else:
                i += 1
    return found


def main(argv: list[str]) -> int:
    size = 15
    if "--min" in argv:
        k = argv.index("--min")
        size = int(argv[k + 1])
        del argv[k : k + 2]
    content = Path(argv[0] if argv else "content")
    seeds = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "seeds")
    found = overlaps(content, seeds, size)
    for path, run in found:
        print(f"{path}: copied run of {len(run)} chars: {run[:60]}")
    print(f"{len(found)} copied run(s) of {size}+ characters")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
