import copy
import logging
import os
import tempfile
from pathlib import Path
from unittest.mock import patch
from urllib.parse import quote, urlsplit

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..importer import Importer, indexes
from ..tools import sources
from ..tools.dates import DateParser
from ..tools.mapping import Mapping
from ..tools.sources import CsvFolder, SqlDatabase, XlsxWorkbook
from .legacy_generator import LegacySystem

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "legacy_12319.toml"
# MariaDB stands in for the legacy database (scripts/setup.sh installs and starts it)
MYSQL_URL = os.environ.get("HT_LEGACY_MYSQL_URL", "mysql://root@127.0.0.1:3306")
LEGACY_PASSWORD = "legacy:p@ss/word-never-stored"


class LogRecorder(logging.Handler):
    """Every record logged while attached, whatever its logger."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def text(self):
        return "\n".join(f"{r.name} {r.getMessage()}" for r in self.records)


def rejections(importer):
    """(table, legacy id, reason) of the rejected rows (the column names depend on the export's headers)."""
    return sorted((e["file"].rsplit(".", 1)[0], e["legacy_id"], e["reason"]) for e in importer.errors)


def expected_rejections(legacy, truncated):
    return sorted(r[:3] for r in legacy.rejects(truncated=truncated))


def schema(cr):
    """Every index and foreign key of the tables the importer may set aside. PostgreSQL prints a partial
    index's condition rebuilt from its own text with other casts (`IN ('a', 'b')` ...), the same condition:
    the condition is compared by its presence."""
    cr.execute("""
        SELECT indexrelid::regclass::text, regexp_replace(pg_get_indexdef(indexrelid), ' WHERE .*', ' WHERE …')
          FROM pg_index
         WHERE indrelid::regclass::text = ANY(%(tables)s)
        UNION ALL
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid::regclass::text = ANY(%(tables)s) AND contype = 'f'
    """, {"tables": list(indexes.BIG_TABLES)})
    return dict(cr.fetchall())


@tagged("at_install", "-post_install")
class TestMigrationImport(TransactionCase):
    """A generated legacy system exported to CSV (GBK, UTF-8 with BOM, Chinese headers) imported end to end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.legacy = LegacySystem(cases=80, seed=11)
        cls.folder = cls.legacy.write_csv(
            Path(cls.tmp.name) / "csv", encodings={"t_gongdan": "gbk", "t_laidianren": "utf-8-sig",
                                                  "t_liuzhuan": "gb18030"},
            chinese=("t_laidianren", "t_huawu"))
        cls.mapping = Mapping.load(EXAMPLE)
        cls.schema = schema(cls.env.cr)
        # a first load: the big tables' secondary indexes and foreign keys are set aside and put back
        cls.importer = Importer(cls.env, CsvFolder(cls.folder), cls.mapping, "test_csv",
                                report_dir=Path(cls.tmp.name) / "report", batch_size=50, defer_indexes=True).run()
        cls.source = cls.env["hotline.migration.source"].search([("code", "=", "test_csv")])

    def _imported(self, entity, legacy_id=None):
        domain = [("source_id", "=", self.source.id), ("entity", "=", entity)]
        if legacy_id:
            domain.append(("legacy_id", "=", legacy_id))
        xrefs = self.env["hotline.migration.xref"].search(domain)
        return self.env[xrefs[:1].res_model or "hotline.case"].browse(dict.fromkeys(xrefs.mapped("res_id")))

    def _row(self, table, legacy_id):
        from .legacy_generator import SCHEMA  # noqa: PLC0415

        row = next(r for r in self.legacy.tables[table] if r[0] == legacy_id)
        return dict(zip([c for c, _h in SCHEMA[table]], row, strict=False))

    def test_every_bad_row_reported_and_nothing_else_lost(self):
        expected = expected_rejections(self.legacy, True)
        self.assertEqual(rejections(self.importer), expected)
        self.assertEqual({e[2] for e in expected},
                         {"bad phone", "unknown code", "bad date", "orphan reference", "truncated line"})
        rejected = {(e[0], e[1]) for e in expected}
        tables = {"cases": "t_gongdan", "logs": "t_liuzhuan", "attachments": "t_fujian", "calls": "t_huawu"}
        for entity, table in tables.items():
            # 登记 (SL) is no step of the workflow's history: left out, not refused
            legacy_ids = {r[0] for r in self.legacy.tables[table] if table != "t_liuzhuan" or r[2] != "SL"}
            good = {i for i in legacy_ids if (table, i) not in rejected}
            xrefs = self.env["hotline.migration.xref"].search(
                [("source_id", "=", self.source.id), ("entity", "=", entity)])
            self.assertEqual(set(xrefs.mapped("legacy_id")), good, entity)
            self.assertEqual(len(self._imported(entity).exists()), len(good), entity)
        # the error file says where: file, line, column, reason
        with open(Path(self.tmp.name) / "report" / "errors.csv", encoding="utf-8-sig") as handle:
            lines = handle.read().splitlines()
        self.assertEqual(lines[0], "file,line,column,reason,legacy_id,value,message")
        bad_date = next(e for e in self.importer.errors if e["reason"] == "bad date")
        self.assertEqual((bad_date["file"], bad_date["column"], bad_date["value"]),
                         ("t_gongdan.csv", "slsj", "2019/13/45 25:61"))
        case_ids = [r[0] for r in self.legacy.tables["t_gongdan"]]
        self.assertEqual(bad_date["line"], case_ids.index(bad_date["legacy_id"]) + 2)
        # a call of a staff number missing from the agents table: kept, with an archived user of that number
        (number, call_id), = self.legacy.departed_staff.items()
        call = self._imported("calls", call_id)
        self.assertEqual((call.user_id.name, call.user_id.login, call.user_id.active),
                         (number, f"legacy_{number}", False))
        self.assertEqual(self.importer.unknown_staff[number]["rows"], {"calls": 1})

    def test_second_run_creates_nothing(self):
        counts = {m: self.env[m].search_count([]) for m in
                  ("hotline.case", "hotline.case.log", "hotline.call", "res.partner", "res.users", "ir.attachment")}
        again = Importer(self.env, CsvFolder(self.folder), self.mapping, "test_csv").run()
        self.assertEqual({m: self.env[m].with_context(active_test=False).search_count([]) for m in counts},
                         {m: self.env[m].with_context(active_test=False).search_count([]) for m in counts})
        self.assertEqual({m: self.env[m].search_count([]) for m in counts}, counts)
        self.assertFalse(any(c.get("created") for c in again.summary().values()), again.summary())
        self.assertEqual(again.summary()["cases"]["skipped"], self.importer.summary()["cases"]["created"])
        self.assertEqual(rejections(again), rejections(self.importer))

    def test_reconciliation_equal_or_explained(self):
        lines = self.importer.reconciliation
        self.assertTrue(lines)
        self.assertEqual([line for line in lines if line["status"] == "different"], [])
        explained = [line for line in lines if line["status"] == "explained"]
        self.assertTrue(explained, "the rejected cases and calls explain some differences")
        for line in lines:
            self.assertEqual(line["legacy"], line["imported"] + line["rejected"], line)
        total = sum(line["legacy"] for line in lines if line["metric"] == "cases")
        self.assertEqual(total, len(self.legacy.tables["t_gongdan"]))
        talk = sum(line["imported"] for line in lines if line["metric"] == "talk_seconds")
        self.assertEqual(talk, sum(self._imported("calls").mapped("talk_seconds")))
        # satisfaction distribution read back through the ORM
        cases = self._imported("cases")
        satisfied = sum(line["imported"] for line in lines if line["metric"] == "satisfaction:satisfied")
        self.assertEqual(satisfied, len(cases.filtered(lambda c: c.satisfaction == "satisfied")))

    def test_case_fields_and_history(self):
        parser = DateParser(self.mapping.date_formats, self.mapping.timezone)
        closed = next(r[0] for r in self.legacy.tables["t_gongdan"]
                      if r[11] == "07" and r[12] and (("t_gongdan", r[0]) not in
                                                      {(e[0], e[1]) for e in self.legacy.rejects(True)}))
        row = self._row("t_gongdan", closed)
        case = self._imported("cases", closed)
        self.assertEqual(case.name, row["gdbh"])
        self.assertEqual(case.state, "closed")
        self.assertEqual(case.description, row["nr"])  # GBK decoded
        self.assertEqual(case.date_received, parser.parse(row["slsj"]))
        self.assertEqual(case.create_date, case.date_received)
        self.assertEqual(case.create_uid, self.env.user)
        self.assertEqual(case.unit_id.code, self.mapping.codes["unit"].get(row["dwbm"], row["dwbm"]))
        self.assertEqual(case.category_id.industry_id or case.category_id.parent_id.industry_id, case.industry_id)
        self.assertEqual(case.satisfaction, self.mapping.codes["satisfaction"][row["myd"]])
        self.assertEqual(case.agent_id.login, f"legacy_{row['slgh']}")
        self.assertEqual(case.partner_id.hotline_phone_norm, case.caller_phone)
        # the whole history with its original times and operators, oldest first
        logs = case.log_ids.sorted("date")
        legacy_logs = [r for r in self.legacy.tables["t_liuzhuan"] if r[1] == closed and r[2] != "SL"]
        self.assertEqual(len(logs), len(legacy_logs))
        self.assertEqual([log.date for log in logs], sorted(parser.parse(r[7]) for r in legacy_logs))
        self.assertEqual(logs[-1].to_state, "closed")
        self.assertEqual(logs[-1].action, "callback_done")
        self.assertEqual(logs[0].user_id.login, f"legacy_{legacy_logs[0][5]}")
        self.assertEqual(case.date_dispatched, logs.filtered(lambda line: line.to_state == "dispatched")[-1:].date)
        # history, not news: no message, no activity, no mail, no urging, no deadline recomputed
        self.assertFalse(case.message_ids)
        self.assertFalse(case.activity_ids)
        self.assertEqual(case.urge_count, 0)
        self.assertEqual(case.deadline, parser.parse(row["qx"]))
        self.assertFalse(case.overdue, "a closed case is never overdue")
        # calls of the case, linked to the agent
        calls = case.call_ids
        self.assertTrue(calls)
        self.assertEqual(calls.user_id, case.agent_id)
        # the form and list views render the imported record
        case_form = self.env["hotline.case"].get_views([(False, "form"), (False, "list")])
        self.assertIn("form", case_form["views"])
        fields_read = case.web_read({name: {} for name in ("name", "state", "log_ids", "unit_id", "caller_phone")})
        self.assertEqual(fields_read[0]["name"], row["gdbh"])

    def test_callers_merged_by_phone(self):
        callers = self.legacy.tables["t_laidianren"]
        first, duplicate = callers[0], next(c for c in callers[1:] if c[1] == callers[0][1]
                                            and c[3] == callers[0][3])
        self.assertNotEqual(first[2], duplicate[2], "the generator types the duplicate differently")
        self.assertEqual(self._imported("callers", first[0]), self._imported("callers", duplicate[0]))
        self.assertEqual(self.importer.summary()["callers"]["merged"], self.legacy.duplicate_callers)
        partners = self._imported("callers")
        self.assertEqual(len(set(partners.mapped("hotline_phone_norm"))), len(partners))
        self.assertEqual(partners[:1].complete_name, partners[:1].name)

    def test_stored_computed_fields_as_the_orm_computes(self):
        """What the bulk insertion stored equals what the ORM computes for the same records."""
        for entity in ("callers", "cases", "calls", "logs"):
            records = self._imported(entity)[:20]
            computed = [f for f in records._fields.values() if f.store and f.compute and f.column_type]
            names = [f.name for f in computed]
            if not names:
                continue
            records.invalidate_recordset()
            before = records.read(names)
            for field in computed:
                self.env.add_to_compute(field, records)
            records.flush_recordset()
            records.invalidate_recordset()
            self.assertEqual(records.read(names), before, entity)

    def test_indexes_and_foreign_keys_put_back(self):
        self.assertGreater(self.importer.summary()["indexes"]["deferred"], 20)
        self.assertEqual(indexes.pending(self.env.cr), 0)
        self.assertEqual(schema(self.env.cr), self.schema)
        self.assertIn("hotline_case_log_case_id_fkey", self.schema)
        self.assertIn("hotline_call__enter_time_index", self.schema)

    def test_indexes_put_back_after_a_failure(self):
        """A run that fails halfway (here: a file vanished mid-run) still rebuilds what it set aside."""
        legacy = LegacySystem(cases=10, seed=3)
        folder = legacy.write_csv(Path(self.tmp.name) / "failing")
        source = CsvFolder(folder)
        rows = source.rows

        def failing_rows(table):
            if table == "t_liuzhuan":
                raise OSError("export folder unmounted")
            return rows(table)
        source.rows = failing_rows
        importer = Importer(self.env, source, self.mapping, "test_fail", defer_indexes=True)
        with self.assertRaises(OSError):
            importer.run()
        self.assertGreater(importer.summary()["indexes"]["deferred"], 20)
        self.assertEqual(indexes.pending(self.env.cr), 0)
        self.assertEqual(schema(self.env.cr), self.schema)

    def test_bulk_rows_equal_the_orm_create(self):
        """A case, a call and a caller written by the bulk path against the same created through the ORM:
        every stored column equal, apart from the id, the number and the log-access columns (the bulk path
        dates the row at its legacy time) and the dates the importer takes from the case's history."""
        source = CsvFolder(self.folder)
        rejected = {(e[0], e[1]) for e in expected_rejections(self.legacy, True)}
        context = dict(tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
        log_access = {"id", "create_uid", "create_date", "write_uid", "write_date"}

        def columns(record, exclude):
            return {n: record[n] for n, f in record._fields.items()
                    if f.store and f.column_type and n not in exclude | log_access}

        def legacy_row(table, entity, pick):
            cols = self.mapping.resolve(entity, source.headers(table))
            for _line, row, problem in source.rows(table):
                if not problem and (table, row[cols["id"]]) not in rejected and pick(row, cols):
                    return row, cols
            raise AssertionError(f"no {entity} row to compare")

        # a closed case with unit, category, street and the caller's phone
        row, cols = legacy_row("t_gongdan", "cases", lambda r, c: r[c["state"]] == "07" and r[c["unit"]]
                               and r[c["category"]] and r[c["street"]] and r[c["phone"]])
        bulk = self._imported("cases", row[cols["id"]])
        vals = self.importer.entities["cases"].convert(row, cols)
        on_call = vals["state"] == "closed" and not vals["unit_id"]
        vals.update(name=f"{vals['name']}-orm", channel="phone", agent_id=vals["agent_id"] or self.env.uid,
                    resolution_note=vals["result_note"] if on_call else None)
        orm = self.env["hotline.case"].sudo().with_context(**context).create(vals)
        from_history = {"name", "date_dispatched", "date_accepted", "date_submitted", "dispatcher_id", "sign_deadline"}
        self.assertEqual(columns(bulk, from_history), columns(orm, from_history))
        self.assertTrue(bulk.partner_id and bulk.industry_id)
        # a case typed without the caller's name takes the known caller's, as create() does
        vals.update(name=f"{vals['name']}-nameless", caller_name=None)
        self.addCleanup(setattr, self.importer, "counts", copy.deepcopy(self.importer.counts))
        [(_legacy_id, res_id)] = self.importer.entities["cases"].write([("nameless", vals)])
        nameless = self.env["hotline.case"].browse(res_id)
        self.assertTrue(nameless.partner_id)
        self.assertEqual(nameless.caller_name, nameless.partner_id.name)

        row, cols = legacy_row("t_huawu", "calls", lambda r, c: r[c["agent"]] and r[c["caller_number"]])
        bulk = self._imported("calls", row[cols["id"]])
        vals = self.importer.entities["calls"].convert(row, cols)
        vals.pop("case_id")
        citizen = vals["caller_number"] if vals["direction"] == "inbound" else vals["called_number"]
        vals.update(uniqueid=f"{bulk.uniqueid}-orm", partner_id=self.importer.phones.get(citizen))
        orm = self.env["hotline.call"].sudo().with_context(**context).create(vals)
        self.assertEqual(columns(bulk, {"uniqueid"}), columns(orm, {"uniqueid"}))
        self.assertTrue(bulk.caller_phone)

        row, cols = legacy_row("t_laidianren", "callers", lambda r, c: r[c["address"]])
        bulk = self._imported("callers", row[cols["id"]])
        orm = self.env["res.partner"].sudo().with_context(**context, tz=self.mapping.timezone).create({
            "name": bulk.name, "phone": bulk.phone, "street": bulk.street})
        # a person is their own commercial partner
        self.assertEqual(columns(bulk, {"commercial_partner_id"}), columns(orm, {"commercial_partner_id"}))
        self.assertEqual((bulk.commercial_partner_id, orm.commercial_partner_id), (bulk, orm))
        self.assertTrue(bulk.lang)
        self.assertTrue(bulk.phone_sanitized)

        # nothing left for the ORM to compute after the bulk insertion
        self.assertEqual({key[0]: inserter.to_compute for key, inserter in self.importer._inserters.items()},
                         {key[0]: [] for key in self.importer._inserters})

    def test_agents_inactive_where_gone(self):
        agents = self._imported("agents").with_context(active_test=False)
        gone = {r[0] for r in self.legacy.tables["t_zuoxi"] if r[2] == "0"}
        self.assertEqual({a.login[len("legacy_"):] for a in agents if not a.active}, gone)
        self.assertTrue(all(a.has_group("hotline_case.group_agent") for a in agents))

    def test_units_see_only_what_their_rule_allows(self):
        unit = self.env["hotline.unit"].search([("code", "=", "DW04")])
        self.assertTrue(unit, "legacy units without a mapped code are created with their own code")
        user = new_test_user(self.env(context=dict(self.env.context, no_reset_password=True)), "mig_unit",
                             groups="hotline_case.group_unit_user")
        unit.member_ids = [(4, user.id)]
        imported = self._imported("cases")
        mine = imported.filtered(lambda c: c.unit_id == unit and c.state not in ("draft", "pool"))
        self.assertTrue(mine)
        Case = self.env["hotline.case"].with_user(user)
        visible = Case.search([("id", "in", imported.ids)])
        self.assertEqual(visible, mine.with_user(user))
        confidential = mine.filtered("confidential")[:1] or mine[:1]
        confidential.sudo().confidential = True
        data = confidential.with_user(user).read(["unit_caller_name", "unit_caller_phone"])[0]
        self.assertEqual(data["unit_caller_phone"], "Confidential")
        with self.assertRaises(AccessError):
            Case.browse((imported - mine)[:1].id).read(["description"])
        with self.assertRaises(AccessError):
            self.env["hotline.migration.xref"].with_user(user).search([])
        with self.assertRaises(AccessError):
            self.env["hotline.migration.source"].with_user(user).search([])

    def test_dry_run_writes_nothing(self):
        before = self.env["hotline.case"].search_count([])
        dry = Importer(self.env, CsvFolder(self.folder), self.mapping, "test_dry", dry_run=True,
                       report_dir=Path(self.tmp.name) / "dry").run()
        self.assertEqual(self.env["hotline.case"].search_count([]), before)
        self.assertFalse(self.env["hotline.migration.source"].search([("code", "=", "test_dry")]))
        self.assertEqual(rejections(dry), rejections(self.importer))
        self.assertEqual(dry.summary()["cases"]["created"], self.importer.summary()["cases"]["created"])
        self.assertTrue((Path(self.tmp.name) / "dry" / "errors.csv").exists())
        self.assertEqual([line for line in dry.reconciliation if line["status"] == "different"], [])


@tagged("at_install", "-post_install")
class TestMigrationOtherSources(TransactionCase):
    """The same legacy system read from an Excel workbook and from the legacy database itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.legacy = LegacySystem(cases=40, seed=5)
        cls.legacy.write_attachments(cls.tmp.name)
        cls.mapping = Mapping.load(EXAMPLE)

    def _check(self, importer):
        expected = expected_rejections(self.legacy, False)
        self.assertEqual(rejections(importer), expected)
        self.assertEqual(importer.summary()["cases"]["created"],
                         len(self.legacy.tables["t_gongdan"]) - sum(1 for e in expected if e[0] == "t_gongdan"))
        self.assertEqual([line for line in importer.reconciliation if line["status"] == "different"], [])

    def test_xlsx_workbook(self):
        path = self.legacy.write_xlsx(Path(self.tmp.name) / "legacy.xlsx")
        workbook = XlsxWorkbook(path)
        workbook.spool_batch = 7  # several pickles a spool file
        opened = []

        def open_workbook(*args, **kwargs):
            opened.append(args)
            return real_open(*args, **kwargs)

        real_open = sources._open_workbook
        with patch.object(sources, "_open_workbook", open_workbook):
            importer = Importer(self.env, workbook, self.mapping, "test_xlsx").run()
        self._check(importer)
        # opened once; each sheet read is parsed once, kept for its next readings, removed on closing
        self.assertEqual(len(opened), 1)
        spools = [spool for spool, _header in workbook.spools.values()]
        self.assertTrue({"t_gongdan", "t_liuzhuan", "t_huawu"} <= set(workbook.spools))
        workbook.close()
        self.assertFalse([spool for spool in spools if os.path.exists(spool)])
        orphans = sum(1 for r in self.legacy.rejects() if r[0] == "t_fujian")
        self.assertEqual(importer.summary()["attachments"]["rejected"], orphans, "only the orphan ones")
        self.assertEqual(importer.summary()["attachments"]["created"], len(self.legacy.tables["t_fujian"]) - orphans)

    def test_mariadb(self):
        """Read through an account with a password, which stays out of the source record, the logs and the
        reports."""
        database = f"legacy_{self.env.cr.dbname}"[:60]
        parts = urlsplit(self.legacy.write_mysql(MYSQL_URL, database))
        import pymysql  # noqa: PLC0415

        root = pymysql.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username or "root",
                               password=parts.password or "", autocommit=True)
        hosts = ("127.0.0.1", "localhost")
        with root.cursor() as cursor:
            for host in hosts:
                cursor.execute("CREATE OR REPLACE USER 'ht_legacy_reader'@%s IDENTIFIED BY %s", [host, LEGACY_PASSWORD])
                cursor.execute(f"GRANT SELECT ON `{database}`.* TO 'ht_legacy_reader'@%s", [host])
        url = parts._replace(netloc=f"ht_legacy_reader:{quote(LEGACY_PASSWORD, safe='')}@{parts.netloc.split('@')[-1]}")
        report = Path(self.tmp.name) / "report_sql"
        logged = LogRecorder()
        logging.getLogger().addHandler(logged)
        importer_logger = logging.getLogger("odoo.addons.hotline_migration")
        level = importer_logger.level
        importer_logger.setLevel(logging.DEBUG)
        source = None
        try:
            source = SqlDatabase(url.geturl())
            self.assertIn("t_gongdan", source.tables())
            importer = Importer(self.env, source, self.mapping, "test_sql", attachments_root=self.tmp.name,
                                report_dir=report).run()
        finally:
            logging.getLogger().removeHandler(logged)
            importer_logger.setLevel(level)
            if source:
                source.close()
            with root.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
                for host in hosts:
                    cursor.execute("DROP USER IF EXISTS 'ht_legacy_reader'@%s", [host])
            root.close()
        self._check(importer)
        stored = importer.source_record.read(["location", "last_report"])[0]
        self.assertEqual(stored["location"], f"mysql://ht_legacy_reader@{parts.netloc.split('@')[-1]}/{database}")
        written = [stored, importer.summary_text(), logged.text(), *(f.read_text() for f in report.iterdir())]
        for where in written:
            self.assertNotIn(LEGACY_PASSWORD, str(where))
            self.assertNotIn(quote(LEGACY_PASSWORD, safe=""), str(where))
        self.assertEqual(importer.errors[0]["file"], "t_gongdan")
