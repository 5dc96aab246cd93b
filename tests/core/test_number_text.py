"""Numbers given as text are read in decimal notation only (Python's own parsers also take
``1_000``, ``inf`` and ``nan``, which no JSON client means as a number)."""

from __future__ import annotations

import pytest

from tests.core.helpers import create_custom_object, create_field


@pytest.fixture
def gadgets(api) -> str:
    gadget = create_custom_object(api, "gadget", "gadgets")
    create_field(api, gadget, "big", "NUMERIC")
    create_field(api, gadget, "qty", "NUMBER")
    return gadget


@pytest.mark.parametrize("text", ["1_000", "inf", "nan", "0x10", "1e", "--1"])
def test_a_numeric_text_outside_decimal_notation_is_a_400(api, gadgets, text):
    assert api.post("/rest/gadgets", {"name": "g", "big": text}) == (
        400,
        {
            "statusCode": 400,
            "error": "BadRequestException",
            "messages": [f"Invalid value for field 'big': expected a number, got \"{text}\""],
        },
    )
    status, body = api.get("/rest/gadgets", filter=f"qty[eq]:{text}")
    assert (status, body["messages"]) == (
        400,
        [f"'filter' invalid. Value for 'qty': expected a number, got \"{text}\""],
    )


@pytest.mark.parametrize(("text", "stored"), [("12", 12), (" -1.5 ", -1.5), (".5", 0.5), ("+3e2", 300.0)])
def test_a_numeric_text_in_decimal_notation_is_read(api, gadgets, text, stored):
    status, body = api.post("/rest/gadgets", {"name": "g", "big": text})
    assert (status, body["data"]["createGadget"]["big"]) == (201, stored)
