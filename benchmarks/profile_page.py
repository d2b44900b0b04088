"""Where one key page spends its time on the scale data: SQL versus Python, and the Python hot spots.

    .venv/bin/python benchmarks/profile_page.py "File active du SLAI" [--runs 10] [--top 25]

Opens the page in-process (Django test client, the benchmark's account for its role) a few times
to warm up, then `--runs` times under cProfile, timing every SQL statement with an execute
wrapper. Prints the median page time, the median SQL time and query count, the slowest statements
and the functions with the most cumulative time. A label is matched by substring (case ignored);
"base" and "auth" name the two references. Same settings as benchmarks/scale.py (BENCH_DB…).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: F401  (sets the environment: database, DEBUG, BENCHMARK, 2FA off)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("label")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--all", action="store_true", help="every statement of the last run, in order")
    args = parser.parse_args()

    import django

    django.setup()
    import pages
    from django.db import connection
    from django.test import Client

    candidates = [pages.REFERENCE_AUTH, pages.REFERENCE_BASE, *pages.PAGES]
    wanted = args.label.lower()
    page = next((p for p in candidates if wanted in p.label.lower()), None)
    if page is None:
        raise SystemExit("Pages : " + " ; ".join(p.label for p in candidates))
    accts = pages.accounts()
    client = Client()
    client.force_login(accts.users[page.role])
    path = page.path(accts)

    statements = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - start, sql))

    for _ in range(2):
        client.get(path)
    totals, sql_totals, counts = [], [], []
    profiler = cProfile.Profile()
    slowest = {}
    for _ in range(args.runs):
        statements.clear()
        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            profiler.enable()
            response = client.get(path)
            profiler.disable()
            totals.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        sql_totals.append(sum(s for s, _ in statements))
        counts.append(len(statements))
        for seconds, sql in statements:
            slowest[sql] = max(slowest.get(sql, 0), seconds)
    print(f"{page.label} ({path}), {args.runs} passages")
    print(f"  page  : médiane {statistics.median(totals) * 1000:.1f} ms")
    print(f"  SQL   : médiane {statistics.median(sql_totals) * 1000:.1f} ms, {statistics.median(counts):.0f} requêtes")
    print("  requêtes les plus lentes :")
    for sql, seconds in sorted(slowest.items(), key=lambda item: -item[1])[:8]:
        print(f"    {seconds * 1000:7.1f} ms  {sql[:220]}")
    if args.all:
        print("  requêtes du dernier passage, dans l'ordre :")
        for seconds, sql in statements:
            print(f"    {seconds * 1000:7.1f} ms  {sql[:300]}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
