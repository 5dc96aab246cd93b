"""Closed-loop load for the benchmark: one scenario per run, chosen by ``BENCH_SCENARIO``.

Each simulated client sends its next request as soon as the previous one answers.
"""

import json
import os
import random

from locust import HttpUser, constant, task

TOKEN = os.environ["BENCH_TOKEN"]
SCENARIO = os.environ["BENCH_SCENARIO"]
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


class ApiClient(HttpUser):
    """One client of the scenario."""

    wait_time = constant(0)

    def on_start(self) -> None:
        response = self.client.get("/rest/companies?limit=200", headers=HEADERS, name="setup")
        self.ids = [c["id"] for c in response.json()["data"]["companies"]]
        self.counter = 0

    def post(self, path: str, body, name: str) -> None:
        self.client.post(path, data=json.dumps(body), headers=HEADERS, name=name)

    @task
    def scenario(self) -> None:
        self.counter += 1
        unique = f"{os.getpid()}-{id(self)}-{self.counter}"
        if SCENARIO == "list_sorted":
            self.client.get("/rest/companies?order_by=name&limit=60", headers=HEADERS, name=SCENARIO)
        elif SCENARIO == "filter_employees":
            self.client.get("/rest/companies?filter=employees[gt]:500", headers=HEADERS, name=SCENARIO)
        elif SCENARIO == "get_one":
            self.client.get(f"/rest/companies/{random.choice(self.ids)}", headers=HEADERS, name=SCENARIO)
        elif SCENARIO == "create_one":
            self.post("/rest/companies", {"name": f"Bench {unique}", "employees": 10}, SCENARIO)
        elif SCENARIO == "batch_create_60":
            self.post("/rest/batch/companies", [{"name": f"Bench {unique}-{n}"} for n in range(60)], SCENARIO)
        elif SCENARIO == "update_one":
            self.client.patch(
                f"/rest/companies/{random.choice(self.ids)}",
                data=json.dumps({"employees": self.counter % 900}),
                headers=HEADERS,
                name=SCENARIO,
            )
        elif SCENARIO == "people_depth_1":
            self.client.get("/rest/people?depth=1", headers=HEADERS, name=SCENARIO)
        elif SCENARIO == "graphql_people_with_company":
            query = "{ people(first: 60) { edges { node { id name { firstName lastName } company { id name } } } } }"
            self.post("/graphql", {"query": query}, SCENARIO)
        elif SCENARIO == "graphql_companies_with_people":
            query = "{ companies(first: 20) { edges { node { id name people(first: 10) { edges { node { id emails { primaryEmail } } } } } } } }"
            self.post("/graphql", {"query": query}, SCENARIO)
        else:
            raise SystemExit(f"unknown scenario {SCENARIO}")
