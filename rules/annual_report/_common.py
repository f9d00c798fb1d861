"""Helpers shared by the A-rules: naming cells in Chinese evidence."""

from __future__ import annotations

from collections.abc import Iterable

from monitor.model.annual import Cell


def where(cells: Iterable[Cell | None]) -> str:
    """“（第64行、第88行）”: the places of the cells, each once, in order."""
    places: list[str] = []
    for c in cells:
        if c is not None and c.where not in places:
            places.append(c.where)
    return f"（{'、'.join(places)}）" if places else ""


def num(value: int | float | None) -> str:
    if value is None:
        return "空"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def val(cell: Cell | None) -> int | float:
    return 0 if cell is None or cell.value is None else cell.value


def terms(pairs: Iterable[tuple[str, Cell | None]]) -> str:
    """“自然人8 + 商业企业0 + …”."""
    return " + ".join(f"{name}{num(val(c))}" for name, c in pairs)
