"""The crawl layer: runs the Scrapy spiders of ``spiders/`` and writes what they yield to the store.

``runner`` (one crawler per site, the store pipeline), ``reuse`` (conditional re-crawl), ``resume``
(continue a killed crawl), ``browser`` (Playwright for script-built pages), ``accounts`` (new-media
feeds), ``evidence`` (screenshots of findings). Imports spiders, store, config and model only.
"""
