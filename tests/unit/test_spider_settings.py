"""What Scrapy's per-response callback check (WARN_ON_GENERATOR_RETURN_VALUE, switched off in spiders/settings.py
because it re-parses the callback's source for every page) would have caught, checked once here: no generator
method of our spider returns a value, which Scrapy would silently drop."""

from __future__ import annotations

import inspect

from scrapy.utils.misc import is_generator_with_return_value

from spiders import settings
from spiders.site import SiteSpider


def test_the_per_response_check_is_off_and_done_here_once():
    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    generators = [
        fn
        for cls in SiteSpider.__mro__
        if cls.__module__.startswith("spiders.")
        for fn in vars(cls).values()
        if inspect.isgeneratorfunction(fn)
    ]
    assert len(generators) >= 1  # the spider's callbacks are generators
    assert [fn.__qualname__ for fn in generators if is_generator_with_return_value(fn)] == []


def test_the_check_would_catch_a_generator_that_returns_a_value():
    def callback(response):
        yield response
        return "lost"

    assert is_generator_with_return_value(callback)
