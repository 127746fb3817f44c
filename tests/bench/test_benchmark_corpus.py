"""The benchmark corpus generator (benchmarks/gen_corpus.py): deterministic, and it builds cleanly."""

from __future__ import annotations

from pathlib import Path

from benchmarks import gen_corpus
from lecun_site.cli import main


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first = _tree(gen_corpus.generate(20, tmp_path / "a", seed=7))
    second = _tree(gen_corpus.generate(20, tmp_path / "b", seed=7))
    other = _tree(gen_corpus.generate(20, tmp_path / "c", seed=8))
    assert first == second
    assert first != other
    notes = [name for name in first if name.startswith("notes/")]
    assert len(notes) == 40 and sum(name.endswith(".zh.md") for name in notes) == 20
    assert any(name.startswith("transcripts/") for name in first)
    assert any(name.startswith("timeline/") for name in first)
    assert len([name for name in first if name.startswith("people/")]) == 150
    assert len([name for name in first if name.startswith("topics/")]) == 40
    assert len([name for name in first if name.startswith("sources/")]) == 5


def test_corpus_builds_with_no_errors_through_the_cli(tmp_path: Path, capsys) -> None:
    content = gen_corpus.generate(20, tmp_path / "corpus", seed=1)
    code = main(["build", "--content", str(content), "--out", str(tmp_path / "site")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # no problem in the corpus itself (a missing search binary may still warn about `search`)
    assert str(content) not in captured.err, captured.err
    assert (tmp_path / "site" / "en" / "notes" / "note-00001" / "index.html").is_file()
    assert (tmp_path / "site" / "zh" / "people" / gen_corpus.HUB_PERSON / "index.html").is_file()
