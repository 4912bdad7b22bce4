import csv
import json
import logging
import os
import threading
import time
from collections import defaultdict
from pathlib import Path

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.sql_db import db_connect

from ..tools.dates import DateParser
from ..tools.mapping import CODE_TARGETS
from ..tools.phones import make_normalizer
from ..tools.progress import Progress
from . import indexes, parallel
from .bulk import BulkInserter, DirectWriter, PipelinedWriter, copy_rows
from .entities import ENTITIES, Rejected, Skipped, text
from .history import complete_case_dates, dispatch_deadlines, link_nameless_callers
from .reconcile import imported_figures, reconcile

_logger = logging.getLogger(__name__)


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
        # one object per legacy entity, in the import's order
        self.entities = {entity.name: entity(self) for entity in ENTITIES}
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
        center_zone = self.env.company._hotline_tz().zone
        if center_zone != self.mapping.timezone:
            problems.append(self.env._(
                "The center's time zone is %(center)s, the legacy times are in %(legacy)s ([source] timezone of "
                "the mapping): every imported time would be shifted. Set the time zone of the center's working "
                "time calendar (or correct the mapping) before importing.",
                center=center_zone, legacy=self.mapping.timezone))
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
        for entity, handler in self.entities.items():
            if handler.parallel:
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
        handler = self.entities[entity]
        if handler.staff_field and columns.get(handler.staff_field):
            self._prepare_staff(entity, columns[handler.staff_field])
        bar = Progress(entity, self.source.count(table), enabled=self.progress)
        workers = self._workers(entity, columns)
        if workers > 1:
            parallel.read_shared_out(self, entity, columns, bar, workers)
        else:
            self._read(entity, columns, bar.advance)
        if not handler.reference:
            # the next entity refers to these rows: committed, and seen by a new transaction of our own
            self.writer.drain()
            self.commit()
        bar.finish()
        self.counts[entity]["seconds"] = round(time.monotonic() - started, 3)
        if handler.reference and not self.dry_run:
            handler.link_parents()
            self.commit()

    def _workers(self, entity, columns):
        """Processes reading `entity` side by side, when the batches really commit (each process has a
        connection of its own). Cases too when the export is a file and every case has its number (see
        `_case_shares`)."""
        if not self.entities[entity].parallel or not self.commits or self.dry_run or self.jobs < 2:
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
            legacy_id = text(row.get(columns["id"]))
            if not text(row.get(columns["number"])):
                return False
            if legacy_id and not problem:
                firsts.setdefault(legacy_id, line)
        self._first_lines = firsts
        return True

    def _share_of(self, entity, row, columns, legacy_id, shares):
        if entity == "cases":
            try:
                phone = self.entities["cases"]._normalize(row, columns, "phone")
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
        handler = self.entities[entity]
        counter = handler.count
        convert = handler.convert
        id_column = columns["id"]
        for line, row, problem in self.source.rows(self.mapping.table(entity)):
            legacy_id = text(row.get(id_column))
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
                    "value": rejection.value if rejection.value != "" or not column else text(row.get(column)),
                })
                continue
            batch.append((legacy_id, vals))
            if not handler.reference and len(batch) >= self.batch_size:
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
        handler = self.entities[entity]
        pairs = handler.write(batch)
        xref = ("hotline_migration_xref", ["source_id", "entity", "legacy_id", "res_model", "res_id"],
                [(self.source_record.id, entity, legacy_id, handler.model, res_id) for legacy_id, res_id in pairs])
        self.ids[entity].update(pairs)
        if handler.reference:  # through the ORM, in the importer's own transaction
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

    # -- staff numbers and contacts -------------------------------------------------------------------
    def _prepare_staff(self, entity, column):
        """Give every staff number of `entity` that is not an imported agent a user before the first row
        (the rows may be read by several processes): the login the mapping's [codes.agent] names, else an
        archived user created for it, named by the number (departed staff: kept for the history, cannot
        log in, no hotline group). Each is reported (`unknown_staff`)."""
        agents = self.ids.get("agents", {})
        numbers = {}
        for _line, row, _problem in self.source.rows(self.mapping.table(entity)):
            value = text(row.get(column))
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

    def _partner_phones(self):
        self.env.cr.execute("SELECT hotline_phone_norm, max(id) FROM res_partner "
                            "WHERE hotline_phone_norm IS NOT NULL GROUP BY hotline_phone_norm")
        return dict(self.env.cr.fetchall())

    def inserter(self, model, columns, timestamps=True):
        """The bulk inserter of `model`'s `columns`, one a run (its new ids and computed fields prepared once)."""
        if not hasattr(self, "_inserters"):
            self._inserters = {}
        key = (model, tuple(columns))
        if key not in self._inserters:
            self._inserters[key] = BulkInserter(self.env, model, columns, timestamps, self.writer)
        return self._inserters[key]

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
        self.counts["logs"]["time limits"] += dispatch_deadlines(self.env, self.source_record.id)
        link_nameless_callers(self.env.cr, self.source_record.id)
        self.env["hotline.case"].invalidate_model()
        self._add_seconds("cases", time.monotonic() - started)

    def _add_seconds(self, entity, seconds):
        """Time spent for `entity` after its rows were read (the dates, the indexes' rebuild)."""
        self.counts[entity]["seconds"] = round(self.counts[entity].get("seconds", 0) + seconds, 3)

    # -- reports ------------------------------------------------------------------------------------
    def reconcile(self):
        """The reconciliation's rows (see reconcile.py)."""
        imported = {} if self.dry_run else imported_figures(self.env.cr, self.source_record.id,
                                                            self.mapping.timezone)
        return reconcile(self.legacy, self.rejected, imported, self.dry_run)

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
