"""Benchmarks for lecun-site: a synthetic corpus generator and a runner.

    python benchmarks/gen_corpus.py --notes 1000 --out /tmp/corpus
    python -m benchmarks.run --notes 1000 4000 --json results.json

See benchmarks/README.md.
"""
