"""lecun-site: a static site generator for bilingual (zh + en) documentary-notes websites.

Data flow (see docs/architecture.md)::

    content/ --loader--> records --graph--> SiteGraph --pages--> [PageJob] --render--> HTML --pipeline--> _site/
"""

__version__ = "0.1.0"
