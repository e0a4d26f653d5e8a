"""Only for scrapyd-deploy, which builds the project's egg with `python setup.py bdist_egg`.

Everything is declared in pyproject.toml (including the ``scrapy`` entry point Scrapyd reads the
settings module from); without this file scrapyd-deploy writes its own setup.py, whose entry
point pyproject.toml would override.
"""

from setuptools import setup

setup()
