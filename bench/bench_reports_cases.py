#!/usr/bin/env python3
"""Time the case reports of hotline_reports on the benchmark database, next to plain ORM read_group.

    .venv/bin/python bench/generate_cases.py --db hc_bench --create   # once: 1,000,000 cases with history
    .venv/bin/python bench/bench_reports_cases.py --db hc_bench

Measured as a reviewer, each repeated --repeat times (median printed), with in the same run the
plain ORM `_read_group` on the base tables over the same period as the baseline, and for the
figures that read the pre-aggregated unit facts (kpi/case_facts.py) the same figure computed from
the base tables by the definitions (context hotline_kpi_base), checked equal:
  * 综合考核 of all units over a year (unit figures, score, rank, stored)      goal <= 2 s
  * 热点排名 for a month (categories; and all four rankings)                      goal <= 1 s
  * a year's 单位统计分析 as XLSX (all units, every indicator)                    goal <= 5 s
  * the 单位统计分析 pivot over a year, by unit                                   (no goal)
  * the 1,000,000-row export (受理业务统计, every case) as the background job builds it, with its
    progress written every 10,000 rows                                              goal <= 60 s
hotline_reports is installed (or updated) in the database first and the facts refreshed (timed,
kept). Nothing else is kept (rolled back).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_case import ROOT, boot_odoo, database_exists  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
GOALS_S = {"assessment, all units, a year": 2.0, "hot spots, a month (categories)": 1.0,
           "unit statistics XLSX, a year": 5.0, "export of every case (background)": 60.0,
           "unit statistics pivot, a year": 1.0}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "hc_bench"), help="database (default hc_bench)")
    parser.add_argument("--repeat", type=int, default=5, help="repeats per measure (default 5)")
    parser.add_argument("--no-export", action="store_true", help="leave out the export of every case (the longest)")
    return parser.parse_args()


def install_reports(db):
    """Install or update hotline_reports so the measured code is the checked-out one."""
    import psycopg2  # noqa: PLC0415

    conn = psycopg2.connect(dbname=db)
    with conn, conn.cursor() as cr:
        cr.execute("SELECT state FROM ir_module_module WHERE name = 'hotline_reports'")
        row = cr.fetchone()
    conn.close()
    flag = "-u" if row and row[0] == "installed" else "-i"
    subprocess.run([str(ROOT / "scripts" / "odoo"), "-d", db, flag, "hotline_reports", "--stop-after-init",
                    "--no-http", "--log-level=warn"], check=True)


def backend_cpu(cr):
    """CPU seconds (user + system) the cursor's PostgreSQL backend has used so far (server on this machine)."""
    cr.execute("SELECT pg_backend_pid()")
    stat = Path(f"/proc/{cr.fetchone()[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / TICK


class Timing:
    """Wall-clock samples of a measure, with the CPU time of this process and of its PostgreSQL backend."""

    def __init__(self, samples, cpu):
        self.samples = sorted(samples)
        self.cpu = cpu  # (python, postgres) seconds per run, means

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def p95(self):
        return self.samples[min(len(self.samples) - 1, round(0.95 * (len(self.samples) - 1)))]

    def __str__(self):
        return (f"{self.median:7.3f} s / p95 {self.p95:7.3f} s (CPU {self.cpu[0]:.2f} s Python + {self.cpu[1]:.2f} s "
                f"PostgreSQL)")


def seconds(env, func, repeat, warmup=True):
    if warmup:
        func()  # caches, plans
    samples = []
    python = postgres = 0.0
    for _i in range(repeat):
        env.invalidate_all()
        backend = backend_cpu(env.cr)
        cpu = time.process_time()
        start = time.perf_counter()
        func()
        env.flush_all()
        samples.append(time.perf_counter() - start)
        python += time.process_time() - cpu
        postgres += backend_cpu(env.cr) - backend
    return Timing(samples, (python / repeat, postgres / repeat))


def load():
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def line(name, measured, baseline, baseline_name, definition=None):
    goal = GOALS_S.get(name)
    verdict = "" if goal is None else ("ok" if measured.median <= goal else "SLOW")
    goal_text = f"goal {goal:4.1f} s" if goal else " " * 10
    base = f"  | from base tables {definition.median:6.3f} s" if definition is not None else ""
    print(f"{name:<34} {measured}   {goal_text}  {verdict:4}  | baseline {baseline_name}: {baseline.median:6.3f} s"
          f"  (x{measured.median / baseline.median:5.1f}){base}  | load {load()}", flush=True)


def same_figures(fast, base):
    """The pre-aggregated unit figures equal the definitions over the base tables (floats to 1e-6)."""
    assert set(fast) == set(base), set(fast) ^ set(base)
    for unit_id, figures in base.items():
        for key, value in figures.items():
            got = fast[unit_id][key]
            if isinstance(value, float) and got is not None:
                assert abs(got - value) <= 1e-6 * max(1.0, abs(value)), (unit_id, key, got, value)
            else:
                assert got == value, (unit_id, key, got, value)


def main():
    args = parse_args()
    if not database_exists(args.db):
        print(f"bench_reports_cases SKIPPED: no database {args.db}; create it with "
              f"`.venv/bin/python bench/generate_cases.py --db {args.db} --create`")
        return
    install_reports(args.db)
    odoo, registry = boot_odoo(args.db)
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        # kept (committed): the closed days' facts, as the hourly job keeps them
        started = time.perf_counter()
        days = env["hotline.report.fact"]._refresh(commit=True)
        print(f"facts refresh: {days} days computed in {time.perf_counter() - started:.1f} s", flush=True)
        reviewer = env["res.users"].with_context(no_reset_password=True).create({
            "name": "基准审核员", "login": "bench_reviewer_tmp",
            "group_ids": [(6, 0, env.ref("hotline_case.group_reviewer").ids)],
        })
        lang = "zh_CN" if env["res.lang"]._lang_get("zh_CN") else "en_US"
        renv = api.Environment(cr, reviewer.id, {"lang": lang, "tz": "Asia/Shanghai"})
        cr.execute("SELECT COUNT(*) FROM hotline_case")
        cases = cr.fetchone()[0]
        cr.execute("SELECT COUNT(*) FROM hotline_case_log")
        log_lines = cr.fetchone()[0]
        units = renv["hotline.unit"].search([])
        today = date.today()
        year = (today - timedelta(days=365), today - timedelta(days=1))
        month_end = today.replace(day=1) - timedelta(days=1)
        month = (month_end.replace(day=1), month_end)
        print(f"load average {load()}", flush=True)
        print(f"database {args.db}: {cases} cases, {log_lines} log lines, {len(units)} units; year {year[0]} – "
              f"{year[1]}, month {month[0]} – {month[1]}; median of {args.repeat}")
        kpi = renv["hotline.kpi.case"]
        start, end = renv.company._hotline_day_bounds(*year)
        month_start, month_end_utc = renv.company._hotline_day_bounds(*month)
        Case = renv["hotline.case"]
        Log = renv["hotline.case.log"]

        base_kpi = kpi.with_context(hotline_kpi_base=True)
        same_figures(kpi.unit_figures(*year), base_kpi.unit_figures(*year))
        print("unit figures of the year: pre-aggregated = base tables", flush=True)

        def assessment(context=None):
            record = renv["hotline.assessment"].with_context(**(context or {})).create(
                {"date_from": year[0], "date_to": year[1]})
            record.action_compute()

        def baseline_year():
            Case._read_group([("date_dispatched", ">=", start), ("date_dispatched", "<", end)], ["unit_id", "state"],
                             ["__count"])
            Log._read_group([("date", ">=", start), ("date", "<", end)], ["unit_id", "action"], ["__count"])

        def hotspots_category():
            kpi.hotspots("category", *month)

        def hotspots_all():
            for kind in ("category", "street", "district", "caller"):
                kpi.hotspots(kind, *month)

        def baseline_month():
            Case._read_group([("date_received", ">=", month_start), ("date_received", "<", month_end_utc)],
                             ["category_id"], ["__count"])

        def xlsx():
            wizard = renv["hotline.case.report.wizard"].create({"report": "unit", "date_from": year[0],
                                                                "date_to": year[1]})
            wizard.action_export()

        pivot_keys = ["dispatched", "due", "handled_on_time"]

        def pivot():
            return renv["hotline.report.case.unit"]._read_group(
                [("date", ">=", year[0]), ("date", "<=", year[1])], ["unit_id"], [f"{k}:sum" for k in pivot_keys])

        # the pivot's sums are the service's figures over the base tables (the same definitions, not stored)
        base_figures = base_kpi.unit_figures(*year)
        for unit, *sums in pivot():
            assert dict(zip(pivot_keys, sums, strict=True)) == {k: base_figures[unit.id][k] for k in pivot_keys}, unit
        print("unit statistics pivot of the year = unit figures over the base tables", flush=True)

        def export_all():
            """The background job's work for an export of every case (one row each), progress included."""
            export = renv["hotline.report.export"].create({
                "name": "bench", "report": "intake", "date_from": date(2000, 1, 1), "date_to": today})
            export.rows_total = export._count_rows()
            assert export.rows_total > export._background_rows(), "the export would not run in the background"
            export._run()
            assert export.state == "done" and export.rows_done == export.rows_total, export.error
            return export.rows_total

        base_year = seconds(renv, baseline_year, args.repeat)
        base_month = seconds(renv, baseline_month, args.repeat)
        line("assessment, all units, a year", seconds(renv, assessment, args.repeat), base_year,
             "read_group case+log by unit",
             seconds(renv, lambda: assessment({"hotline_kpi_base": True}), min(args.repeat, 3)))
        line("hot spots, a month (categories)", seconds(renv, hotspots_category, args.repeat), base_month,
             "read_group by category")
        line("hot spots, a month (all four)", seconds(renv, hotspots_all, args.repeat), base_month,
             "read_group by category")
        line("unit statistics XLSX, a year", seconds(renv, xlsx, args.repeat), base_year,
             "read_group case+log by unit")
        line("unit statistics pivot, a year", seconds(renv, pivot, args.repeat), base_year,
             "read_group case+log by unit",
             seconds(renv, lambda: base_kpi.unit_figures(*year), min(args.repeat, 3)))
        if args.no_export:
            cr.rollback()
            return
        exported = {}
        export = seconds(renv, lambda: exported.update(rows=export_all()), 1, warmup=False)  # as the job runs
        orm_export = seconds(renv, lambda: Case.search_read([], ["name", "date_received", "state"], limit=100000), 1)
        print(f"export of every case (background): {exported['rows']:,} rows", flush=True)
        scaled = Timing([orm_export.median * exported["rows"] / 100000], orm_export.cpu)
        line("export of every case (background)", export, scaled,
             "ORM search_read of the rows (3 columns), scaled from 100,000")
        cr.rollback()


if __name__ == "__main__":
    main()
