#!/usr/bin/env python3
"""Legacy migration speed: hotline_import end to end next to Odoo's standard import (base_import).

    .venv/bin/python bench/bench_import.py                 # 100,000 legacy cases (about 250,000 calls)
    .venv/bin/python bench/bench_import.py --cases 1000000

A generated legacy system (scripts/legacy_generate.py: GBK/BOM CSV, mixed date formats, dirty phones,
the planted bad rows) is imported with `scripts/odoo hotline_import` into a fresh copy of a database
holding hotline_migration without demo data. Printed: cases per second with their history
(callers, cases, log lines, attachments) and call records per second, from the command's own per-entity
timings, plus the wall time of the whole command. In the same run, base_import imports the first
--sample cases and calls of the same export (cleaned to one date format and UTF-8, which it needs)
through its wizard, the way a user would: rows per second. Goals: >= 5,000 cases/s, >= 20,000 calls/s.

In the same run, the same legacy system exported as one XLSX workbook (a sheet per table, native and
serial date cells) is imported into a fresh copy as well, its figures printed next to the CSV folder's
(--no-xlsx leaves it out).
"""

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_case import boot_odoo  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", ROOT / ".odoo/root/usr/lib/python3/dist-packages"))
ODOO = str(ROOT / "scripts" / "odoo")
GOALS = {"cases/s with history": 5000, "calls/s": 20000}


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def database_exists(db):
    out = subprocess.run(["psql", "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip() == "1"


def fresh_database(db):
    template = f"{db}_tpl"
    if not database_exists(template):
        print(f"creating template database {template} (hotline_migration, base_import, no demo)", flush=True)
        sh(ODOO, "-d", template, "-i", "hotline_migration,base_import", "--stop-after-init", "--log-level=warn",
           "--http-port", os.environ.get("BENCH_HTTP_PORT", "8279"))
    sh("dropdb", "--if-exists", "--force", db)
    # a center's first load starts with an empty filestore: no collision check against an earlier run's files
    shutil.rmtree(Path(os.environ.get("ODOO_DATA_DIR", ROOT / ".odoo/data")) / "filestore" / db, ignore_errors=True)
    sh("createdb", "-T", template, db)
    # the prerequisites a site sets before its first import (the importer stops without them)
    for sql in ("UPDATE res_company SET hotline_default_area_code = '0931'",
                "UPDATE resource_calendar SET tz = 'Asia/Shanghai' "
                "WHERE id IN (SELECT resource_calendar_id FROM res_company)"):
        sh("psql", "-q", "-d", db, "-c", sql)


def legacy_export(cases, seed):
    folder = ROOT / ".artefacts" / f"legacy_{cases}_{seed}"
    if not (folder / "t_huawu.csv").exists():
        print(f"generating a legacy system of {cases:,} cases in {folder}", flush=True)
        sh(str(ROOT / ".venv/bin/python"), str(ROOT / "scripts/legacy_generate.py"), "--cases", str(cases),
           "--seed", str(seed), "--csv", str(folder))
    return folder


def legacy_workbook(cases, seed, folder):
    """The same legacy system as one workbook, beside the CSV folder (its attachments stay there)."""
    path = folder.parent / f"{folder.name}.xlsx"
    if not path.exists():
        print(f"writing the same legacy system as a workbook {path}", flush=True)
        sh(str(ROOT / ".venv/bin/python"), str(ROOT / "scripts/legacy_generate.py"), "--cases", str(cases),
           "--seed", str(seed), "--xlsx", str(path))
    return path


def run_import(db, folder, report, extra=()):
    # a failed run must not leave an earlier run's figures to be printed
    (report / "report.json").unlink(missing_ok=True)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run([ODOO, "hotline_import", "-d", db, "--from", str(folder), "--source", "bench",
                          "--report", str(report), "--log-level=warn", "--http-port",
                          os.environ.get("BENCH_HTTP_PORT", "8279"), *extra], text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode not in (0, 1) or not (report / "report.json").exists():
        sys.exit(f"hotline_import failed ({run.returncode})")
    result = json.loads((report / "report.json").read_text())
    # CPU of the command itself (not PostgreSQL's): what the shared machine's load does not inflate
    result["cpu_seconds"] = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    return wall, result


def base_import_samples(folder, sample, target):
    """The first `sample` cases and calls as base_import needs them: UTF-8, one date format."""
    sys.path.insert(0, str(ODOO_SRC))
    import odoo.addons  # noqa: PLC0415

    odoo.addons.__path__.append(str(ROOT / "addons"))
    from odoo.addons.hotline_migration.tools.dates import DateParser  # noqa: PLC0415
    from odoo.addons.hotline_migration.tools.sources import CsvFolder  # noqa: PLC0415

    source = CsvFolder(folder)
    parser = DateParser(["%Y/%m/%d %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "excel"], "UTC")
    files = {}
    for table, columns, name in (
        ("t_gongdan", {"gdbh": "name", "slsj": "date_received", "nr": "description", "dz": "address",
                       "ldrxm": "caller_name"}, "cases.csv"),
        ("t_huawu", {"hwid": "uniqueid", "zjhm": "caller_number", "bjhm": "called_number", "ldsj": "enter_time",
                     "thsc": "talk_seconds", "ddsc": "wait_seconds", "dl": "queue"}, "calls.csv"),
    ):
        path = target / name
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(list(columns.values()))
            written = 0
            for _line, row, problem in source.rows(table):
                if problem:
                    continue
                values = []
                try:
                    for column, field in columns.items():
                        value = row[column]
                        if field in ("date_received", "enter_time"):
                            value = parser.parse(value).strftime("%Y-%m-%d %H:%M:%S")
                        values.append(value)
                except ValueError:
                    continue
                writer.writerow(values)
                written += 1
                if written >= sample:
                    break
        files[name] = (path, list(columns.values()), written)
    return files


def time_base_import(db, files):
    """base_import's wizard on each sample (rolled back): rows per second."""
    odoo, registry = boot_odoo(db)
    rates = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        for name, model in (("cases.csv", "hotline.case"), ("calls.csv", "hotline.call")):
            path, fields, count = files[name]
            wizard = env["base_import.import"].create({"res_model": model, "file": path.read_bytes(),
                                                      "file_name": name, "file_type": "text/csv"})
            options = {"has_headers": True, "separator": ",", "quoting": '"', "encoding": "utf-8",
                       "date_format": "%Y-%m-%d", "datetime_format": "%Y-%m-%d %H:%M:%S",
                       "float_thousand_separator": "",
                       "float_decimal_separator": ".", "import_skip_records": [], "import_set_empty_fields": [],
                       "fallback_values": {}, "name_create_enabled_fields": {}}
            start = time.perf_counter()
            result = wizard.execute_import(fields, fields, options)
            elapsed = time.perf_counter() - start
            errors = [m for m in result.get("messages", []) if m.get("type") == "error"]
            if errors:
                print(f"base_import {name}: {errors[:2]}")
            rates[model] = (len(result.get("ids") or []), elapsed)
        cr.rollback()
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "mig_bench"))
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", 100000)))
    parser.add_argument("--seed", type=int, default=12319)
    parser.add_argument("--sample", type=int, default=2000, help="rows given to base_import (default 2000)")
    parser.add_argument("--no-xlsx", action="store_true", help="leave out the workbook's import")
    args = parser.parse_args()

    folder = legacy_export(args.cases, args.seed)
    fresh_database(args.db)
    load_before = os.getloadavg()
    report = ROOT / ".artefacts" / "bench_import_report"
    wall, result = run_import(args.db, folder, report)
    counts = result["counts"]
    history = ("callers", "cases", "logs", "attachments")
    history_seconds = sum(counts[e]["seconds"] for e in history)
    cases = counts["cases"]["created"]
    calls = counts["calls"]["created"]
    figures = {
        "cases/s with history": cases / history_seconds,
        "calls/s": calls / counts["calls"]["seconds"],
    }
    print(f"\nhotline_import, {args.cases:,} legacy cases: {cases:,} cases with {counts['logs']['created']:,} log "
          f"lines, {counts['attachments']['created']:,} attachments, {counts['callers']['created']:,} callers in "
          f"{history_seconds:.1f} s; {calls:,} calls in {counts['calls']['seconds']:.1f} s; "
          f"whole command {wall:.1f} s (start-up, reference tables and reconciliation included); "
          f"{result['rejected_rows']} rows rejected, {result['unexplained_differences']} unexplained differences; "
          f"the command's own CPU {result['cpu_seconds']:.1f} s; "
          f"{counts.get('indexes', {}).get('deferred', 0)} indexes and foreign keys set aside and rebuilt "
          f"(rebuild time included in the figures)")

    files = base_import_samples(folder, args.sample, report)
    rates = time_base_import(args.db, files)
    base = {"cases/s with history": rates["hotline.case"], "calls/s": rates["hotline.call"]}
    print(f"\n{'figure':<22} {'hotline_import':>15} {'base_import':>13} {'ratio':>7} {'goal':>8}")
    for name, value in figures.items():
        done, elapsed = base[name]
        base_rate = done / elapsed if elapsed else 0
        verdict = "ok" if value >= GOALS[name] else "SLOW"
        print(f"{name:<22} {value:>15,.0f} {base_rate:>13,.0f} {value / base_rate if base_rate else 0:>6.0f}x "
              f"{GOALS[name]:>8,} {verdict}")
    print(f"(base_import: {base['cases/s with history'][0]:,} cases without history and "
          f"{base['calls/s'][0]:,} calls, cleaned to one date format, rolled back)")
    rows = sum(counts[e]["created"] for e in (*history, "calls"))
    seconds = history_seconds + counts["calls"]["seconds"]
    base_rows = sum(done for done, _elapsed in base.values())
    base_seconds = sum(elapsed for _done, elapsed in base.values())
    print(f"{'rows/s, all entities':<22} {rows / seconds:>15,.0f} {base_rows / base_seconds:>13,.0f} "
          f"{rows / seconds / (base_rows / base_seconds):>6.1f}x")
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min) before the import {load_before[0]:.1f} {load_before[1]:.1f} "
          f"{load_before[2]:.1f}, after base_import {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f} "
          f"on {os.cpu_count()} cores")
    if not args.no_xlsx:
        compare_workbook(args, folder, wall, result)
    if args.cases < 1000000:
        per_million = history_seconds * 1000000 / max(cases, 1)
        print(f"1,000,000 cases with history at this rate: about {per_million / 60:.1f} min (goal <= 10 min)")


def compare_workbook(args, folder, csv_wall, csv_result):
    """The same system from one workbook, in a fresh copy: its figures next to the CSV folder's."""
    workbook = legacy_workbook(args.cases, args.seed, folder)
    fresh_database(args.db)
    wall, result = run_import(args.db, workbook, ROOT / ".artefacts" / "bench_import_report_xlsx",
                              ("--attachments", str(folder)))
    print(f"\n{'same system, same run':<22} {'CSV folder':>12} {'XLSX workbook':>14} {'ratio':>7}")
    for entity in ("cases", "logs", "attachments", "calls"):
        c, x = csv_result["counts"][entity], result["counts"][entity]
        print(f"{entity + ' (rows, s)':<22} {c['created']:>6,} {c['seconds']:>5.1f} {x['created']:>7,} "
              f"{x['seconds']:>6.1f} {x['seconds'] / max(c['seconds'], 1e-9):>6.1f}x")
    print(f"{'whole command (s)':<22} {csv_wall:>12.1f} {wall:>14.1f} {wall / csv_wall:>6.1f}x")
    csv_cpu, cpu = csv_result["cpu_seconds"], result["cpu_seconds"]
    print(f"{'its own CPU (s)':<22} {csv_cpu:>12.1f} {cpu:>14.1f} {cpu / max(csv_cpu, 1e-9):>6.1f}x")
    print(f"(the CSV export's last case line is cut short, as a copy interrupted: one case less there; "
          f"the workbook, {workbook.stat().st_size / 1e6:.1f} MB, opened once for every table, count and reading)")


if __name__ == "__main__":
    main()
