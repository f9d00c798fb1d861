"""The crawl layer: runs the Scrapy spiders of ``spiders/`` and writes what they yield to the store.

``runner`` (one crawler per site, the store pipeline), ``reuse`` (conditional re-crawl), ``resume``
(continue a killed crawl), ``browser`` (Playwright for script-built pages), ``accounts`` (new-media
feeds), ``evidence`` (screenshots of findings), ``heap`` (the garbage collector set for one long batch of work, used
by the crawl, the check and the command line). Imports spiders, store, config and model only.
"""
