"""Reading a filtered list of a custom object page by page through REST, with the statements each page sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

__all__ = ["Page", "Walk", "every_page", "read_page"]


@dataclass
class Page:
    """One page: its ids, pageInfo, totalCount, and the statements it sent that hold ``marker``."""

    ids: list[str]
    info: dict[str, Any]
    total: int
    statements: list[str]


@dataclass
class Walk:
    """Every page's ids forward, every page's ids backward from the last page's end (each list in
    id order), and the statements of the first page."""

    forward: list[str]
    backward: list[str]
    first_statements: list[str]


def read_page(api, plural: str, filter_: str, limit: int, marker: str, **cursor: str) -> Page:
    """``GET /rest/<plural>?filter=...&limit=...`` (after ``cursor``), asserted 200."""
    with CaptureQueriesContext(connection) as captured:
        status, body = api.get(f"/rest/{plural}", filter=filter_, limit=str(limit), **cursor)
    assert status == 200, body
    statements = [q["sql"] for q in captured.captured_queries if marker in q["sql"]]
    return Page([r["id"] for r in body["data"][plural]], body["pageInfo"], body["totalCount"], statements)


def every_page(api, plural: str, filter_: str, limit: int, marker: str, total: int, max_pages: int) -> Walk:
    """Every page forward, then backward from the last one's end, each asserted to count ``total``
    (a walk longer than ``max_pages`` pages fails: it does not end)."""
    forward: list[str] = []
    first: Page | None = None
    cursor: dict[str, str] = {}
    for _ in range(max_pages):
        page = read_page(api, plural, filter_, limit, marker, **cursor)
        first = first or page
        assert page.total == total
        forward += page.ids
        if not page.info["hasNextPage"]:
            break
        cursor = {"starting_after": page.info["endCursor"]}
    else:
        raise AssertionError(f"the forward walk of {filter_} does not end")
    backward: list[str] = []
    cursor = {"ending_before": page.info["endCursor"]}
    for _ in range(max_pages):
        page = read_page(api, plural, filter_, limit, marker, **cursor)
        assert page.total == total
        backward = page.ids + backward
        if not page.info["hasPreviousPage"]:
            break
        cursor = {"ending_before": page.info["startCursor"]}
    else:
        raise AssertionError(f"the backward walk of {filter_} does not end")
    return Walk(forward, backward, first.statements)
