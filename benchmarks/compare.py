"""Same pages, same data, two versions of the code, alternately (in-process, DEBUG off): separates
what a change gains from the load of a shared machine, which a before/after pair of full runs
cannot do.

    git archive <commit> | tar -x -C /tmp/base_src
    for i in 1 2; do for v in /tmp/base_src .; do python benchmarks/compare.py $v; done; done

Prints, for each page, the median of 5 openings in ms (after one warm-up), as JSON. Needs the
scale data set in BENCH_DB (portail_scale) and the same models in both versions."""

import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

SOURCE = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
sys.path.insert(0, str(SOURCE))
os.chdir(SOURCE)
os.environ.update(
    DEBUG="0",
    SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="0",
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{os.environ.get('BENCH_DB', 'portail_scale')}",
    DJANGO_SETTINGS_MODULE="portal.settings",
)
warnings.simplefilter("ignore")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from portal.accounts.models import User  # noqa: E402

PAGES = [
    ("dpid@echelle.rsa62.test", "/accompagnement/"),
    ("dpid@echelle.rsa62.test", "/accompagnement/indicateurs/"),
    ("responsable027@echelle.rsa62.test", "/echeances/"),
    ("slai-ternois@echelle.rsa62.test", "/accompagnement/"),
    ("responsable027@echelle.rsa62.test", "/accompagnement/"),
    ("referent0001@echelle.rsa62.test", "/echeances/"),
    ("referent0001@echelle.rsa62.test", "/sante/"),
]


def main():
    medians = {}
    for email, url in PAGES:
        client = Client()
        client.force_login(User.objects.get(email=email))
        client.get(url)
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        medians[f"{email.split('@')[0]} {url}"] = round(statistics.median(samples))
    print(json.dumps(medians, ensure_ascii=False))


if __name__ == "__main__":
    main()
