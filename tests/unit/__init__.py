"""Fast tests: rules, extraction, config and store on facts and pages in memory (no server, browser or crawl)."""
