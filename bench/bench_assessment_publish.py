#!/usr/bin/env python3
"""Time publishing a month's 综合考核 (考核发布: figures, scores, ranks and the dispatches behind every figure
frozen as a version), next to computing the same assessment unpublished, in the same run.

    .venv/bin/python bench/bench_assessment_publish.py --db hc_bench_publish --cases 20000   # small, made here
    .venv/bin/python bench/bench_assessment_publish.py --db hc_bench                          # 1,000,000 cases

--cases N creates the database with N cases and their history (bench/generate_cases.py, spread over a year) when
it does not exist; without it the database must exist (see bench_reports_cases.py). hotline_reports is installed
or updated first and the closed days' facts refreshed (kept, as the hourly job keeps them). Measured as a reviewer
over the last full month and every unit, each repeated --repeat times (median printed), next to the unpublished
assessment (read from the stored facts, and from the base tables) and to publishing from the base tables (the
closed days' dispatches read from the log, not from the stored hits: the lines frozen are checked equal); nothing
else is kept.
Goal at 1,000,000 cases: publishing ≤ 10 s.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_case import ROOT, boot_odoo, database_exists  # noqa: E402
from bench_reports_cases import install_reports, load, seconds  # noqa: E402

GOAL_S = 10.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "hc_bench"), help="database (default hc_bench)")
    parser.add_argument("--cases", type=int, help="create the database with this many cases if it does not exist")
    parser.add_argument("--repeat", type=int, default=3, help="repeats per measure (default 3)")
    return parser.parse_args()


def main():
    args = parse_args()
    if not database_exists(args.db):
        if not args.cases:
            print(f"bench_assessment_publish SKIPPED: no database {args.db}; give --cases N to create it")
            return
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate_cases.py"), "--db", args.db, "--cases",
                        str(args.cases), "--days", "365", "--create"], check=True)
    install_reports(args.db)
    odoo, registry = boot_odoo(args.db)
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        days = env["hotline.report.fact"]._refresh(commit=True)
        print(f"facts refresh: {days} days computed in {time.perf_counter() - started:.1f} s", flush=True)
        reviewer = env["res.users"].with_context(no_reset_password=True).create({
            "name": "基准审核员", "login": "bench_publisher_tmp",
            "group_ids": [(6, 0, env.ref("hotline_case.group_reviewer").ids)],
        })
        renv = api.Environment(cr, reviewer.id, {"tz": "Asia/Shanghai"})
        cr.execute("SELECT COUNT(*) FROM hotline_case")
        cases = cr.fetchone()[0]
        units = renv["hotline.unit"].search([])
        month_end = date.today().replace(day=1) - timedelta(days=1)
        month = (month_end.replace(day=1), month_end)
        print(f"database {args.db}: {cases:,} cases, {len(units)} units; month {month[0]} – {month[1]}; "
              f"median of {args.repeat}; load average {load()}", flush=True)
        frozen = {}

        def compute(context=None):
            renv["hotline.assessment"].with_context(**(context or {})).create(
                {"date_from": month[0], "date_to": month[1]}).action_compute()

        def publish(context=None):
            assessment = renv["hotline.assessment"].with_context(**(context or {})).create(
                {"date_from": month[0], "date_to": month[1]})
            assessment.action_publish()
            results = assessment.publication_ids.result_ids
            frozen.update(results=len(results), figures=len(results.figure_ids), items=len(results.item_ids))
            cr.execute("""SELECT r.unit_id, i.dispatch_id, i.codes FROM hotline_assessment_published_item i
                            JOIN hotline_assessment_published_result r ON r.id = i.result_id
                           WHERE r.publication_id = %s""", [assessment.publication_ids.id])
            frozen["lines" if not context else "base_lines"] = sorted(cr.fetchall())

        computed = seconds(renv, compute, args.repeat)
        # the same figures from the base tables (the definitions over the log, as the freeze reads it)
        base = seconds(renv, lambda: compute({"hotline_kpi_base": True}), args.repeat)
        published = seconds(renv, publish, args.repeat)
        # the same publication with the closed days read from the log (before the stored dispatch hits)
        published_base = seconds(renv, lambda: publish({"hotline_kpi_base": True}), args.repeat)
        assert frozen["lines"] == frozen["base_lines"], "the stored dispatch hits differ from the log's"
        print("dispatch lines frozen from the stored facts = from the base tables", flush=True)
        verdict = "ok" if published.median <= GOAL_S else "SLOW"
        print(f"frozen per version: {frozen['results']} unit results, {frozen['figures']:,} figure lines, "
              f"{frozen['items']:,} dispatch lines behind the figures", flush=True)
        print(f"{'assessment of a month, unpublished':<38} {computed}  | load {load()}")
        print(f"{'  the same from the base tables':<38} {base}  | load {load()}")
        print(f"{'publish a month (figures + dispatches)':<38} {published}  goal {GOAL_S:4.1f} s  {verdict}  | "
              f"baseline unpublished: {computed.median:6.3f} s  (x{published.median / computed.median:5.1f}), "
              f"from base tables {base.median:6.3f} s  | load {load()}", flush=True)
        print(f"{'  publish from the base tables':<38} {published_base}  | load {load()}", flush=True)
        cr.rollback()


if __name__ == "__main__":
    main()
