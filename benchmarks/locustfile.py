"""Load test of the scale benchmark (run by benchmarks/scale.py, never on its own against a real
server): each simulated user takes one prepared session (a role's account) and opens the pages of
that role — home, lists, deadlines, records of their own caseload — with 1 to 3 s of reading in
between. Loopback only: the host is given by the harness."""

import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["BENCH_LOCUST_PLAN"]).read_text(encoding="utf-8"))
_next = itertools.count()


class PortalUser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        self.plan = PLAN[next(_next) % len(PLAN)]
        self.client.cookies.set("sessionid", self.plan["cookie"])
        self.rng = random.Random(self.plan["cookie"])

    @task
    def open_a_page(self):
        path = self.rng.choice(self.plan["paths"])
        # Records are grouped under one name so the report stays one line per kind of page.
        name = "/accompagnement/beneficiaires/[id]/" if "/beneficiaires/" in path else path
        self.client.get(path, name=f"{self.plan['role']} {name}", allow_redirects=False)
