import csv
import json
import logging
import os
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from psycopg2.extras import execute_values

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tools import SQL

from ..tools.dates import BadDate, DateParser
from ..tools.deadlines import DeadlinePlanner
from ..tools.mapping import CODE_TARGETS, ENTITIES, SKIPPED_ACTION
from ..tools.phones import BadPhone, make_normalizer
from ..tools.progress import Progress
from . import indexes, parallel
from .bulk import BulkInserter, DirectWriter, PipelinedWriter, copy_rows

_logger = logging.getLogger(__name__)

# entity → hotline model (xref.res_model)
MODELS = {
    "units": "hotline.unit", "categories": "hotline.category", "types": "hotline.case.type",
    "districts": "hotline.district", "streets": "hotline.street", "agents": "res.users",
    "callers": "res.partner", "cases": "hotline.case", "logs": "hotline.case.log",
    "attachments": "ir.attachment", "calls": "hotline.call",
}
# small reference tables go through the ORM (translations, parent paths, constraints); the rest in bulk
REFERENCE = ("units", "categories", "types", "districts", "streets", "agents")
# read by several processes side by side in a real load (see parallel.py)
PARALLEL = ("cases", "logs", "calls")
CASE_METRICS = ("cases", "closed")
# the staff number (工号) columns: entity → field
STAFF_FIELDS = {"cases": "agent", "logs": "user", "calls": "agent"}
DISPATCH_ACTIONS = ("dispatch", "self_dispatch")


class Skipped(Exception):
    """A legacy row the workflow has no record for (a 登记 log line): left out, counted, not an error."""


class Rejected(Exception):
    def __init__(self, column, reason, value=""):
        super().__init__(reason)
        self.column = column
        self.reason = reason
        self.value = value


