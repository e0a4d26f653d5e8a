"""The report's Jinja2 templates. A regular package, so they load from a source tree, an installed
wheel or a zipped Scrapyd egg alike (zipimport does not import namespace packages)."""
