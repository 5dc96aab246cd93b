"""Search in the core OpenAPI document: ``GET /search`` (api-reference §13.2; ours, Twenty has it on GraphQL only).

Every key may search; objects its role cannot read are skipped, so the path is in the document of
every key that reads at least one object.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.plumbing import build_array_type, build_basic_type, build_object_type

from api_common.openapi import UUID, error_responses, json_response, ref
from core_app.openapi.paths import query
from core_app.services.search import FILTER_FIELDS, PRIORITY, max_input_length, max_limit

__all__ = ["SEARCH_RECORD", "search_components", "search_paths"]

SEARCH_RECORD = "SearchRecord"


def search_components() -> dict[str, dict[str, Any]]:
    """``SearchRecord``: one hit, Twenty's GraphQL type of the same name."""
    number = build_basic_type(float)
    assert number is not None
    return {
        SEARCH_RECORD: build_object_type(
            properties={
                "recordId": dict(UUID),
                "objectNameSingular": {"type": "string", "examples": ["person"]},
                "label": {"type": "string", "description": "The record's label-identifier value."},
                "imageUrl": {"type": "string", "description": 'A company\'s logo URL, else `""`.'},
                "tsRankCD": {**number, "description": "Share of the query words matched (1: all of them)."},
                "tsRank": {**number, "description": "Share of the query words matched in the label identifier."},
            },
            required=["recordId", "objectNameSingular", "label", "imageUrl", "tsRankCD", "tsRank"],
        )
    }


def search_paths() -> dict[str, dict[str, Any]]:
    """``/search``: a ranked page of records of every searchable object the key reads."""
    page = build_object_type(
        properties={
            "data": build_object_type(properties={"search": build_array_type(ref(SEARCH_RECORD))}, required=["search"]),
            "pageInfo": build_object_type(
                properties={"hasNextPage": {"type": "boolean"}, "endCursor": {"type": ["string", "null"]}},
                required=["hasNextPage", "endCursor"],
            ),
        },
        required=["data", "pageInfo"],
    )
    priority = ", ".join(f"{name} {rank}" for name, rank in PRIORITY.items())
    return {
        "/search": {
            "get": {
                "tags": ["search"],
                "operationId": "search",
                "summary": "Search the records of every searchable object, ranked (Twenty's `search`)",
                "description": (
                    "A record matches when one query word is a prefix of one of its search fields' words "
                    "(lower-cased, accents removed). Hits are ranked by `tsRankCD`, then `tsRank`, then object "
                    f"priority ({priority}, others 0), then object name and id. Page with `starting_after` = "
                    "the previous `pageInfo.endCursor`. Objects the key's role cannot read are skipped."
                ),
                "parameters": [
                    query(
                        "search_input",
                        {"type": "string", "maxLength": max_input_length()},
                        "The words to search; empty: every searchable record.",
                    ),
                    query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": max_limit()},
                        f"Hits per page: 20 by default, 1 to {max_limit()}.",
                        default=20,
                    ),
                    query("starting_after", {"type": "string"}, "The `pageInfo.endCursor` of the previous page."),
                    query(
                        "included_objects",
                        {"type": "string"},
                        "Comma-separated singular names, e.g. `person,company`: only these objects.",
                    ),
                    query(
                        "excluded_objects",
                        {"type": "string"},
                        "Comma-separated singular names to leave out, e.g. `task`.",
                    ),
                    query(
                        "filter",
                        {"type": "string"},
                        "A filter applied to every object, on "
                        + ", ".join(f"`{name}`" for name in FILTER_FIELDS)
                        + ' only, e.g. `createdAt[gte]:"2025-01-01"`; trashed records only when it names `deletedAt`.',
                    ),
                ],
                "responses": {"200": json_response("A page of hits", page), **error_responses(400)},
            }
        }
    }
