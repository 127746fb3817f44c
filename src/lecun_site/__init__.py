"""lecun-site: a static site generator for bilingual (zh + en) documentary-notes websites.

Data flow (see README.md, "How the code is organised")::

    content/ --loader--> records --graph--> SiteGraph --pages--> [PageJob] --render--> HTML --pipeline--> _site/
"""

__version__ = "0.1.0"
