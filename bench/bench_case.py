#!/usr/bin/env python3
"""Time the hotline's everyday case operations through the ORM, as the web client runs them.

    .venv/bin/python bench/generate_cases.py --db hc_bench --create   # once: 1,000,000 cases
    .venv/bin/python bench/bench_case.py --db hc_bench

Measured, as an agent (受理员), each repeated --repeat times (median and p95 printed):
  * find cases by caller phone: normalise the number, find the caller, list his cases   goal <= 50 ms
  * the agent's list filtered by state (web_search_read, limit 80, as the list view)     goal <= 200 ms
  * create one case and dispatch it to a unit (self-dispatch, deadlines, log, chatter)   goal <= 100 ms
  * intake form onchange: caller found, previous cases, duplicates, suggested unit      (own goal 200 ms)
  * a unit user's list of its cases in progress, through the record rules             (own goal 200 ms)
    next to its baseline: the same list as a plain domain on unit_id and state, no record rule
Nothing is kept: the transaction is rolled back at the end (also what --ddl created, a candidate index).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", ROOT / ".odoo/root/usr/lib/python3/dist-packages"))
GOALS_MS = {"find by caller phone": 50, "agent list by state": 200, "create + dispatch": 100,
            "intake onchange": 200, "unit list (record rules)": 200, "unit list, baseline": 200}

LIST_SPEC = {
    "name": {}, "date_received": {}, "state": {}, "urgency": {}, "channel": {},
    "type_id": {"fields": {"display_name": {}}}, "category_id": {"fields": {"display_name": {}}},
    "district_id": {"fields": {"display_name": {}}}, "unit_id": {"fields": {"display_name": {}}},
    "caller_name": {}, "caller_phone": {}, "deadline": {}, "overdue": {}, "near_deadline": {},
    "urge_count": {},
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "hc_bench"), help="database (default hc_bench)")
    parser.add_argument("--repeat", type=int, default=30, help="repeats per operation (default 30)")
    parser.add_argument("--ddl", action="append", default=[],
                        help="SQL run first inside the transaction rolled back at the end: a candidate index")
    return parser.parse_args()


def database_exists(db):
    import psycopg2  # noqa: PLC0415 - Odoo's own dependency, on the path once the venv runs

    conn = psycopg2.connect(dbname="postgres")
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
            return bool(cr.fetchone())
    finally:
        conn.close()


def boot_odoo(db):
    sys.path.insert(0, str(ODOO_SRC))
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    addons = [str(ROOT / "addons")]
    if (ODOO_SRC / "addons").is_dir():
        addons.append(str(ODOO_SRC / "addons"))
    config.parse_config([
        "-c", str(ROOT / "config/odoo.conf"), "--addons-path", ",".join(addons),
        "--data-dir", os.environ.get("ODOO_DATA_DIR", str(ROOT / ".odoo/data")), "--log-level", "warn",
        "-d", db,
    ])
    from odoo.modules.registry import Registry  # noqa: PLC0415

    return odoo, Registry(db)


def timed(env, func, repeat, warmup=2):
    """Milliseconds per call; the first `warmup` calls (template compilation, caches) are not counted."""
    for i in range(warmup):
        func(repeat + i)
    samples = []
    for i in range(repeat):
        env.invalidate_all()
        start = time.perf_counter()
        func(i)
        env.flush_all()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name, samples):
    samples = sorted(samples)
    median = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    goal = GOALS_MS[name]
    verdict = "ok" if p95 <= goal else ("median ok" if median <= goal else "SLOW")
    print(f"{name:<26} median {median:7.1f} ms   p95 {p95:7.1f} ms   goal {goal:4d} ms   {verdict}")
    return median, p95


def main():
    args = parse_args()
    if not database_exists(args.db):
        # `make bench` runs every bench: without the 1M database this one has nothing to measure
        print(f"bench_case SKIPPED: no database {args.db}; create it with "
              f"`.venv/bin/python bench/generate_cases.py --db {args.db} --create` (about 7 minutes for 1M cases)")
        return
    try:
        odoo, registry = boot_odoo(args.db)
    except Exception as error:  # noqa: BLE001 - any boot failure: explain and stop
        sys.exit(f"cannot open database {args.db} ({error}); create it with bench/generate_cases.py --create")
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        for statement in args.ddl:
            cr.execute(statement)
        if args.ddl:
            cr.execute("ANALYZE hotline_case")
            print(f"with (rolled back at the end): {'; '.join(args.ddl)}")
        # a plain agent, as the agents' record rules and field groups apply (rolled back at the end)
        agent = env["res.users"].with_context(no_reset_password=True).create({
            "name": "基准受理员", "login": "bench_agent_tmp",
            "group_ids": [(6, 0, env.ref("hotline_case.group_agent").ids)],
        })
        total = env["hotline.case"].search_count([])
        print(f"database {args.db}: {total} cases, as user {agent.login}, {args.repeat} repeats")
        phones = [p.hotline_phone_norm for p in env["res.partner"].search(
            [("hotline_phone_norm", "!=", False)], limit=args.repeat, order="id desc")]
        if not phones or not total:
            sys.exit("no cases or callers: run bench/generate_cases.py first")
        unit = env["hotline.unit"].search([], limit=1)
        category = env["hotline.category"].search([("child_ids", "=", False)], limit=1)
        case_type = env["hotline.case.type"].search([], limit=1)
        lang = "zh_CN" if env["res.lang"]._lang_get("zh_CN") else "en_US"
        aenv = api.Environment(cr, agent.id, {"lang": lang, "tz": "Asia/Shanghai"})
        Case = aenv["hotline.case"]

        def find_by_phone(i):
            typed = " ".join([phones[i % len(phones)][:3], phones[i % len(phones)][3:]])
            phone = aenv.company._hotline_normalize_phone(typed)
            partners = aenv["res.partner"]._hotline_find_by_phone(phone)
            domain = ["|", ("partner_id", "in", partners.ids), ("caller_phone", "=", phone)]
            Case.search_read(domain, ["name", "state", "date_received", "category_id"], limit=20)

        states = ["pool", "dispatched", "processing", "callback", "closed"]

        def agent_list(i):
            # count_limit as the web client's list view (DEFAULT_COUNT_LIMIT 10000, +1)
            Case.web_search_read([("state", "=", states[i % len(states)])], LIST_SPEC, limit=80, count_limit=10001)

        def create_dispatch(i):
            case = Case.create({
                "caller_phone": f"139{i:08d}", "caller_name": "基准来电人", "type_id": case_type.id,
                "category_id": category.id, "address": "基准路1号", "description": "基准测试：新建并下发",
                "unit_id": unit.id,
            })
            case.action_self_dispatch()

        def intake_onchange(i):
            phone = phones[i % len(phones)]
            Case.onchange({"caller_phone": phone, "category_id": category.id, "street_id": False,
                           "address": "幸福路1号"}, ["caller_phone"], {
                "caller_phone": {}, "partner_id": {}, "caller_name": {}, "address": {}, "category_id": {},
                "caller_case_count": {}, "repeat_caller": {}, "suggested_unit_id": {}, "unit_id": {},
                "caller_case_ids": {"fields": {"name": {}, "state": {}}},
                "duplicate_case_ids": {"fields": {"name": {}, "state": {}}}, "duplicate_count": {},
            })

        unit_user = env["res.users"].with_context(no_reset_password=True).create({
            "name": "基准单位用户", "login": "bench_unit_tmp",
            "group_ids": [(6, 0, env.ref("hotline_case.group_unit_user").ids)],
            "hotline_unit_ids": [(6, 0, unit.ids)],
        })
        UnitCase = api.Environment(cr, unit_user.id, {"lang": lang, "tz": "Asia/Shanghai"})["hotline.case"]
        unit_spec = {key: value for key, value in LIST_SPEC.items() if key not in ("caller_name", "caller_phone")}

        def unit_list(i):
            domain = [("state", "in", ["dispatched", "processing"])] if i % 2 else []
            UnitCase.web_search_read(domain, unit_spec, limit=80, count_limit=10001)

        # the list a unit had when its rule was unit_id + state: what reading via handled_unit_ids costs in addition
        former_rule = [("unit_id", "in", unit.ids), ("state", "not in", ["draft", "pool"])]

        def unit_list_baseline(i):
            domain = [("state", "in", ["dispatched", "processing"])] if i % 2 else []
            aenv["hotline.case"].web_search_read(former_rule + domain, unit_spec, limit=80, count_limit=10001)

        results = {
            "find by caller phone": timed(aenv, find_by_phone, args.repeat),
            "agent list by state": timed(aenv, agent_list, args.repeat),
            "create + dispatch": timed(aenv, create_dispatch, args.repeat),
            "intake onchange": timed(aenv, intake_onchange, args.repeat),
            "unit list (record rules)": timed(UnitCase.env, unit_list, args.repeat),
            "unit list, baseline": timed(aenv, unit_list_baseline, args.repeat),
        }
        for name, samples in results.items():
            report(name, samples)
        cr.rollback()


if __name__ == "__main__":
    main()