class Importer:
    """Import one legacy source according to a mapping.

    Each batch of rows is written with its xref lines in one transaction (`commit` after each): a run
    stopped anywhere and started again skips what is already imported and creates nothing twice.
    With `dry_run`, everything is read and validated and nothing is written.
    """

    def __init__(self, env, source, mapping, code, dry_run=False, report_dir=None, batch_size=5000,
                 commit=None, progress=False, only=None, attachments_root=None, rollback=None,
                 defer_indexes="auto", jobs=None):
        self.env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True,
                                    mail_notrack=True, no_reset_password=True, active_test=False))
        self.source = source
        self.mapping = mapping
        self.code = code
        self.dry_run = dry_run
        self.report_dir = Path(report_dir) if report_dir else None
        self.batch_size = batch_size
        self.commit = commit or (lambda: None)
        self.commits = commit is not None  # real commits (the CLI's), not a test's transaction
        # indexes rebuilt by one connection per core, which needs batches really committed (not a test's)
        self.index_builders = min(os.cpu_count() or 1, 4) if self.commits else 1
        # the CLI's own transaction may be rolled back after a failure (a test's may not)
        self.rollback = rollback
        self.defer_indexes = defer_indexes
        self.jobs = jobs or min(os.cpu_count() or 1, 4)
        self.progress = progress
        self.only = only
        self.attachments_root = attachments_root
        self.dates = DateParser(mapping.date_formats, mapping.timezone)
        self.phone = make_normalizer(self.env)
        self.errors = []
        self.counts = defaultdict(lambda: defaultdict(int))
        self.ids = {}
        self.legacy = defaultdict(lambda: defaultdict(int))
        self.rejected = defaultdict(lambda: defaultdict(int))
        self.fake_id = 0
        # unknown staff numbers: number → user id, and what became of each (the run's report)
        self.staff = {}
        self.unknown_staff = {}
        self.source_record = self._source_record()
        # the bulk entities' batches; sent by a thread of their own in a real load (see PipelinedWriter)
        self.writer = DirectWriter(self.env, self.commit)
        # the cases' dates derived beside the attachments in a real load (see _start_case_dates)
        self.case_dates = None

    # -- set-up -------------------------------------------------------------------------------------
    def _source_record(self):
        Source = self.env["hotline.migration.source"].sudo()
        record = Source.search([("code", "=", self.code)], limit=1)
        if not record and not self.dry_run:
            record = Source.create({"code": self.code, "name": self.mapping.name or self.code,
                                    "location": self.source.location})
        return record

    def _known(self, entity):
        """legacy id → record id of what an earlier run imported."""
        if not self.source_record:
            return {}
        self.env.cr.execute(
            "SELECT legacy_id, res_id FROM hotline_migration_xref WHERE source_id = %s AND entity = %s",
            [self.source_record.id, entity])
        return dict(self.env.cr.fetchall())

    def _file(self, table):
        kind = getattr(self.source, "tables_", {}).get(table, ("sql", None))[0]
        return f"{table}.{kind}" if kind in ("csv", "xlsx") else table

    # -- run ----------------------------------------------------------------------------------------
    def run(self):
        self.check_prerequisites()
        self.phones = self._partner_phones()
        if self.dry_run:
            self._import_entities()
        else:
            self._run_locked()
        self.reconciliation = self.reconcile()
        if self.report_dir:
            self.write_reports()
        return self

    def check_prerequisites(self):
        """Stop before the first row on what would silently change the results: a code mapped to a value
        the hotline does not know (written as it is, it drops out of every figure), a staff mapping to no
        user, no default area code (local numbers refused as bad phones), the center's time zone unlike the
        legacy one (every imported day shifted)."""
        problems = []
        selections = {}
        for table, (model, name) in CODE_TARGETS.items():
            field = self.env[model]._fields[name]
            selections[table] = dict(field._description_selection(self.env))
        for line, table, code, target in self.mapping.wrong_codes({t: set(v) for t, v in selections.items()}):
            model, name = CODE_TARGETS[table]
            problems.append(self.env._(
                "Mapping %(file)s, line %(line)s: [codes.%(table)s] \"%(code)s\" = \"%(target)s\": \"%(target)s\" is "
                "not a value of %(field)s (one of: %(values)s).",
                file=self.mapping.path or "-", line=line or "?", table=table, code=code, target=target,
                field=self.env[model]._fields[name]._description_string(self.env),
                values=", ".join(selections[table])))
        logins = set(self.mapping.codes["agent"].values())
        if logins:
            Users = self.env["res.users"].sudo().with_context(active_test=False)
            found = set(Users.search([("login", "in", list(logins))]).mapped("login"))
            for code, login in self.mapping.codes["agent"].items():
                if login not in found:
                    problems.append(self.env._(
                        "Mapping %(file)s, line %(line)s: [codes.agent] \"%(code)s\" = \"%(login)s\": no user has "
                        "the login \"%(login)s\".", file=self.mapping.path or "-",
                        line=self.mapping.code_lines.get(("agent", code), "?"), code=code, login=login))
        if not self.env.company.hotline_default_area_code:
            problems.append(self.env._(
                "The center's default area code is not set (Settings ▸ Hotline): local numbers without an area "
                "code would be refused as invalid phones. Set it before importing."))
        center_tz = self.env["hotline.case"]._center_tz()
        if center_tz != self.mapping.timezone:
            problems.append(self.env._(
                "The center's time zone is %(center)s, the legacy times are in %(legacy)s ([source] timezone of "
                "the mapping): every imported time would be shifted. Set the time zone of the center's working "
                "time calendar (or correct the mapping) before importing.",
                center=center_tz, legacy=self.mapping.timezone))
        if problems:
            raise UserError(self.env._("The import cannot start:\n%s", "\n".join(f"- {p}" for p in problems)))

    def _run_locked(self):
        cr = self.env.cr
        if not indexes.try_lock(cr):
            raise UserError(self.env._("Another import is running on this database: wait for it to end."))
        # a batch's commit need not wait for its WAL to reach the disk: a crash may lose the last
        # batches, never half of one, and the next run imports them again (session setting, reset below)
        cr.execute("SET synchronous_commit = off")
        try:
            # what a killed run set aside comes back first
            if indexes.restore(cr, self.commit, self.index_builders):
                _logger.warning("restored the indexes and foreign keys an interrupted import left dropped")
            if self._bulk_load():
                self.counts["indexes"]["deferred"] = indexes.defer(cr)
                self.commit()
            if self.commits:
                self.writer = PipelinedWriter(cr.dbname)
            try:
                try:
                    self._import_entities()
                finally:
                    # the batch in flight and the dates' thread end (commit or fail) before anything
                    # else touches the tables
                    self.writer.close()
                    self._join_case_dates()
                self._finish_case_dates()
            except Exception:
                if self.rollback:
                    self.rollback()
                raise
            finally:
                # the rebuild is part of the load: its time goes to the calls for their tables, else the cases
                for table, seconds in indexes.restore(cr, self.commit, self.index_builders).items():
                    entity = "calls" if table.startswith("hotline_call") else "cases"
                    self.counts["indexes"]["tables rebuilt"] += 1
                    self._add_seconds(entity, seconds)
            self.source_record.write({"last_run": fields.Datetime.now(), "location": self.source.location,
                                      "last_report": self.summary_text()})
            self.commit()
        finally:
            indexes.unlock(cr)
            cr.execute("RESET synchronous_commit")

    def _bulk_load(self):
        """Whether to set the big tables' secondary indexes and foreign keys aside (see indexes.py): on a
        first load, when the legacy system brings more cases and calls than the tables hold."""
        if self.defer_indexes != "auto":
            return bool(self.defer_indexes)
        coming = 0
        entities = [e for e in ("cases", "calls") if self.mapping.table(e) and (not self.only or e in self.only)]
        for entity in entities:
            coming += self.source.count(self.mapping.table(entity))
        # what an earlier run of this source brought is not coming again
        self.env.cr.execute("SELECT count(*) FROM hotline_migration_xref WHERE source_id = %s AND entity = ANY(%s)",
                            [self.source_record.id, entities])
        coming -= self.env.cr.fetchone()[0]
        self.env.cr.execute("SELECT (SELECT count(*) FROM hotline_case) + (SELECT count(*) FROM hotline_call)")
        return coming > self.env.cr.fetchone()[0]

    def _import_entities(self):
        for entity in ENTITIES:
            if entity in PARALLEL:
                # no thread of ours crosses a fork of the readers
                self._join_case_dates()
            if self.only and entity not in self.only:
                self.ids[entity] = self._known(entity)
                continue
            if not self.mapping.table(entity):
                self.ids[entity] = self._known(entity)
                continue
            self._import_entity(entity)
            if entity == "logs" and self.commits and not self.dry_run:
                self._start_case_dates()

    def _import_entity(self, entity):
        started = time.monotonic()
        table = self.mapping.table(entity)
        columns = self.mapping.resolve(entity, self.source.headers(table))
        self.columns = columns
        self.ids[entity] = self._known(entity)
        if entity in STAFF_FIELDS and columns.get(STAFF_FIELDS[entity]):
            self._prepare_staff(entity, columns[STAFF_FIELDS[entity]])
        bar = Progress(entity, self.source.count(table), enabled=self.progress)
        workers = self._workers(entity, columns)
        if workers > 1:
            parallel.read_shared_out(self, entity, columns, bar, workers)
        else:
            self._read(entity, columns, bar.advance)
        if entity not in REFERENCE:
            # the next entity refers to these rows: committed, and seen by a new transaction of our own
            self.writer.drain()
            self.commit()
        bar.finish()
        self.counts[entity]["seconds"] = round(time.monotonic() - started, 3)
        if entity in REFERENCE and not self.dry_run:
            self._link_parents(entity)
            self.commit()

    def _workers(self, entity, columns):
        """Processes reading `entity` side by side, when the batches really commit (each process has a
        connection of its own). Cases too when the export is a file and every case has its number (see
        `_case_shares`)."""
        if entity not in PARALLEL or not self.commits or self.dry_run or self.jobs < 2:
            return 1
        if entity == "cases" and not self._case_shares(columns):
            return 1
        return self.jobs

    def _case_shares(self, columns):
        """Whether the cases can be shared out: by caller, so that the process that meets a new caller
        first creates his contact, as one process reading in order would. A legacy id then no longer
        falls to one process: its first line is found beforehand, and a later line with the same id is
        the duplicate wherever it falls. Needs the same order at each reading (a file, not a query) and
        no case without a legacy number (the day's range of the numbering would be raced for)."""
        if not getattr(self.source, "stable_order", False) or not columns.get("number"):
            return False
        firsts = {}
        for line, row, problem in self.source.rows(self.mapping.table("cases")):
            legacy_id = _text(row.get(columns["id"]))
            if not _text(row.get(columns["number"])):
                return False
            if legacy_id and not problem:
                firsts.setdefault(legacy_id, line)
        self._first_lines = firsts
        return True

    def _share_of(self, entity, row, columns, legacy_id, shares):
        if entity == "cases":
            try:
                phone = self._normalize(row, columns, "phone")
            except Rejected:
                phone = None  # the row is rejected for it: any process will do
            if phone:
                return parallel.share_of(phone, shares)
        return parallel.share_of(legacy_id, shares)

    def _read(self, entity, columns, advance, share=None):
        """Read, check and convert the rows of `entity` and write them in batches; with `share` (k, n), only
        the rows that fall to process k of n (`_share_of`: by legacy id, so a duplicate is found where its
        first occurrence is; cases by caller, their first lines found beforehand)."""
        known = self.ids[entity]
        seen = set()
        # shared out by caller: a legacy id's first line is known beforehand (see _case_shares)
        firsts = self._first_lines if share and entity == "cases" else None
        batch = []
        file = self._file(self.mapping.table(entity))
        counts = self.counts[entity]
        # every legacy row counts in the reconciliation, whatever becomes of it
        counter = {"cases": self._count_legacy_case, "calls": self._count_legacy_call}.get(entity)
        convert = getattr(self, f"_convert_{entity}")
        id_column = columns["id"]
        for line, row, problem in self.source.rows(self.mapping.table(entity)):
            legacy_id = _text(row.get(id_column))
            if share and self._share_of(entity, row, columns, legacy_id, share[1]) != share[0]:
                continue
            counts["read"] += 1
            advance()
            duplicate = bool(legacy_id) and not problem and (
                legacy_id in seen or (firsts is not None and firsts.get(legacy_id) != line))
            # a duplicate row is the same legacy record again: not a figure of the legacy system
            if counter and not duplicate:
                counter(row, columns, self.legacy)
            try:
                if problem:
                    raise Rejected("", problem)
                if not legacy_id:
                    raise Rejected(columns["id"], "missing id")
                if duplicate:
                    raise Rejected(columns["id"], "duplicate id", legacy_id)
                seen.add(legacy_id)
                if legacy_id in known:
                    counts["skipped"] += 1
                    continue
                vals = convert(row, columns)
            except Skipped:
                counts["not a workflow step"] += 1
                continue
            except Rejected as rejection:
                counts["rejected"] += 1
                counts[f"rejected: {rejection.reason}"] += 1
                if counter and not duplicate:
                    counter(row, columns, self.rejected)
                column = rejection.column
                self.errors.append({
                    "file": file, "line": line, "column": column, "reason": rejection.reason,
                    "message": self._reason_message(rejection.reason),
                    "legacy_id": legacy_id,
                    "value": rejection.value if rejection.value != "" or not column else _text(row.get(column)),
                })
                continue
            batch.append((legacy_id, vals))
            if entity not in REFERENCE and len(batch) >= self.batch_size:
                self._flush(entity, batch)
                batch = []
        self._flush(entity, batch)

    def _flush(self, entity, batch):
        if not batch:
            return
        if self.dry_run:
            for legacy_id, vals in batch:
                self.fake_id -= 1
                if entity == "callers" and vals["phone_norm"] in self.phones:
                    self.counts[entity]["merged"] += 1
                    self.ids[entity][legacy_id] = self.phones[vals["phone_norm"]]
                    continue
                if entity == "callers":
                    self.phones[vals["phone_norm"]] = self.fake_id
                self.ids[entity][legacy_id] = self.fake_id
                self.counts[entity]["created"] += 1
            return
        pairs = getattr(self, f"_write_{entity}")(batch)
        xref = ("hotline_migration_xref", ["source_id", "entity", "legacy_id", "res_model", "res_id"],
                [(self.source_record.id, entity, legacy_id, MODELS[entity], res_id) for legacy_id, res_id in pairs])
        self.ids[entity].update(pairs)
        if entity in REFERENCE:  # through the ORM, in the importer's own transaction
            copy_rows(self.env, *xref)
        else:  # the batch's rows and xref lines: one transaction
            self.writer.add(*xref)
            self.writer.commit()

    def _reason_message(self, reason):
        """The reason in the operator's language (the error file is read by the center's staff)."""
        if not hasattr(self, "_reason_messages"):
            self._reason_messages = {
                "bad phone": self.env._("Invalid phone number"),
                "unknown code": self.env._("Code not found in the mapping or the legacy tables"),
                "bad date": self.env._("Date missing or in no known format"),
                "orphan reference": self.env._("Refers to a record missing or rejected in the legacy data"),
                "truncated line": self.env._("Line cut short (fewer fields than the header)"),
                "too many fields": self.env._("More fields than the header"),
                "missing id": self.env._("Legacy ID missing"),
                "duplicate id": self.env._("Legacy ID already seen in this table"),
                "missing file": self.env._("Attachment file not found"),
                "bad number": self.env._("Not a number"),
            }
        return self._reason_messages.get(reason, reason)

    # -- value helpers ------------------------------------------------------------------------------
    def _date(self, row, columns, field, required=False):
        """The UTC time as COPY reads it ("YYYY-MM-DD HH:MM:SS"): made text once, here, though a row
        holds it twice (its own column and create_date)."""
        column = columns.get(field)
        value = row.get(column) if column else None
        try:
            parsed = self.dates.parse(value)
        except BadDate as exc:
            raise Rejected(column, "bad date", _text(value)) from exc
        if parsed is None:
            if required:
                raise Rejected(column, "bad date", "")
            return None
        return str(parsed)

    def _code(self, row, columns, field, table, required=False):
        column = columns.get(field)
        value = _text(row.get(column)) if column else ""
        if not value:
            if required:
                raise Rejected(column, "unknown code", "")
            return None
        mapped = self.mapping.codes[table].get(value)
        if mapped is None:
            raise Rejected(column, "unknown code", value)
        return mapped

    def _ref(self, row, columns, field, entity, reason="unknown code"):
        column = columns.get(field)
        value = _text(row.get(column)) if column else ""
        if not value:
            return None
        res_id = self.ids.get(entity, {}).get(value)
        if res_id is None:
            raise Rejected(column, reason, value)
        return res_id

    def _staff_ref(self, row, columns, field):
        """The user of a staff number (工号): an imported agent, else what `_prepare_staff` gave it."""
        column = columns.get(field)
        value = _text(row.get(column)) if column else ""
        if not value:
            return None
        res_id = self.ids.get("agents", {}).get(value) or self.staff.get(value)
        if res_id is None:  # not met by the scan (a row read differently): never a reason to drop the row
            raise Rejected(column, "orphan reference", value)
        return res_id

    def _prepare_staff(self, entity, column):
        """Give every staff number of `entity` that is not an imported agent a user before the first row
        (the rows may be read by several processes): the login the mapping's [codes.agent] names, else an
        archived user created for it, named by the number (departed staff: kept for the history, cannot
        log in, no hotline group). Each is reported (`unknown_staff`)."""
        agents = self.ids.get("agents", {})
        numbers = {}
        for _line, row, _problem in self.source.rows(self.mapping.table(entity)):
            value = _text(row.get(column))
            if value and value not in agents:
                numbers[value] = numbers.get(value, 0) + 1
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        for number, rows in sorted(numbers.items()):
            entry = self.unknown_staff.setdefault(number, {"number": number, "rows": {}})
            entry["rows"][entity] = rows
            if number in self.staff:
                continue
            mapped = self.mapping.codes["agent"].get(number)
            login = mapped or f"{self.mapping.agent_login_prefix}{number}"
            entry["login"] = login
            entry["mapped"] = bool(mapped)
            user = Users.search([("login", "=", login)], limit=1)
            if user:
                self.staff[number] = user.id
            elif self.dry_run:
                self.fake_id -= 1
                self.staff[number] = self.fake_id
            else:
                user = Users.create({"login": login, "name": number, "tz": self.mapping.timezone,
                                     "group_ids": [Command.set([self.env.ref("base.group_user").id])]})
                user.action_archive()
                self.staff[number] = user.id
                self.counts["agents"]["departed staff created"] += 1
        if numbers and not self.dry_run:
            self.commit()  # seen by the readers' and writer's own connections

    def _int(self, row, columns, field):
        column = columns.get(field)
        value = _text(row.get(column)) if column else ""
        if not value:
            return 0
        try:
            return int(float(value))
        except ValueError as exc:
            raise Rejected(column, "bad number", value) from exc

    def _bool(self, row, columns, field):
        column = columns.get(field)
        return bool(column) and _text(row.get(column)).lower() in self.mapping.true_values

    # -- reference tables (ORM) ---------------------------------------------------------------------
    def _convert_units(self, row, columns):
        return {"code": _text(row[columns["id"]]), "name": _text(row[columns["name"]]),
                "parent": _text(row.get(columns.get("parent")))}

    _convert_categories = _convert_units

    def _convert_types(self, row, columns):
        return {"code": _text(row[columns["id"]]), "name": _text(row[columns["name"]])}

    _convert_districts = _convert_types

    def _convert_streets(self, row, columns):
        vals = self._convert_types(row, columns)
        vals["district_id"] = self._ref(row, columns, "district", "districts", "orphan reference")
        return vals

    def _convert_agents(self, row, columns):
        vals = self._convert_types(row, columns)
        vals["active"] = self._bool(row, columns, "active") if columns.get("active") else True
        return vals

    def _write_coded(self, entity, batch, code_table=None, extra=None):
        Model = self.env[MODELS[entity]].sudo()
        pairs = []
        for legacy_id, vals in batch:
            code = (self.mapping.codes[code_table].get(vals["code"]) if code_table else None) or vals["code"]
            record = Model.search([("code", "=", code)], limit=1)
            if record:
                self.counts[entity]["linked"] += 1
            else:
                create = {"code": code, "name": vals["name"]}
                create.update({k: v for k, v in vals.items() if k in (extra or ())})
                record = Model.create(create)
                self.counts[entity]["created"] += 1
                self._parents.setdefault(entity, []).append((record, vals.get("parent")))
            pairs.append((legacy_id, record.id))
        return pairs

    @property
    def _parents(self):
        if not hasattr(self, "_parent_links"):
            self._parent_links = {}
        return self._parent_links

    def _link_parents(self, entity):
        """Parents are set once the whole table is in (a child may come before its parent)."""
        for record, parent in self._parents.pop(entity, []):
            if parent and parent in self.ids[entity]:
                record.parent_id = self.ids[entity][parent]

    def _write_units(self, batch):
        return self._write_coded("units", batch, "unit")

    def _write_categories(self, batch):
        return self._write_coded("categories", batch, "category")

    def _write_types(self, batch):
        return self._write_coded("types", batch, "type")

    def _write_districts(self, batch):
        return self._write_coded("districts", batch)

    def _write_streets(self, batch):
        return self._write_coded("streets", batch, extra=("district_id",))

    def _write_agents(self, batch):
        Users = self.env["res.users"].sudo()
        group = self.env.ref("hotline_case.group_agent")
        pairs = []
        for legacy_id, vals in batch:
            login = f"{self.mapping.agent_login_prefix}{vals['code']}"
            user = Users.search([("login", "=", login)], limit=1)
            if user:
                self.counts["agents"]["linked"] += 1
            else:
                user = Users.create({"login": login, "name": vals["name"] or login,
                                     "tz": self.mapping.timezone, "group_ids": [Command.link(group.id)]})
                self.counts["agents"]["created"] += 1
                if not vals["active"]:
                    user.action_archive()  # gone: kept for the history, cannot log in
                    self.counts["agents"]["inactive"] += 1
            pairs.append((legacy_id, user.id))
        return pairs

    # -- callers ------------------------------------------------------------------------------------
    def _partner_phones(self):
        self.env.cr.execute("SELECT hotline_phone_norm, max(id) FROM res_partner "
                            "WHERE hotline_phone_norm IS NOT NULL GROUP BY hotline_phone_norm")
        return dict(self.env.cr.fetchall())

    def _normalize(self, row, columns, field, required=False):
        column = columns.get(field)
        raw = _text(row.get(column)) if column else ""
        if not raw:
            if required:
                raise Rejected(column, "bad phone", "")
            return None
        try:
            return self.phone(raw)[0]
        except BadPhone as exc:
            raise Rejected(column, "bad phone", raw) from exc

    def _convert_callers(self, row, columns):
        norm = self._normalize(row, columns, "phone", required=True)
        return {"phone_norm": norm, "name": _text(row.get(columns.get("name"))) or norm,
                "address": _text(row.get(columns.get("address"))) or None, "merged": self.phones.get(norm)}

    def _new_partners(self, items):
        """Create the partners of `items` [(phone_norm, name, street)] in bulk; returns their ids."""
        # every stored computed field of res.partner as its compute gives it for a person without parent,
        # company, country, e-mail or user (the tests compare with the ORM field by field)
        inserter = self._inserter("res.partner", [
            "name", "phone", "street", "hotline_phone_norm", "phone_sanitized", "tz", "complete_name",
            "commercial_partner_id", "partner_share", "email_normalized", "commercial_company_name",
            "company_registry", "user_id", "properties"])
        ids = inserter.new_ids(len(items))
        inserter.insert(ids, [(name, phone, street, phone, self._sanitized(phone), self.mapping.timezone, name,
                               res_id, True, None, None, None, None, None)
                              for (phone, name, street), res_id in zip(items, ids, strict=True)])
        names = self._partner_names()
        for (phone, name, _street), res_id in zip(items, ids, strict=False):
            self.phones[phone] = res_id
            names[res_id] = name
        return ids

    def _partner_names(self, ids=()):
        """Names of the partners by id (known ones, plus `ids` read from the database)."""
        names = self.__dict__.setdefault("_names_of_partners", {})
        missing = [i for i in ids if i not in names]
        if missing:
            self.env.cr.execute("SELECT id, name FROM res_partner WHERE id = ANY(%s)", [missing])
            names.update(self.env.cr.fetchall())
        return names

    def _sanitized(self, phone):
        """res.partner.phone_sanitized (phone_validation) of a partner without country: the company's."""
        return self.env["res.partner"]._phone_format(number=phone) or None

    def _write_callers(self, batch):
        pairs, new, waiting, pending = [], [], [], set()
        for legacy_id, vals in batch:
            existing = self.phones.get(vals["phone_norm"])
            if existing:
                self.counts["callers"]["merged"] += 1
                pairs.append((legacy_id, existing))
            elif vals["phone_norm"] in pending:
                self.counts["callers"]["merged"] += 1
                waiting.append((legacy_id, vals["phone_norm"]))
            else:
                new.append((vals["phone_norm"], vals["name"], vals["address"]))
                pending.add(vals["phone_norm"])
                waiting.append((legacy_id, vals["phone_norm"]))
        self._new_partners(new)
        self.counts["callers"]["created"] += len(new)
        pairs += [(legacy_id, self.phones[phone]) for legacy_id, phone in waiting]
        return pairs

    # -- cases --------------------------------------------------------------------------------------
    def _convert_cases(self, row, columns):
        received = self._date(row, columns, "received", required=True)
        state = self._code(row, columns, "state", "state", required=True)
        if state not in self._states():
            raise Rejected(columns["state"], "unknown code", _text(row.get(columns["state"])))
        phone = self._normalize(row, columns, "phone")
        unit_id = self._ref(row, columns, "unit", "units")
        category_id = self._ref(row, columns, "category", "categories")
        street_id = self._ref(row, columns, "street", "streets")
        district_id = self._ref(row, columns, "district", "districts")
        satisfaction = self._code(row, columns, "satisfaction", "satisfaction")
        return {
            "name": _text(row.get(columns.get("number"))) or None,
            "state": state,
            "type_id": self._ref(row, columns, "type", "types"),
            "category_id": category_id,
            "urgency": self._code(row, columns, "urgency", "urgency") or "normal",
            "district_id": district_id or (self._street_district(street_id) if street_id else None),
            "street_id": street_id,
            "address": _text(row.get(columns.get("address"))) or None,
            "description": _text(row.get(columns.get("description"))) or None,
            "caller_phone": phone,
            "caller_name": _text(row.get(columns.get("caller_name"))) or None,
            "confidential": self._bool(row, columns, "confidential"),
            "unit_id": unit_id,
            "agent_id": self._staff_ref(row, columns, "agent"),
            "result_note": _text(row.get(columns.get("result"))) or None,
            "review_note": _text(row.get(columns.get("review_note"))) or None,
            "satisfaction": satisfaction,
            "callback_note": _text(row.get(columns.get("callback_note"))) or None,
            "deadline": self._date(row, columns, "deadline"),
            "date_received": received,
            "date_closed": self._date(row, columns, "closed") if state == "closed" else None,
        }

    def _states(self):
        states = self.__dict__.get("_state_keys")
        if states is None:
            states = self._state_keys = {key for key, _label in self.env["hotline.case"]._fields["state"].selection}
        return states

    def _street_district(self, street_id):
        if street_id < 0:
            return None
        if not hasattr(self, "_street_districts"):
            self.env.cr.execute("SELECT id, district_id FROM hotline_street")
            self._street_districts = dict(self.env.cr.fetchall())
        return self._street_districts.get(street_id)

    def _industry(self, category_id):
        """What hotline.case._compute_industry_id gives, once per category."""
        if not category_id or category_id < 0:
            return None
        if not hasattr(self, "_industries"):
            self._industries = {}
        if category_id not in self._industries:
            self._industries[category_id] = self.env["hotline.category"].sudo().browse(category_id) \
                ._get_industry().id or None
        return self._industries[category_id]

    CASE_COLUMNS = ("name", "state", "channel", "type_id", "category_id", "industry_id", "urgency", "district_id",
                    "street_id", "address", "description", "caller_phone", "partner_id", "caller_name",
                    "confidential", "unit_id", "agent_id", "result_note", "resolution_note", "review_note",
                    "satisfaction", "callback_note", "deadline", "date_received", "date_closed",
                    "return_count", "reopen_count", "urge_count", "extension_days")

    def _inserter(self, model, columns, timestamps=True):
        if not hasattr(self, "_inserters"):
            self._inserters = {}
        key = (model, tuple(columns))
        if key not in self._inserters:
            self._inserters[key] = BulkInserter(self.env, model, columns, timestamps, self.writer)
        return self._inserters[key]

    def _write_cases(self, batch):
        new_partners, unlinked = {}, set()
        for index, (_legacy_id, vals) in enumerate(batch):
            phone = vals["caller_phone"]
            if phone and phone not in self.phones and phone not in new_partners:
                if vals["caller_name"]:
                    new_partners[phone] = (phone, vals["caller_name"], vals["address"])
                else:
                    # no contact for this caller yet, none made from a nameless case: as rows are read one
                    # after the other, whatever the batches (or the processes) they fall in
                    unlinked.add(index)
        if new_partners:
            self._new_partners(list(new_partners.values()))
        inserter = self._inserter("hotline.case", self.CASE_COLUMNS)
        ids = inserter.new_ids(len(batch))
        rows, dates = [], []
        Case = self.env["hotline.case"].sudo()
        partners = {vals["caller_phone"]: self.phones.get(vals["caller_phone"]) for _legacy_id, vals in batch
                    if vals["caller_phone"]}
        # as create(): a case without a caller name takes the known caller's
        names = self._partner_names([p for p in partners.values() if p])
        for index, (_legacy_id, vals) in enumerate(batch):
            on_call = vals["state"] == "closed" and not vals["unit_id"]
            partner_id = None if index in unlinked else partners.get(vals["caller_phone"])
            rows.append((
                vals["name"] or Case._next_case_number(fields.Datetime.to_datetime(vals["date_received"])),
                vals["state"], "phone",
                vals["type_id"], vals["category_id"], self._industry(vals["category_id"]), vals["urgency"],
                vals["district_id"], vals["street_id"], vals["address"], vals["description"], vals["caller_phone"],
                partner_id, vals["caller_name"] or (names.get(partner_id) if partner_id else None),
                vals["confidential"], vals["unit_id"], vals["agent_id"] or self.env.uid, vals["result_note"],
                vals["result_note"] if on_call else None, vals["review_note"], vals["satisfaction"],
                vals["callback_note"], vals["deadline"], vals["date_received"], vals["date_closed"], 0, 0, 0, 0,
            ))
            dates.append(vals["date_received"])
        inserter.insert(ids, rows, dates)
        self.counts["cases"]["created"] += len(batch)
        return [(legacy_id, res_id) for (legacy_id, _vals), res_id in zip(batch, ids, strict=False)]

    def _count_legacy_case(self, row, columns, into):
        try:
            month = self.dates.month(row.get(columns["received"]))
        except BadDate:
            month = "?"
        unit = self._unit_key(_text(row.get(columns.get("unit"))) if columns.get("unit") else "")
        state = self.mapping.codes["state"].get(_text(row.get(columns["state"])))
        bucket = into[(month, unit)]
        bucket["cases"] += 1
        bucket["closed"] += state == "closed"
        satisfaction = self.mapping.codes["satisfaction"].get(_text(row.get(columns.get("satisfaction")))) \
            if columns.get("satisfaction") else None
        if satisfaction:
            bucket[f"satisfaction:{satisfaction}"] += 1

    def _unit_key(self, legacy_code):
        """The hotline code of the unit a legacy code was imported as (the reconciliation's unit column)."""
        res_id = self.ids.get("units", {}).get(legacy_code)
        if res_id is None or res_id < 0:
            return self.mapping.codes["unit"].get(legacy_code, legacy_code)
        if not hasattr(self, "_unit_codes"):
            self._unit_codes = {}
        if res_id not in self._unit_codes:
            self._unit_codes[res_id] = self.env["hotline.unit"].sudo().browse(res_id).code
        return self._unit_codes[res_id]

    def _start_case_dates(self):
        """Once the history is in, derive the cases' dates from it (`complete_case_dates`) over a
        connection of its own while the attachments are written: their files wait on the disk, this
        UPDATE on a core (100,000 cases: the history's load 1.1 s shorter, 14.3–14.8 s against
        15.5–16.3 s). Joined before the calls' readers fork, and before the indexes come back."""
        dbname, source_id = self.env.cr.dbname, self.source_record.id
        outcome = self.case_dates = {}

        def derive():
            try:
                with db_connect(dbname).cursor() as cr:  # commits on leaving
                    outcome["moved"] = complete_case_dates(cr, source_id)
            except Exception as error:  # noqa: BLE001 - raised again in the importer's thread
                outcome["error"] = error

        outcome["thread"] = threading.Thread(target=derive, name="hotline_import case dates")
        outcome["thread"].start()

    def _join_case_dates(self):
        """Wait for the dates' thread, if one runs; the wait counts as the cases' time."""
        thread = self.case_dates and self.case_dates.pop("thread", None)
        if thread:
            started = time.monotonic()
            thread.join()
            self._add_seconds("cases", time.monotonic() - started)

    def _finish_case_dates(self):
        """The cases' dates: derived beside the attachments (a failure there raises here), else now."""
        started = time.monotonic()
        if self.case_dates is None:
            moved = complete_case_dates(self.env.cr, self.source_record.id)
        elif "error" in self.case_dates:
            raise self.case_dates["error"]
        else:
            moved = self.case_dates["moved"]
        # the history's lines put in case order: the legacy ids follow their lines
        self.ids.setdefault("logs", {}).update(moved)
        self.env["hotline.case"].invalidate_model()
        self._dispatch_deadlines()
        link_nameless_callers(self.env.cr, self.source_record.id)
        self.env["hotline.case"].invalidate_model()
        self._add_seconds("cases", time.monotonic() - started)

    def _add_seconds(self, entity, seconds):
        """Time spent for `entity` after its rows were read (the dates, the indexes' rebuild)."""
        self.counts[entity]["seconds"] = round(self.counts[entity].get("seconds", 0) + seconds, 3)

    def _dispatch_deadlines(self):
        """The time limits every imported dispatch line carries, as `_dispatch` writes them (the unit figures
        count each dispatch against its own): the deadline rule's from the dispatch's time. The case's legacy
        deadline is the last one the workflow set: on the last extension approved of its last dispatch (延期批准
        writes the new deadline on its line), else on its last dispatch. The case gets its own limits from its
        last dispatch when the export has none (unless a return or a reopening cleared them since)."""
        cr = self.env.cr
        # no look-up per line: the big tables' indexes may be set aside (a first load)
        cr.execute("""
            SELECT s.id, s.case_id, s.date, s.action = 'approve_extension', c.deadline, c.sign_deadline,
                   s.latest = 1 AND s.later_dispatches = 0 AS last, s.cleared
              FROM (SELECT l.id, l.case_id, l.date, l.action, l.deadline, l.sign_deadline,
                           ROW_NUMBER() OVER (PARTITION BY l.case_id, l.action IN ('dispatch', 'self_dispatch')
                                              ORDER BY l.date DESC, l.id DESC) AS latest,
                           COUNT(*) FILTER (WHERE l.action IN ('dispatch', 'self_dispatch')) OVER later
                               AS later_dispatches,
                           -- a return or a reopening after the line clears the case's limits
                           COUNT(*) FILTER (WHERE l.action IN ('return', 'reopen')) OVER later > 0 AS cleared
                      FROM hotline_case_log l
                      JOIN hotline_migration_xref x ON x.res_id = l.case_id AND x.res_model = 'hotline.case'
                                                   AND x.source_id = %s AND x.entity = 'cases'
                     WHERE l.action IN ('dispatch', 'self_dispatch', 'approve_extension', 'return', 'reopen')
                    WINDOW later AS (PARTITION BY l.case_id ORDER BY l.date DESC, l.id DESC
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) s
              JOIN hotline_case c ON c.id = s.case_id
             WHERE s.action IN ('dispatch', 'self_dispatch', 'approve_extension')
               AND s.deadline IS NULL AND s.sign_deadline IS NULL
             ORDER BY s.case_id
        """, [self.source_record.id])
        rows = cr.fetchall()
        if not rows:
            return
        # the cases whose last dispatch was extended: the legacy deadline is the extension's
        extended = {row[1] for row in rows if row[3] and row[6] and not row[7]}
        dispatches = [row for row in rows if not row[3]]
        Case = self.env["hotline.case"].sudo().with_context(prefetch_fields=False)
        cases = Case.browse({row[1] for row in dispatches})
        cases.fetch(["type_id", "category_id", "urgency"])
        planner = DeadlinePlanner(Case, min(row[2] for row in rows), max(row[2] for row in rows))
        lines, case_limits = [], []
        for line_id, case_id, date, approval, case_deadline, case_sign, last, cleared in rows:
            if approval:
                # an earlier extension's new deadline is not in the export: left empty
                if last and not cleared and case_deadline:
                    lines.append((line_id, case_deadline, None))
                continue
            case = cases.browse(case_id)
            limits = planner.deadlines(case.type_id, case.category_id, case.urgency, date)
            # as the ORM stores a datetime: whole seconds
            deadline, sign = (limits[name].replace(microsecond=0) if limits[name] else None
                              for name in ("deadline", "sign_deadline"))
            if last and not cleared:
                if case_deadline and case_id not in extended:
                    deadline = case_deadline
                    sign = min(sign, deadline) if sign else None
                case_limits.append((case_id, case_deadline or deadline, case_sign or sign))
            if deadline or sign:
                lines.append((line_id, deadline, sign))
        execute_values(cr._obj, """
            UPDATE hotline_case_log l SET deadline = v.deadline::timestamp, sign_deadline = v.sign::timestamp
              FROM (VALUES %s) v(id, deadline, sign) WHERE l.id = v.id""", lines, page_size=1000)
        execute_values(cr._obj, """
            UPDATE hotline_case c SET deadline = v.deadline::timestamp,
                   sign_deadline = COALESCE(c.sign_deadline, v.sign::timestamp)
              FROM (VALUES %s) v(id, deadline, sign) WHERE c.id = v.id""", case_limits, page_size=1000)
        self.counts["logs"]["time limits"] += len(lines)

    # -- history ------------------------------------------------------------------------------------
    LOG_COLUMNS = ("case_id", "action", "from_state", "to_state", "user_id", "unit_id", "date", "note")

    def _convert_logs(self, row, columns):
        """The line as a row of LOG_COLUMNS: a tuple, not a dict (half a million lines a load)."""
        case_id = self._ref(row, columns, "case", "cases", "orphan reference")
        if case_id is None:
            raise Rejected(columns["case"], "orphan reference", "")
        from_state = self._code(row, columns, "from_state", "state")
        to_state = self._code(row, columns, "to_state", "state")
        states = self._states()
        if from_state and from_state not in states:
            raise Rejected(columns["from_state"], "unknown code", from_state)
        if to_state and to_state not in states:
            raise Rejected(columns["to_state"], "unknown code", to_state)
        action = self._code(row, columns, "action", "action", required=True)
        if action == SKIPPED_ACTION:
            raise Skipped()
        return (
            case_id, action, from_state, to_state,
            self._staff_ref(row, columns, "user"), self._ref(row, columns, "unit", "units"),
            self._date(row, columns, "date", required=True), _text(row.get(columns.get("note"))) or None,
        )

    def _write_logs(self, batch):
        inserter = self._inserter("hotline.case.log", self.LOG_COLUMNS)
        ids = inserter.new_ids(len(batch))
        date = self.LOG_COLUMNS.index("date")
        inserter.insert(ids, [line for _legacy_id, line in batch], [line[date] for _legacy_id, line in batch])
        self.counts["logs"]["created"] += len(batch)
        return [(legacy_id, res_id) for (legacy_id, _vals), res_id in zip(batch, ids, strict=False)]

    # -- attachments --------------------------------------------------------------------------------
    def _attachments_root(self):
        # once a run, not a Path and a stat for every row
        root = self.__dict__.get("_root")
        if root is None:
            root = self.attachments_root or self.mapping.attachments_root
            if root:
                root = Path(root)
            else:
                location = Path(self.source.location)
                # a CSV folder or a workbook: the paths are relative to where the export lies
                root = location if location.is_dir() else location.parent
            self._root = root
        return root

    def _convert_attachments(self, row, columns):
        case_id = self._ref(row, columns, "case", "cases", "orphan reference")
        if case_id is None:
            raise Rejected(columns["case"], "orphan reference", "")
        relative = _text(row.get(columns["path"])).replace("\\", "/")
        path = self._attachments_root() / relative
        if not relative or not path.is_file():
            raise Rejected(columns["path"], "missing file", relative)
        return {"case_id": case_id, "path": path, "name": _text(row.get(columns.get("name"))) or path.name}

    ATTACHMENT_COLUMNS = ("name", "description", "res_model", "res_id", "type", "mimetype", "file_size", "checksum",
                          "index_content", "store_fname", "db_datas", "hotline_legacy_case_id")

    def _write_attachments(self, batch):
        """What ir.attachment.create does for a file (content checks, mimetype, checksum, index, filestore),
        one COPY for the rows."""
        Attachment = self.env["ir.attachment"].sudo()
        inserter = self._inserter("ir.attachment", self.ATTACHMENT_COLUMNS)
        ids = inserter.new_ids(len(batch))
        rows = []
        db_storage = Attachment._storage() == "db"
        stored = self.__dict__.setdefault("_stored_files", {})
        files = []
        for _legacy_id, vals in batch:
            values = Attachment._check_contents({"name": vals["name"], "raw": vals["path"].read_bytes()})
            raw = values.pop("raw")
            # the same file again (a scanned form attached to many cases): its values once per run, not
            # the filestore's byte-by-byte collision check for each copy
            key = (Attachment._compute_checksum(raw), values["mimetype"])
            if key not in stored:
                stored[key] = Attachment._get_datas_related_values(raw, values["mimetype"])
                if raw and not db_storage:
                    files.append((raw, stored[key]["checksum"]))
            values.update(stored[key])
            rows.append((values["name"], str(vals["path"]), "hotline.case", vals["case_id"], "binary",
                         values["mimetype"], values["file_size"], values["checksum"], values["index_content"],
                         values["store_fname"] or None,
                         "\\x" + values["db_datas"].hex() if values["db_datas"] else None, vals["case_id"]))
        # the filestore's files are created side by side: each creation (the file and its garbage-collection
        # mark) waits on the disk, not on Python (20,000 cases: 5 s of 7.7 s for 2,040 files one by one)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda file: Attachment._file_write(*file), files))  # a failed write raises here
        inserter.insert(ids, rows)
        self.counts["attachments"]["created"] += len(batch)
        return [(legacy_id, res_id) for (legacy_id, _vals), res_id in zip(batch, ids, strict=False)]

    # -- calls --------------------------------------------------------------------------------------
    def _convert_calls(self, row, columns):
        enter = self._date(row, columns, "enter", required=True)
        numbers = {}
        for field in ("caller_number", "called_number"):
            raw = _text(row.get(columns.get(field))) if columns.get(field) else ""
            try:
                numbers[field] = self.phone(raw)[0] if raw else None
            except BadPhone:
                numbers[field] = raw  # a CDR keeps what the switch saw (anonymous, short codes)
        direction = self._code(row, columns, "direction", "direction") or "inbound"
        return {
            "direction": direction, **numbers,
            "queue": _text(row.get(columns.get("queue"))) or None,
            "user_id": self._staff_ref(row, columns, "agent"),
            "enter_time": enter, "answer_time": self._date(row, columns, "answer"),
            "end_time": self._date(row, columns, "end"),
            "wait_seconds": self._int(row, columns, "wait"), "talk_seconds": self._int(row, columns, "talk"),
            "outcome": self._code(row, columns, "outcome", "outcome"),
            "case_id": self._ref(row, columns, "case", "cases", "orphan reference"),
        }

    CALL_COLUMNS = ("uniqueid", "direction", "caller_number", "caller_phone", "called_number", "partner_id",
                    "queue", "user_id", "enter_time", "answer_time", "end_time", "wait_seconds", "talk_seconds",
                    "outcome", "missed_attempt_count")

    def _call_phone(self, number):
        """hotline.call.caller_phone as its compute gives it, once per number."""
        if not number:
            return None
        if not hasattr(self, "_call_phones"):
            self._call_phones = {}
        if number not in self._call_phones:
            if len(self._call_phones) > 500000:
                self._call_phones.clear()
            self._call_phones[number] = self.env["hotline.call"]._normalized(number) or None
        return self._call_phones[number]

    def _write_calls(self, batch):
        inserter = self._inserter("hotline.call", self.CALL_COLUMNS)
        ids = inserter.new_ids(len(batch))
        rows, links = [], []
        prefix = f"legacy:{self.code}:"
        for res_id, (legacy_id, vals) in zip(ids, batch, strict=False):
            citizen = vals["caller_number"] if vals["direction"] == "inbound" else vals["called_number"]
            rows.append((prefix + legacy_id, vals["direction"], vals["caller_number"],
                         self._call_phone(vals["caller_number"]), vals["called_number"],
                         self.phones.get(citizen), vals["queue"], vals["user_id"], vals["enter_time"],
                         vals["answer_time"], vals["end_time"], vals["wait_seconds"], vals["talk_seconds"],
                         vals["outcome"], 0))
            if vals["case_id"]:
                links.append((res_id, vals["case_id"]))
        inserter.insert(ids, rows, [vals["enter_time"] for _legacy_id, vals in batch])
        self.writer.add("hotline_call_case_rel", ["call_id", "case_id"], links)
        self.counts["calls"]["created"] += len(batch)
        return [(legacy_id, res_id) for (legacy_id, _vals), res_id in zip(batch, ids, strict=False)]

    def _count_legacy_call(self, row, columns, into):
        try:
            month = self.dates.month(row.get(columns["enter"]))
        except BadDate:
            month = "?"
        bucket = into[(month, "")]
        bucket["calls"] += 1
        talk = _text(row.get(columns.get("talk"))) if columns.get("talk") else ""
        # an unreadable duration counts 0 on both sides: its row is rejected ("bad number")
        bucket["talk_seconds"] += int(float(talk)) if talk.replace(".", "", 1).isdigit() else 0

    # -- reports ------------------------------------------------------------------------------------
    def imported_figures(self):
        """The same figures as the legacy ones, read back from the imported records."""
        figures = defaultdict(lambda: defaultdict(int))
        if not self.source_record:
            return figures
        params = {"tz": self.mapping.timezone, "source": self.source_record.id}
        self.env.cr.execute("""
            SELECT to_char(c.date_received AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s, 'YYYY-MM'),
                   COALESCE(u.code, ''), count(*), count(*) FILTER (WHERE c.state = 'closed'), c.satisfaction
              FROM hotline_migration_xref x
              JOIN hotline_case c ON c.id = x.res_id
         LEFT JOIN hotline_unit u ON u.id = c.unit_id
             WHERE x.source_id = %(source)s AND x.entity = 'cases'
             GROUP BY 1, 2, 5
        """, params)
        for month, unit, count, closed, satisfaction in self.env.cr.fetchall():
            bucket = figures[(month, unit)]
            bucket["cases"] += count
            bucket["closed"] += closed
            if satisfaction:
                bucket[f"satisfaction:{satisfaction}"] += count
        self.env.cr.execute("""
            SELECT to_char(k.enter_time AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s, 'YYYY-MM'), count(*),
                   COALESCE(sum(k.talk_seconds), 0)
              FROM hotline_migration_xref x
              JOIN hotline_call k ON k.id = x.res_id
             WHERE x.source_id = %(source)s AND x.entity = 'calls'
             GROUP BY 1
        """, params)
        for month, count, talk in self.env.cr.fetchall():
            figures[(month, "")]["calls"] += count
            figures[(month, "")]["talk_seconds"] += talk
        return figures

    def reconcile(self):
        """Rows (month, unit, metric, legacy, imported, rejected, status): legacy = imported + rejected."""
        imported = {} if self.dry_run else self.imported_figures()
        keys = sorted(set(self.legacy) | set(imported))
        lines = []
        for key in keys:
            metrics = sorted(set(self.legacy.get(key, {})) | set(imported.get(key, {})))
            for metric in metrics:
                legacy = self.legacy.get(key, {}).get(metric, 0)
                rejected = self.rejected.get(key, {}).get(metric, 0)
                done = imported.get(key, {}).get(metric, 0) if not self.dry_run else legacy - rejected
                if legacy == done:
                    status = "equal"
                elif legacy == done + rejected:
                    status = "explained"
                else:
                    status = "different"
                lines.append({"month": key[0], "unit": key[1], "metric": metric, "legacy": legacy,
                              "imported": done, "rejected": rejected, "status": status})
        return lines

    def summary(self):
        return {entity: dict(counts) for entity, counts in self.counts.items()}

    def summary_text(self):
        lines = []
        for entity, counts in self.summary().items():
            parts = ", ".join(f"{k} {v}" for k, v in counts.items()
                              if k != "seconds" and not k.startswith("rejected: "))
            lines.append(f"{entity}: {parts}")
            # why rows were refused, most frequent first (a dry run's first question)
            reasons = sorted(((v, k.removeprefix("rejected: ")) for k, v in counts.items()
                              if k.startswith("rejected: ")), reverse=True)
            lines += [f"  refused {count}: {reason} ({self._reason_message(reason)})" for count, reason in reasons]
        for entry in self.unknown_staff.values():
            rows = ", ".join(f"{entity} {count}" for entity, count in entry["rows"].items())
            how = "mapped to" if entry.get("mapped") else "archived user"
            lines.append(f"unknown staff number {entry['number']}: {how} {entry.get('login', '')} ({rows})")
        differences = sum(1 for line in getattr(self, "reconciliation", []) if line["status"] == "different")
        if hasattr(self, "reconciliation"):
            lines.append(f"reconciliation: {len(self.reconciliation)} figures, {differences} unexplained")
        return "\n".join(lines)

    def write_reports(self):
        self.report_dir.mkdir(parents=True, exist_ok=True)
        with open(self.report_dir / "errors.csv", "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, ["file", "line", "column", "reason", "legacy_id", "value", "message"])
            writer.writeheader()
            writer.writerows(self.errors)
        with open(self.report_dir / "reconciliation.csv", "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, ["month", "unit", "metric", "legacy", "imported", "rejected", "status"])
            writer.writeheader()
            writer.writerows(self.reconciliation)
        (self.report_dir / "report.json").write_text(json.dumps({
            "source": self.code, "dry_run": self.dry_run, "counts": self.summary(),
            "rejected_rows": len(self.errors), "unknown_staff": list(self.unknown_staff.values()),
            "unexplained_differences": sum(1 for r in self.reconciliation if r["status"] == "different"),
        }, ensure_ascii=False, indent=2))


def _text(value):
    if type(value) is str:  # noqa: E721 - the usual case first: a CSV cell (a million calls per load)
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def link_nameless_callers(cr, source_id):
    """A case recorded without the caller's name gets the caller contact of its phone (and its name, as
    create() gives it), whichever row brought the contact."""
    cr.execute("""
        UPDATE hotline_case c SET partner_id = p.id, caller_name = COALESCE(c.caller_name, p.name)
          FROM hotline_migration_xref x,
               -- the phone's latest contact, as the importer's own look-up (no index needed: a hash join)
               (SELECT DISTINCT ON (hotline_phone_norm) hotline_phone_norm, id, name FROM res_partner
                 WHERE hotline_phone_norm IS NOT NULL ORDER BY hotline_phone_norm, id DESC) p
         WHERE x.source_id = %s AND x.entity = 'cases' AND x.res_model = 'hotline.case' AND x.res_id = c.id
           AND c.partner_id IS NULL AND c.caller_phone = p.hotline_phone_norm
    """, [source_id])


def complete_case_dates(cr, source_id):
    """What the workflow writes besides the steps themselves, from the history the source `source_id`
    brought: the unit on every line (many old systems name it on the unit's own steps only), the case's
    dispatch, sign-for and submission dates and its dispatcher as the workflow keeps them (each step
    overwrites them: the last dispatch's), and the units involved. The lines are first put in case order
    (`order_case_logs`): returns the (legacy id, line id) pairs that moved."""
    # fresh statistics of the tables read below: a bulk load leaves the planner believing them empty
    # (nested loops over a million log lines otherwise); the others are left to autovacuum
    for table in ("hotline_case", "hotline_case_log", "hotline_migration_xref"):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    moved = order_case_logs(cr, source_id)
    # the lines of each case numbered by dispatch (as kpi/cases.py cuts them), and whether a return came
    # before them within their dispatch
    cr.execute("""
        CREATE TEMP TABLE hotline_import_steps ON COMMIT DROP AS
        SELECT s.*, COUNT(*) FILTER (WHERE s.action = 'return') OVER (
                   PARTITION BY s.case_id, s.n ORDER BY s.date, s.id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) > 0 AS after_return
          FROM (SELECT l.id, l.case_id, l.action, l.unit_id, l.user_id, l.date,
                       COUNT(*) FILTER (WHERE l.action IN ('dispatch', 'self_dispatch'))
                           OVER (PARTITION BY l.case_id ORDER BY l.date, l.id) AS n
                  FROM hotline_case_log l
                  JOIN hotline_migration_xref x ON x.res_id = l.case_id AND x.res_model = 'hotline.case'
                                               AND x.source_id = %s AND x.entity = 'cases') s
    """, [source_id])
    # the unit of each dispatch: its own line's, else the first one its later steps name, else (the last
    # dispatch, not returned) the case's
    cr.execute("""
        CREATE TEMP TABLE hotline_import_dispatches ON COMMIT DROP AS
        SELECT g.case_id, g.n, g.last, g.returned, g.dispatch_id, g.dispatched, g.dispatcher,
               COALESCE(g.own_unit, g.step_unit, CASE WHEN g.last AND NOT g.returned THEN c.unit_id END) AS unit_id
          FROM (SELECT s.case_id, s.n, s.n = MAX(s.n) OVER (PARTITION BY s.case_id) AS last,
                       bool_or(s.action = 'return') AS returned,
                       MIN(s.id) FILTER (WHERE s.action IN ('dispatch', 'self_dispatch')) AS dispatch_id,
                       MIN(s.date) AS dispatched,
                       (array_agg(s.user_id ORDER BY s.date, s.id))[1] AS dispatcher,
                       MAX(s.unit_id) FILTER (WHERE s.action IN ('dispatch', 'self_dispatch')) AS own_unit,
                       (array_agg(s.unit_id ORDER BY s.date, s.id) FILTER (WHERE s.unit_id IS NOT NULL))[1]
                           AS step_unit
                  FROM hotline_import_steps s
                 WHERE s.n > 0
              GROUP BY s.case_id, s.n) g
          JOIN hotline_case c ON c.id = g.case_id
    """)
    # every line of a dispatch names its unit, as _transition writes it: the dispatch's (the return line
    # included), none after a return (the case is back in the pool without unit), none before a dispatch
    cr.execute("""
        UPDATE hotline_case_log l SET unit_id = d.unit_id
          FROM hotline_import_steps s
          JOIN hotline_import_dispatches d ON d.case_id = s.case_id AND d.n = s.n
         WHERE l.id = s.id AND l.unit_id IS NULL AND NOT s.after_return AND d.unit_id IS NOT NULL
    """)
    # the case: the last dispatch's unit when the export left it out (and no return came after it); the
    # dates each step overwrites: the last dispatch's, the last signing for and submission
    cr.execute("""
        UPDATE hotline_case c
           SET unit_id = COALESCE(c.unit_id, CASE WHEN NOT d.returned THEN d.unit_id END),
               date_dispatched = d.dispatched, dispatcher_id = d.dispatcher
          FROM hotline_import_dispatches d
         WHERE d.case_id = c.id AND d.last
    """)
    cr.execute("""
        UPDATE hotline_case c SET date_accepted = h.accepted, date_submitted = h.submitted
          FROM (SELECT case_id, MAX(date) FILTER (WHERE action = 'accept') AS accepted,
                       MAX(date) FILTER (WHERE action = 'submit') AS submitted
                  FROM hotline_import_steps
                 WHERE action IN ('accept', 'submit')
              GROUP BY case_id) h
         WHERE h.case_id = c.id
    """)
    cr.execute("DROP TABLE hotline_import_steps, hotline_import_dispatches")
    # handled_unit_ids as hotline_case computes it: every unit a dispatch log line names (the units'
    # record rules read this relation)
    cr.execute("""
        INSERT INTO hotline_case_portal_unit_rel (case_id, unit_id)
        SELECT DISTINCT l.case_id, l.unit_id
          FROM hotline_case_log l
          JOIN hotline_migration_xref x ON x.res_id = l.case_id AND x.res_model = 'hotline.case'
                                       AND x.source_id = %s AND x.entity = 'cases'
         WHERE l.to_state = 'dispatched' AND l.unit_id IS NOT NULL
        ON CONFLICT DO NOTHING
    """, [source_id])
    return moved


def order_case_logs(cr, source_id):
    """Give each case's imported lines ids ascending with their dates (ties in the order they were written):
    an export is not always chronological per case, and parallel readers interleave their batches, yet what
    reads a case's history by id (the workflow's "last line" look-ups, reports ordering by id) must meet the
    same dispatches as by date. The lines' contents move between the case's own ids, and their xref lines
    with them; rows already in order are left alone (a resumed run's pass is cheap)."""
    cr.execute("""
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'hotline_case_log' AND table_schema = current_schema()
           AND column_name NOT IN ('id', 'case_id')
         ORDER BY ordinal_position
    """)
    columns = [SQL.identifier(name) for (name,) in cr.fetchall()]
    cr.execute("""
        CREATE TEMP TABLE hotline_import_log_order ON COMMIT DROP AS
        SELECT by_id.id AS target, by_date.id AS origin
          FROM (SELECT l.id, l.case_id, ROW_NUMBER() OVER (PARTITION BY l.case_id ORDER BY l.id) AS k
                  FROM hotline_case_log l
                  JOIN hotline_migration_xref x ON x.res_id = l.id AND x.res_model = 'hotline.case.log'
                                               AND x.source_id = %(source)s AND x.entity = 'logs') by_id
          JOIN (SELECT l.id, l.case_id, ROW_NUMBER() OVER (PARTITION BY l.case_id ORDER BY l.date, l.id) AS k
                  FROM hotline_case_log l
                  JOIN hotline_migration_xref x ON x.res_id = l.id AND x.res_model = 'hotline.case.log'
                                               AND x.source_id = %(source)s AND x.entity = 'logs') by_date
            ON by_date.case_id = by_id.case_id AND by_date.k = by_id.k
         WHERE by_date.id <> by_id.id
    """, {"source": source_id})
    # one statement each: every row reads the table as it was before it (a permutation, no collision)
    cr.execute(SQL("""
        UPDATE hotline_case_log l SET (%(columns)s) = (%(origin)s)
          FROM hotline_import_log_order o JOIN hotline_case_log s ON s.id = o.origin
         WHERE l.id = o.target
    """, columns=SQL(", ").join(columns), origin=SQL(", ").join(SQL("s.%s", c) for c in columns)))
    cr.execute("""
        UPDATE hotline_migration_xref x SET res_id = o.target
          FROM hotline_import_log_order o
         WHERE x.source_id = %s AND x.entity = 'logs' AND x.res_id = o.origin
     RETURNING x.legacy_id, x.res_id
    """, [source_id])
    moved = cr.fetchall()
    cr.execute("DROP TABLE hotline_import_log_order")
    return moved
