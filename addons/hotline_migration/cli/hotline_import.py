"""``odoo hotline_import -d DB --from SOURCE [--mapping FILE]``: migrate a legacy hotline system.

SOURCE is a folder of CSV/XLSX exports, an .xlsx workbook or a database URL
(mysql://user@host:3306/db, mssql://..., odbc://?DSN=...; the password in the environment variable
HOTLINE_LEGACY_PASSWORD rather than on the command line). Loaded by Odoo's CLI as
``odoo.cli.hotline_import``, so the addon is imported by absolute path.
"""

import argparse
import logging
import sys
from pathlib import Path

from odoo.cli import Command

_logger = logging.getLogger("odoo.addons.hotline_migration.cli")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "legacy_12319.toml"


class HotlineImport(Command):
    """Import a legacy hotline system (CSV/XLSX exports or a SQL database) through a TOML mapping."""

    name = "hotline_import"

    def run(self, args):
        own = argparse.ArgumentParser(prog="odoo hotline_import", add_help=False)
        own.add_argument("--from", dest="location",
                         help="CSV/XLSX folder, .xlsx workbook or database URL (password: $HOTLINE_LEGACY_PASSWORD)")
        own.add_argument("--mapping", default=str(EXAMPLE), help="TOML mapping (default: the example)")
        own.add_argument("--source", default="legacy", help="code of the legacy system (scope of its ids)")
        own.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        own.add_argument("--report", default="migration-report", help="folder of the reports")
        own.add_argument("--batch-size", type=int, default=5000)
        own.add_argument("--keep-indexes", action="store_true",
                         help="never set the big tables' indexes and foreign keys aside (a live database)")
        own.add_argument("--only", default="", help="comma-separated entities to import (default: all)")
        own.add_argument("--init-mapping", metavar="FILE", help="write a starter mapping from the source's headers")
        own.add_argument("--attachments", default="", help="folder the attachment paths are relative to")
        own.add_argument("--lang", default="", help="language of the error messages (default: the admin's)")
        own.add_argument("--no-progress", action="store_true")
        own.add_argument("--jobs", type=int, default=0,
                         help="processes reading the cases, log lines and calls side by side (default: one per core)")
        own.add_argument("--help-import", action="help", help="show this help")
        opts, rest = own.parse_known_args(args)
        if not opts.location:
            own.error("--from is required")

        # Absolute on purpose: this file runs as odoo.cli.hotline_import, outside the addon package.
        from odoo.addons.hotline_case.tools.cli import (  # noqa: PLC0415  # pylint: disable=odoo-addons-relative-import
            parse_odoo_config,
            superuser_env,
        )
        from odoo.addons.hotline_migration.tools.mapping import (  # noqa: PLC0415  # pylint: disable=odoo-addons-relative-import
            Mapping,
            MappingError,
            starter_mapping,
        )
        from odoo.addons.hotline_migration.tools.sources import (  # noqa: PLC0415  # pylint: disable=odoo-addons-relative-import
            open_source,
        )

        source = open_source(opts.location)
        if opts.init_mapping:
            Path(opts.init_mapping).write_text(starter_mapping(source), encoding="utf-8")
            sys.stdout.write(f"starter mapping written to {opts.init_mapping}\n")
            return 0

        dbname = parse_odoo_config(rest)
        try:
            mapping = Mapping.load(opts.mapping)
        except (OSError, MappingError) as exc:
            sys.exit(f"hotline_import: {exc}")

        from odoo.addons.hotline_migration.importer import (  # noqa: PLC0415  # pylint: disable=odoo-addons-relative-import
            Importer,
        )
        from odoo.exceptions import UserError  # noqa: PLC0415

        with superuser_env(dbname) as env:
            cr = env.cr
            # the error file's messages in the administrator's language (Chinese in a Chinese center)
            env = env(context={"lang": opts.lang or env.ref("base.user_admin").lang})
            importer = Importer(env, source, mapping, opts.source, dry_run=opts.dry_run, report_dir=opts.report,
                                batch_size=opts.batch_size, commit=cr.commit, progress=not opts.no_progress,
                                only=set(filter(None, opts.only.split(","))) or None,
                                attachments_root=opts.attachments or None, rollback=cr.rollback,
                                defer_indexes=False if opts.keep_indexes else "auto", jobs=opts.jobs or None)
            try:
                importer.run()
            except MappingError as exc:
                sys.exit(f"hotline_import: {exc}")
            except UserError as exc:  # a prerequisite or a mapping value: said before the first row
                sys.exit(f"hotline_import: {exc.args[0]}")
            finally:
                source.close()
            if opts.dry_run:
                cr.rollback()
        # the operator's terminal, not the log
        sys.stdout.write(("DRY RUN, nothing written\n" if opts.dry_run else "") + importer.summary_text() + "\n")
        sys.stdout.write(f"reports: {Path(opts.report).resolve()} (errors.csv, reconciliation.csv, report.json)\n")
        different = sum(1 for line in importer.reconciliation if line["status"] == "different")
        return 1 if different else 0
