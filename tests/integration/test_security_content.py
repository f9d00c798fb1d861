"""Security suite: hostile text and hostile files (issue 14 items 4, 7, 9, 10, 14).

Control characters and Rich markup from a crawled page, a formula as a crawled subject, a typed note
with control characters, zip-bomb attachments and YAML bombs.
"""

from __future__ import annotations

import csv
import io
import json
import resource
import sqlite3
import subprocess
import sys

import pytest
import yaml

from monitor.config import ConfigError, load_config
from spiders.documents import DocumentError, extract_text
from tests.conftest import DEMO_DAY, LINKS, ROOT, run_monitor
from tests.hostile_site import EVIL_ANCHOR, EVIL_TITLE, FORMULA, zip_bomb
from tests.local_http import page, serve


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """A crawled and checked store whose findings carry control characters, Rich markup and a formula."""
    tmp = tmp_path_factory.mktemp("hostile-text")

    def route(path, srv):
        if path == "/":
            return (
                200,
                {},
                page(EVIL_TITLE, f"<a href='/gone.html'>{EVIL_ANCHOR}</a><a href='/gone2.html'>{FORMULA}</a>"),
            )
        return 404, {}, page("页面不存在", "")

    with serve(route) as site:
        cfg = tmp / "sites.yaml"
        cfg.write_text(
            yaml.safe_dump(
                {
                    "organisation": {"name": "县政府办"},
                    "units": [{"name": "示例县教育局"}],
                    "sites": [
                        {
                            "key": "s",
                            "name": "测试站",
                            "home": site.url("/"),
                            "unit": "示例县教育局",
                            "limits": {"delay_seconds": 0},
                        }
                    ],
                    "storage": {"url": f"sqlite:///{tmp / 'h.db'}", "notices_dir": str(tmp / "out")},
                },
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        for cmd in ("crawl", "check"):
            out = run_monitor("-c", str(cfg), cmd, "--as-of", DEMO_DAY.isoformat(), cwd=tmp)
            assert out.returncode == 0, out.stderr
    db = sqlite3.connect(tmp / "h.db")
    # as stored before the store cleaned its input, or as typed by a unit: the renderers must cope too
    db.execute("update findings set subject = ? where url like '%gone2.html'", (FORMULA,))
    db.execute(
        "update findings set evidence = evidence || ? where url like '%gone.html'", ("已整改\x0b\x1b" + EVIL_TITLE,)
    )
    db.commit()
    db.close()
    return tmp, cfg


def test_crawled_control_characters_are_stripped_before_storing(hostile_db):
    tmp, _ = hostile_db
    db = sqlite3.connect(tmp / "h.db")
    anchors = [a for (a,) in db.execute(f"select anchor_text from {LINKS}")]
    titles = [t for (t,) in db.execute("select title from pages where title is not null")]
    assert "失效[31m链接[/bold]" in anchors  # the text kept, the ESC and vertical tab gone
    assert all("\x1b" not in t and "\x0b" not in t and "\x07" not in t for t in anchors + titles)


def test_every_notice_format_renders_with_control_characters(hostile_db):
    tmp, cfg = hostile_db
    out = run_monitor(
        "-c",
        str(cfg),
        "report",
        "--month",
        "2026-11",
        "--as-of",
        DEMO_DAY.isoformat(),
        "--format",
        "docx",
        "--format",
        "xlsx",
        "--format",
        "html",
        cwd=tmp,
    )
    assert out.returncode == 0, out.stderr
    out = run_monitor("-c", str(cfg), "ledger", "--month", "2026-11", "--as-of", DEMO_DAY.isoformat(), cwd=tmp)
    assert out.returncode == 0, out.stderr
    import docx
    import openpyxl

    files = {p.suffix: p for p in (tmp / "out").iterdir() if p.is_file()}
    text = "\n".join(p.text for p in docx.Document(str(files[".docx"])).paragraphs)
    for t in docx.Document(str(files[".docx"])).tables:
        text += "\n".join(c.text for row in t.rows for c in row.cells)
    assert "已整改" in text and "\x1b" not in text
    ledger = next(p for p in (tmp / "out").iterdir() if p.name.startswith("整改台账"))
    cells = [
        c
        for ws in openpyxl.load_workbook(ledger).worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]
    assert any("已整改" in c for c in cells)
    assert not any(c.startswith("=") for c in cells)  # the formula subject stays text
    assert "\x1b" not in files[".html"].read_text(encoding="utf-8")


def test_findings_csv_neutralises_formulas(hostile_db):
    tmp, cfg = hostile_db
    out = run_monitor("-c", str(cfg), "findings", "--format", "csv", cwd=tmp)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    subjects = [r["subject"] for r in rows]
    assert "'" + FORMULA in subjects
    assert not any(v[:1] in "=+-@" for r in rows for v in r.values() if v)


def test_cli_output_escapes_control_characters_and_rich_markup(hostile_db):
    tmp, cfg = hostile_db
    for args in (("findings",), ("findings", "--format", "json"), ("finding", "1"), ("finding", "2")):
        out = run_monitor("-c", str(cfg), *args, cwd=tmp)
        assert out.returncode == 0, (args, out.stderr)
        assert "\x1b" not in out.stdout and "\x07" not in out.stdout and "\x0b" not in out.stdout, args
    table = run_monitor("-c", str(cfg), "findings", cwd=tmp).stdout
    assert "[/bold]" in table  # printed as text, not read as markup
    rows = json.loads(run_monitor("-c", str(cfg), "findings", "--format", "json", cwd=tmp).stdout)
    assert any("\x1b" in r["evidence"] for r in rows)  # JSON keeps the exact text, escaped by JSON itself


# ---------------------------------------------------------------- zip bombs


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, kind):
    bomb = zip_bomb(kind)
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(DocumentError, match="压缩炸弹"):
        extract_text(bomb, filename=f"a.{kind}")
    # the same through `check-text`, measured in a process of its own
    path = tmp_path / f"bomb.{kind}"
    path.write_bytes(bomb)
    code = (
        "import resource, subprocess, sys\n"
        f"p = subprocess.run([sys.executable, '-m', 'monitor', 'check-text', {str(path)!r}], capture_output=True,"
        " text=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)\nprint(p.stdout + p.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    peak_kb, rc = map(int, out.stdout.splitlines()[0].split())
    assert peak_kb < 400 * 1024, f"check-text used {peak_kb // 1024} MB"
    assert "压缩炸弹" in out.stdout


def test_extracted_text_is_bounded():
    from spiders.documents import MAX_TEXT_CHARS

    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("s")
    for i in range(60_000):
        ws.append(["数据" * 20, i])
    buf = io.BytesIO()
    wb.save(buf)
    text = extract_text(buf.getvalue(), filename="big.xlsx")
    assert 0 < len(text) <= MAX_TEXT_CHARS


# ---------------------------------------------------------------- YAML bombs

LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
)


@pytest.mark.parametrize(
    "text, words",
    [
        (LAUGHS, "锚点或别名"),
        ("organisation:\n  name: &n 县政府办\nunits:\n  - name: *n\n", "锚点或别名"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "嵌套超过"),
    ],
)
def test_yaml_bombs_are_refused_with_a_chinese_message(tmp_path, text, words):
    p = tmp_path / "sites.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert words in str(err.value) and str(p) in str(err.value)


def test_yaml_bomb_through_the_cli_exits_2_quickly(tmp_path):
    p = tmp_path / "sites.yaml"
    p.write_text(LAUGHS, encoding="utf-8")
    out = run_monitor("-c", str(p), "check", cwd=tmp_path, timeout=60)
    assert out.returncode == 2 and "锚点或别名" in out.stderr
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 1024 * 1024
