#!/usr/bin/env python3
"""Generate a test legacy hotline system (hotline_migration's generator) as CSV, XLSX and/or MariaDB.

  .venv/bin/python scripts/legacy_generate.py --cases 10000 --csv /tmp/legacy
  .venv/bin/python scripts/legacy_generate.py --cases 2000 --xlsx /tmp/legacy.xlsx
  .venv/bin/python scripts/legacy_generate.py --cases 10000 --mysql mysql://root@127.0.0.1:3306/legacy_demo

The CSV export mixes encodings as real exports do: cases in GBK, callers in UTF-8 with BOM and
Chinese headers, history in GB18030, the rest UTF-8; the last case line is truncated.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("ODOO_SRC", str(ROOT / ".odoo/root/usr/lib/python3/dist-packages")))

import importlib.util  # noqa: E402

import odoo.addons  # noqa: E402

odoo.addons.__path__.append(str(ROOT / "addons"))


def _generator():
    """The addon's test module, loaded alone: the tests package's __init__ would import every test."""
    name = "odoo.addons.hotline_migration.tests.legacy_generator"
    spec = importlib.util.spec_from_file_location(name, ROOT / "addons/hotline_migration/tests/legacy_generator.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


LegacySystem = _generator().LegacySystem

ENCODINGS = {"t_gongdan": "gbk", "t_laidianren": "utf-8-sig", "t_liuzhuan": "gb18030"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12319)
    parser.add_argument("--csv", help="folder of the CSV export")
    parser.add_argument("--utf8", action="store_true", help="every CSV file in UTF-8 (the bench's base_import)")
    parser.add_argument("--xlsx", help="workbook path")
    parser.add_argument("--mysql", help="mysql://user@host:port/legacy_NAME (dropped and recreated)")
    args = parser.parse_args()
    legacy = LegacySystem(cases=args.cases, seed=args.seed)
    if args.csv:
        legacy.write_csv(args.csv, encodings=None if args.utf8 else ENCODINGS, chinese=("t_laidianren",))
        print(f"CSV export in {args.csv}")  # noqa: T201
    if args.xlsx:
        legacy.write_xlsx(args.xlsx)
        print(f"workbook {args.xlsx}")  # noqa: T201
    if args.mysql:
        server, _, database = args.mysql.rpartition("/")
        if not database.startswith("legacy_"):
            parser.error("the legacy database name must start with legacy_")
        print(f"database {legacy.write_mysql(server, database)}")  # noqa: T201
    counts = ", ".join(f"{table} {len(rows)}" for table, rows in legacy.tables.items())
    print(f"{counts}; {len(legacy.rejects(truncated=bool(args.csv)))} bad rows planted")  # noqa: T201


if __name__ == "__main__":
    main()
