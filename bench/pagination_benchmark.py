"""Benchmark: what following pagination on every page costs a page (issue 12.3).

Not a test. Reads the team corpus's HTML pages (``../shared/corpus``, real government and news pages) and
prints, per page, the time of ``pagination_urls`` with the page text given (plain substring checks first,
the xpath work only on pages with a pagination hint), the same without the gate, and one
``//body//text()`` pass of the spider for scale.

    .venv/bin/python bench/pagination_benchmark.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsel import Selector  # noqa: E402

from spiders.encoding import decode_html  # noqa: E402
from spiders.pagination import has_pagination_hint, pagination_urls  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    pages = []
    for row in csv.DictReader((CORPUS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"):
        if not row["local_path"].endswith((".html", ".htm", ".shtml")):
            continue
        html, _ = decode_html((CORPUS / row["local_path"]).read_bytes(), http_charset=None)
        url = row["original_url"].split()[0] if row["original_url"].startswith("http") else "http://127.0.0.1/"
        pages.append((url, html, Selector(text=html)))

    def per_page(fn) -> float:
        t = time.perf_counter()
        for _ in range(args.rounds):
            for url, html, sel in pages:
                fn(url, html, sel)
        return (time.perf_counter() - t) / args.rounds / len(pages) * 1000

    gated = per_page(lambda u, h, s: pagination_urls(s, u, max_pages=50, html=h))
    ungated = per_page(lambda u, h, s: pagination_urls(s, u, max_pages=50))
    hint = per_page(lambda u, h, s: has_pagination_hint(h))
    text = per_page(lambda u, h, s: s.xpath("//body//text()").getall())
    hinted = sum(has_pagination_hint(h) for _, h, _ in pages)
    print(f"{len(pages)} corpus pages ({hinted} with a pagination hint), per page:")
    print(f"  substring gate alone          {hint:7.3f} ms")
    print(f"  pagination_urls, gated        {gated:7.3f} ms")
    print(f"  pagination_urls, no gate      {ungated:7.3f} ms")
    print(f"  one //body//text() pass       {text:7.3f} ms")


if __name__ == "__main__":
    main()
