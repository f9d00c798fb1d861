"""One vocabulary for why a fetch failed: every stored error kind is an ``ErrorKind`` with one Chinese label,
and notices, the dashboard and the command line take their words from it instead of keeping their own copy."""

from __future__ import annotations

import ast
import re
import socket
import ssl
from pathlib import Path

import httpx
import pytest

from monitor.model import ErrorKind, error_label
from monitor.model.errors import _LABELS
from spiders.errors import httpx_error_kind

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p
    for top in ("monitor", "spiders", "rules", "reports")
    for p in (ROOT / top).rglob("*.py")
    if "migrations" not in p.parts
)
HOME = ROOT / "monitor" / "model" / "errors.py"


def _is_error_kind(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "error_kind"
    if isinstance(node, ast.Name):
        return node.id == "error_kind"
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "error_kind"
    return False


def _kind_of(value: ast.AST) -> str | None:
    """The literal kind a value spells: "dns" or ErrorKind.DNS."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "ErrorKind":
        return ErrorKind[value.attr].value
    return None


def stored_kinds() -> dict[str, set[str]]:
    """Every literal kind the code stores as an error_kind, with the files that store it."""
    found: dict[str, set[str]] = {}

    def add(value: ast.AST, path: Path) -> None:
        kind = _kind_of(value)
        if kind is not None and re.fullmatch(r"[a-z0-9_]+", kind):  # not a label such as LABELS["error_kind"]
            found.setdefault(kind, set()).add(str(path.relative_to(ROOT)))

    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "error_kind":
                add(node.value, path)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if _is_error_kind(target):
                        add(node.value, path)
                    elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        for t, v in zip(target.elts, node.value.elts):
                            if _is_error_kind(t):
                                add(v, path)
            elif isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values):
                    if isinstance(k, ast.Constant) and k.value == "error_kind" and v is not None:
                        add(v, path)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "error_kind" in node.name:
                for ret in ast.walk(node):  # the mappers: what they return is stored
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        add(ret.value.elts[0] if isinstance(ret.value, ast.Tuple) else ret.value, path)
    return found


def test_every_kind_has_one_label():
    assert set(_LABELS) == set(ErrorKind)
    labels = [k.label for k in ErrorKind]
    assert len(set(labels)) == len(labels), "two kinds read the same"
    assert all(re.search(r"[\u4e00-\u9fff]", w) for w in labels), labels


def test_every_kind_stored_anywhere_is_an_error_kind_with_a_label():
    found = stored_kinds()
    # the scan sees the stores it must (not vacuous): the spiders', the probe's, the search's, the re-check's
    assert {"blocked", "out_of_scope", "offsite", "http", "timeout", "redirects"} <= set(found), found
    unknown = {k: v for k, v in found.items() if k not in {e.value for e in ErrorKind}}
    assert not unknown, f"stored error kinds without an ErrorKind: {unknown}"


def test_the_scrapy_mapping_names_only_error_kinds():
    from spiders.site import _ERROR_NAMES

    assert set(_ERROR_NAMES.values()) <= {e.value for e in ErrorKind}


def test_the_rules_thresholds_name_only_error_kinds():
    from rules.website.broken_link import Thresholds

    t = Thresholds()
    assert set(t.broken_errors) | set(t.unverified_errors) <= {e.value for e in ErrorKind}


def test_no_copy_of_the_labels_outside_the_model():
    """Words for the kinds live in monitor/model/errors.py only: no kind → words dict, no label spelled again."""
    kinds = {e.value for e in ErrorKind}
    # the network failures' labels; "HTTP 错误" is also a fetch outcome's word (FETCH_OUTCOMES), a vocabulary of its own
    labels = {k.label for k in ErrorKind if k not in (ErrorKind.HTTP,)}
    old_names = re.compile(
        r"\b(KIND_WORDS|ERROR_WORDS|_ERROR_WORDS|ERROR_KINDS|describe_error|_BROKEN_ERRORS\s*=\s*\{\")"
    )
    offences = []
    for path in SOURCES:
        if path == HOME:
            continue
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        offences += [f"{rel}: old vocabulary {m.group(1)}" for m in old_names.finditer(text)]
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                words = [
                    v
                    for v in node.values
                    if isinstance(v, ast.Constant)
                    and isinstance(v.value, str)
                    and re.search(r"[\u4e00-\u9fff]", v.value)
                ]
                if len(keys & kinds) >= 2 and words:
                    offences.append(f"{rel}:{node.lineno}: a kind → words dict")
            elif isinstance(node, ast.Constant) and node.value in labels:
                offences.append(f"{rel}:{node.lineno}: the label {node.value!r} spelled again")
    assert not offences, "\n".join(offences)


def test_error_label_reads_stored_rows():
    assert error_label("dns") == "域名无法解析" == ErrorKind.DNS.label
    assert error_label(None) == ErrorKind.OTHER.label
    assert error_label("some_older_kind") == "some_older_kind"  # an older row shows what it stored
    assert error_label("redirects", "redirect loop back to http://x/a") == "重定向循环"
    assert error_label("redirects", "IgnoreRequest: max redirections reached") == ErrorKind.REDIRECTS.label
    assert str(ErrorKind.TIMEOUT) == f"{ErrorKind.TIMEOUT}" == "timeout"  # stored and formatted as its value


def _wrapped(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    "exc, kind",
    [
        (
            _wrapped(
                httpx.ConnectError("All connection attempts failed"), socket.gaierror(-2, "Name or service not known")
            ),
            ErrorKind.DNS,
        ),
        (
            _wrapped(
                httpx.ConnectError("All connection attempts failed"), ConnectionRefusedError(111, "Connection refused")
            ),
            ErrorKind.REFUSED,
        ),
        (
            _wrapped(httpx.ConnectError("handshake"), ssl.SSLCertVerificationError("certificate verify failed")),
            ErrorKind.TLS,
        ),
        (httpx.ConnectError("[Errno -2] Name or service not known (ssl.example.cn)"), ErrorKind.DNS),  # DNS before TLS
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), ErrorKind.TLS),
        (httpx.ConnectError("[Errno 111] Connection refused"), ErrorKind.REFUSED),
        (httpx.ReadTimeout("timed out"), ErrorKind.TIMEOUT),
        (httpx.ConnectTimeout("timed out"), ErrorKind.TIMEOUT),
        (httpx.TooManyRedirects("Exceeded maximum allowed redirects."), ErrorKind.REDIRECTS),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), ErrorKind.RESET),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), ErrorKind.RESET),
        # an unreachable host is not a refusal (the re-check said "refused", the probe "other": the probe kept)
        (
            _wrapped(httpx.ConnectError("All connection attempts failed"), OSError(113, "No route to host")),
            ErrorKind.OTHER,
        ),
        (OSError("something else"), ErrorKind.OTHER),
    ],
)
def test_one_httpx_mapping(exc, kind):
    assert httpx_error_kind(exc) is kind
