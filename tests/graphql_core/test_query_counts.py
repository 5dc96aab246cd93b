"""Relations are loaded level by level: the number of SQL queries of a GraphQL request depends on
the shape of the query (its nesting), never on the number of records (docs/architecture.md, "How a
read is planned"): query counts are asserted for 1, 10 and 60 records.

Each test writes ``n`` companies with one person each (plus one company without people, so the
"no children" path is always taken), sends the query once to warm the per-process schema cache and
the key's last-used time, then counts the queries of the same request again.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.graphql_core.helpers import GraphQL, nodes

SIZES = [pytest.param(n, id=f"{n}_records") for n in (1, 10, 60)]

PEOPLE_WITH_COMPANY = """{ people(first: 100) { totalCount edges { cursor node { id name { firstName }
  company { id name address { addressCity } } } } } }"""
COMPANIES_WITH_PEOPLE = """{ companies(first: 100) { totalCount edges { node { id name
  people(first: 5, orderBy: [{name: {firstName: AscNullsFirst}}]) { totalCount countEmptyJobTitle
    pageInfo { hasNextPage endCursor } edges { cursor node { id name { firstName } } } } } } } }"""
DEPTH_TWO = """{ companies(first: 100) { edges { node { name
  people { edges { node { name { firstName } company { name } pointOfContactForOpportunities { totalCount } } } } } } } }"""


def write_records(api, n: int) -> None:
    """``n`` companies with one person each, and one company without people."""
    status, answer = api.post("/rest/batch/companies", [{"name": f"Company {i}"} for i in range(n)])
    assert status == 201, answer
    companies = answer["data"]["createCompanies"]
    status, empty = api.post("/rest/companies", {"name": "Empty"})
    assert status == 201, empty
    status, answer = api.post(
        "/rest/batch/people",
        [{"name": {"firstName": f"Person {i}"}, "companyId": company["id"]} for i, company in enumerate(companies)],
    )
    assert status == 201, answer


def count_queries(gql: GraphQL, query: str) -> tuple[int, dict]:
    """SQL queries of one warm request, and its data."""
    gql.data(query)
    with CaptureQueriesContext(connection) as captured:
        data = gql.data(query)
    return len(captured.captured_queries), data


@pytest.mark.parametrize("n", SIZES)
def test_people_with_their_company_take_three_queries_whatever_the_number_of_people(api, gql, n):
    # given
    write_records(api, n)
    # when
    queries, data = count_queries(gql, PEOPLE_WITH_COMPANY)
    # then: the API key (1), the page of people with totalCount (the object's counter, read by
    # the page's statement) (1), every company of the page by id (1)
    assert queries == 3
    assert data["people"]["totalCount"] == n
    assert all(node["company"]["name"].startswith("Company ") for node in nodes(data["people"]))


@pytest.mark.parametrize("n", SIZES)
def test_selecting_search_vector_adds_no_query(api, gql, n):
    # given
    write_records(api, n)
    # when
    queries, data = count_queries(gql, PEOPLE_WITH_COMPANY.replace("id name", "id searchVector name"))
    # then: the three queries of people with their company; searchVector is computed from the records
    assert queries == 3
    vectors = sorted((node["searchVector"], node["company"]["searchVector"]) for node in nodes(data["people"]))
    assert vectors == sorted((f"person {i}", f"company {i}") for i in range(n))


@pytest.mark.parametrize("n", SIZES)
def test_companies_with_a_page_of_their_people_take_four_queries_whatever_the_number_of_companies(api, gql, n):
    # given
    write_records(api, n)
    # when
    queries, data = count_queries(gql, COMPANIES_WITH_PEOPLE)
    # then: the API key (1), the page of companies with their totalCount (1), a window of at
    # most 5+1 people per company for all companies at once (1), the nested aggregates grouped
    # by company (1); the company without people costs nothing more
    assert queries == 4
    assert data["companies"]["totalCount"] == n + 1
    counts = sorted(node["people"]["totalCount"] for node in nodes(data["companies"]))
    assert counts == [0] + [1] * n


@pytest.mark.parametrize("n", SIZES)
def test_two_levels_of_nesting_take_six_queries_whatever_the_number_of_records(api, gql, n):
    # given
    write_records(api, n)
    # when
    queries, data = count_queries(gql, DEPTH_TWO)
    # then: the API key (1), the page of companies (1); level 1: the people of every company (1);
    # level 2: the companies of every person (1), the window of opportunities of every person (1,
    # read even though only totalCount is selected) and their counts grouped by person (1)
    assert queries == 6
    people = [person for company in nodes(data["companies"]) for person in nodes(company["people"])]
    assert len(people) == n
    assert all(p["company"]["name"] == "Company " + p["name"]["firstName"].removeprefix("Person ") for p in people)
    assert all(p["pointOfContactForOpportunities"] == {"totalCount": 0} for p in people)
