#!/usr/bin/env python3
"""Call-center reports at city scale, next to the plain ORM read_group on the base tables.

    .venv/bin/python bench/generate_calls.py --db rc_bench --calls 5000000   # once
    .venv/bin/python bench/bench_call_reports.py --db rc_bench

hotline_reports is updated in the database first (its pre-aggregated facts, kpi/facts.py, are
built by the refresh, timed once). Measured as a reviewer (班长), each repeated --repeat times
after one warm-up (median, p95), with in the same run the same figures computed from the base
tables by the definitions (context hotline_kpi_base: what the reports did before the facts) and
the plain ORM read_group on the base tables:
- a month of agent KPIs (hotline.kpi.call.agent_figures: sessions, pauses and talk clipped to the
  month, busy time by reason) vs ORM read_group of sessions, pauses and calls per agent for the month;
- a year of calls by month × queue (the pivot's read_group on hotline.call.report filtered by
  date, every KPI) vs ORM read_group on hotline.call by month × queue (count, average wait, total talk);
- today's queue figures (the wallboard's call: the open day, read from the calls).
The fast figures are checked equal to the base ones. Goals: 1 s each.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reports_cases import install_reports  # noqa: E402
from generate_calls import boot_odoo  # noqa: E402

GOAL_MS = 1000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rc_bench")
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args()


def timed(env, func, repeat):
    func()
    samples = []
    for _i in range(repeat):
        env.invalidate_all()
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def line(name, figures, baseline, definition=None):
    (median, p95), (b_median, _b95) = figures, baseline
    verdict = "ok" if p95 <= GOAL_MS else ("median ok" if median <= GOAL_MS else "SLOW")
    base = f"  from base tables {definition[0]:8.1f} ms" if definition else ""
    print(f"{name:<34} median {median:8.1f} ms  p95 {p95:8.1f} ms  goal {GOAL_MS} ms  {verdict:<9}"
          f"  ORM read_group {b_median:8.1f} ms  ratio {median / b_median:5.2f}{base}", flush=True)


def same(fast, base, label):
    """Fail loudly when the pre-aggregated figures differ from the definition over the base tables."""
    if isinstance(base, dict):
        assert set(fast) == set(base), (label, set(fast) ^ set(base))
        for key, value in base.items():
            same(fast[key], value, (label, key))
    elif isinstance(base, list | tuple):
        assert len(fast) == len(base), label
        for got, expected in zip(fast, base, strict=True):
            same(got, expected, label)
    elif isinstance(base, float) or isinstance(fast, float):
        assert base is not None and fast is not None and abs(fast - base) <= 1e-6 * max(1.0, abs(base)), (
            label, fast, base)
    else:
        assert fast == base, (label, fast, base)


def main():
    args = parse_args()
    install_reports(args.db)
    odoo, registry = boot_odoo(args.db)
    from odoo.addons.hotline_reports.kpi.calls import CALL_AGGREGATES  # noqa: PLC0415

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "Asia/Shanghai"})
        reviewer = env["res.users"].search([("login", "=", "bench_reviewer")])
        if not reviewer:
            reviewer = env["res.users"].with_context(no_reset_password=True).create({
                "name": "班长", "login": "bench_reviewer",
                "group_ids": [(6, 0, env.ref("hotline_case.group_reviewer").ids)]})
            cr.commit()
        env = env(user=reviewer.id)
        cr.execute("SELECT count(*), max(enter_time) FROM hotline_call")
        calls, last = cr.fetchone()
        cr.execute("SELECT count(*) FROM hotline_agent_session")
        sessions = cr.fetchone()[0]
        print(f"database {args.db}: {calls:,} calls, {sessions:,} agent sessions", flush=True)
        Kpi = env["hotline.kpi.call"]
        month_end = env.company._hotline_local_day(last).replace(day=1) - timedelta(days=1)
        month_start = month_end.replace(day=1)
        year_start = month_end.replace(day=1, month=1) if month_end.month == 12 else \
            month_end.replace(year=month_end.year - 1, day=1, month=month_end.month + 1)
        m_start, m_end = env.company._hotline_day_bounds(month_start, month_end)
        y_start, y_end = env.company._hotline_day_bounds(year_start, month_end)
        print(f"month {month_start} – {month_end}; year {year_start} – {month_end}", flush=True)

        start = time.perf_counter()
        days = env["hotline.report.fact"].sudo()._refresh(commit=True)
        print(f"facts refresh: {days} days computed in {time.perf_counter() - start:.1f} s", flush=True)
        Base = Kpi.with_context(hotline_kpi_base=True)

        same(Kpi.agent_figures(month_start, month_end), Base.agent_figures(month_start, month_end), "agents")
        agents = timed(env, lambda: Kpi.agent_figures(month_start, month_end), args.repeat)
        agents_base = timed(env, lambda: Base.agent_figures(month_start, month_end), args.repeat)

        def agents_orm():
            env["hotline.agent.session"]._read_group(
                [("start", ">=", m_start), ("start", "<", m_end)], ["user_id"], ["duration:sum"])
            env["hotline.agent.pause"]._read_group(
                [("start", ">=", m_start), ("start", "<", m_end)], ["user_id", "reason"], ["duration:sum"])
            env["hotline.call"]._read_group(
                [("enter_time", ">=", m_start), ("enter_time", "<", m_end)], ["user_id", "direction"],
                ["__count", "talk_seconds:sum"])

        line("month of agent KPIs", agents, timed(env, agents_orm, args.repeat), agents_base)

        aggregates = [f"{name}:{agg}" for name, agg in CALL_AGGREGATES.items()]
        Report = env["hotline.call.report"]
        domain = [("date", ">=", year_start), ("date", "<=", month_end)]

        def pivot(report):
            return report._read_group(domain, ["date:month", "queue"], aggregates)

        same(pivot(Report), pivot(Report.with_context(hotline_call_report_base=True)), "year pivot")
        year = timed(env, lambda: pivot(Report), args.repeat)
        year_base = timed(env, lambda: pivot(Report.with_context(hotline_call_report_base=True)), args.repeat)
        year_orm = timed(env, lambda: env["hotline.call"]._read_group(
            [("enter_time", ">=", y_start), ("enter_time", "<", y_end), ("direction", "=", "inbound")],
            ["enter_time:month", "queue"], ["__count", "wait_seconds:avg", "talk_seconds:sum"]), args.repeat)
        line("year of calls by month × queue", year, year_orm, year_base)

        # one whole day, as the wallboard asks for today (here the last day of the data)
        today = env.company._hotline_local_day(last)  # the day of the last call at the center
        t_start, t_end = env.company._hotline_day_bounds(today)
        same(Kpi.queue_figures(t_start, t_end), Base.queue_figures(t_start, t_end), "today")
        today_fast = timed(env, lambda: Kpi.queue_figures(t_start, t_end), args.repeat)
        today_orm = timed(env, lambda: env["hotline.call"]._read_group(
            [("enter_time", ">=", t_start), ("enter_time", "<", t_end), ("direction", "=", "inbound")],
            ["queue"], ["__count", "wait_seconds:avg", "talk_seconds:sum"]), args.repeat)
        line(f"one day by queue ({today})", today_fast, today_orm,
             timed(env, lambda: Base.queue_figures(t_start, t_end), args.repeat))
        print("pre-aggregated figures equal the base tables' (agents, year pivot, today)", flush=True)


if __name__ == "__main__":
    main()
