"""Tests through the real components: loopback servers, crawls, Chromium, PostgreSQL, Redis, worker processes."""
