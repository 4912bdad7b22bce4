import base64
import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..kpi.case_indicators import INDICATORS, of_kind
from ..kpi.cases import COUNT_KEYS, HOLDING, RATES
from ..kpi.period import check_period, days_utc
from ..tools.xlsx import Column, XlsxReport, cell_xml
from .hotline_kpi_case import INTAKE_OUTCOME_SQL

REPORTS = [
    ("unit", "Unit Statistics (单位统计分析)"),
    ("assessment", "Unit Assessment (综合考核)"),
    ("industry", "Industry Analysis (行业分析表)"),
    ("hotspot", "Hot Spots (热点排名表)"),
    ("intake", "Intake Statistics (受理业务统计)"),
]
# Above this many rows an export runs in the background (system parameter hotline_reports.background_rows).
BACKGROUND_ROWS = 50000


class HotlineReportExport(models.Model):
    """An XLSX export of a case report: built at once when small, by a background job when large.

    The file is attached to this record (so only its requester and managers can download it) and the
    job's progress is shown while it runs.
    """

    _name = "hotline.report.export"
    _description = "Report Export"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    report = fields.Selection(REPORTS, required=True, readonly=True)
    date_from = fields.Date(required=True, readonly=True)
    date_to = fields.Date(required=True, readonly=True)
    unit_ids = fields.Many2many("hotline.unit", string="Units", readonly=True)
    scheme_id = fields.Many2one("hotline.assessment.scheme", string="Scheme", readonly=True)
    user_id = fields.Many2one("res.users", string="Requested By", default=lambda self: self.env.user,
                              readonly=True, index=True)
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Ready"), ("failed", "Failed")],
        default="queued", required=True, readonly=True,
    )
    rows_total = fields.Integer(string="Rows", readonly=True)
    rows_done = fields.Integer(string="Rows Written", readonly=True)
    progress = fields.Float(compute="_compute_progress", help="Share of the rows written (%).")
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    error = fields.Text(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for export in self:
            check_period(self.env, export.date_from, export.date_to)

    @api.depends("rows_done", "rows_total", "state")
    def _compute_progress(self):
        for export in self:
            if export.state == "done":
                export.progress = 100.0
            else:
                export.progress = 100.0 * export.rows_done / export.rows_total if export.rows_total else 0.0

    # ------------------------------------------------------------------
    # Running
    # ------------------------------------------------------------------
    @api.model
    def _background_rows(self):
        return self.env["hotline.kpi.call"]._param_int("hotline_reports.background_rows", BACKGROUND_ROWS)

    def _start(self):
        """Build now, or queue for the background job when the export is large."""
        self.ensure_one()
        self.rows_total = self._count_rows()
        if self.rows_total > self._background_rows():
            self.env.ref("hotline_reports.ir_cron_report_export")._trigger()
            return self.action_open()
        self._run()
        return self.action_download()

    def _count_rows(self):
        if self.report != "intake":
            return 0  # aggregated tables: a few hundred rows at most
        start, end = days_utc(self.env, self.date_from, self.date_to)
        self.env.cr.execute(self._intake_query("COUNT(*)"), self._intake_params(start, end))
        return self.env.cr.fetchone()[0]

    @api.model
    def _cron_run_exports(self):
        """Background job: build the queued exports, oldest first, each as its requester."""
        for export in self.search([("state", "=", "queued")], order="id"):
            export.with_user(export.user_id).with_context(lang=export.user_id.lang)._run()
            if self.env.context.get("cron_id"):
                self.env["ir.cron"]._commit_progress(1)  # each finished file is kept even if a later one fails

    def _run(self):
        self.ensure_one()
        self.state = "running"
        try:
            report = XlsxReport()
            getattr(self, f"_build_{self.report}")(report)
            data = report.close()
        except UserError as error:
            self.write({"state": "failed", "error": str(error)})
            return False
        filename = f"{self.name}.xlsx"
        attachment = self.env["ir.attachment"].create({
            "name": filename, "raw": data, "res_model": self._name, "res_id": self.id,
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        })
        self.write({"state": "done", "attachment_id": attachment.id, "rows_done": self.rows_total})
        return True

    def _set_progress(self, rows_done):
        self.rows_done = rows_done
        if self.env.context.get("ir_cron_progress_id"):
            # committed in the background job so that the requester sees the progress
            self.env["ir.cron"]._commit_progress(0)

    def action_download(self):
        self.ensure_one()
        if self.state != "done":
            raise UserError(self.env._("The file is not ready yet."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "self",
        }

    def action_open(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def file_bytes(self):
        """The XLSX content (for tests and scripts)."""
        self.ensure_one()
        return base64.b64decode(self.attachment_id.datas) if self.attachment_id else None

    # ------------------------------------------------------------------
    # Titles and scope
    # ------------------------------------------------------------------
    def _units(self):
        return self.unit_ids or self.env["hotline.unit"].search([("active", "=", True)])

    def _subtitle(self):
        scope = "、".join(self.unit_ids.mapped("name")) if self.unit_ids else self.env._("All units")
        return self.env._("Period: %(start)s to %(end)s    Scope: %(scope)s    Printed: %(now)s",
                          start=self.date_from, end=self.date_to, scope=scope,
                          now=fields.Datetime.context_timestamp(self, fields.Datetime.now()).strftime(
                              "%Y-%m-%d %H:%M"))

    def _title(self):
        return dict(self._fields["report"]._description_selection(self.env))[self.report]

    # ------------------------------------------------------------------
    # 单位统计分析 and 综合考核
    # ------------------------------------------------------------------
    def _unit_columns(self):
        """The unit column, then one per indicator of the registry (kpi/case_indicators.py), in its order, labelled
        as 综合考核's result fields (the registry's labels, translated)."""
        groups = {"dispatch": self.env._("Dispatch"), "sign": self.env._("Sign For"),
                  "handling": self.env._("Handling"), "review": self.env._("Review"),
                  "callback": self.env._("Callback"), "holding": self.env._("Held Now")}
        results = self.env["hotline.assessment.result"]
        formats = {"rate": ("percent", 12), "hours": ("duration", 14), "score": ("float", 12)}
        columns = [Column("unit", self.env._("Unit"), "text", 24)]
        for indicator in INDICATORS:
            kind, width = formats.get(indicator.kind, ("int", 12))
            columns.append(Column(indicator.key, results._fields[indicator.key].get_description(self.env)["string"],
                                  kind, width, group=groups[indicator.group]))
        return columns

    @staticmethod
    def _unit_row(name, figures):
        # durations print as hh:mm:ss: seconds
        hours = {i.key: figures[i.key] * 3600.0 for i in of_kind("hours") if figures.get(i.key) is not None}
        return {**figures, "unit": name, **hours}

    @staticmethod
    def _totals(rows, label):
        """Sum the counts of all rows and compute the rates of the sums (never an average of rates)."""
        counts = set(COUNT_KEYS) | set(HOLDING) | {"overdue_count"}
        totals = {key: sum(row.get(key) or 0 for row in rows) for key in counts}
        totals["overdue_hours"] = sum(row.get("overdue_hours") or 0 for row in rows)
        for rate, (num, den) in RATES.items():
            totals[rate] = totals[num] / totals[den] if totals[den] else None
        # 满意度得分 of all the verdicts: the units' scores weighted by their verdicts
        scored = [(row["satisfaction_score"], row.get("rated") or 0) for row in rows
                  if row.get("satisfaction_score") is not None]
        weight = sum(n for _score, n in scored)
        totals["satisfaction_score"] = sum(score * n for score, n in scored) / weight if weight else None
        totals["unit"] = label
        return totals

    def _build_unit(self, report):
        units = self._units()
        figures = self.env["hotline.kpi.case"].unit_figures(self.date_from, self.date_to, units)
        rows = [self._unit_row(unit.name, figures[unit.id]) for unit in units]
        report.add_table(self.env._("Units"), self._title(), self._subtitle(), self._unit_columns(), rows,
                         totals=self._totals(rows, self.env._("Total")))

    def _build_assessment(self, report):
        scheme = self.scheme_id or self.env["hotline.assessment.scheme"].search([], limit=1)
        if not scheme:
            raise UserError(self.env._("Define an assessment scheme first."))
        assessment = self.env["hotline.assessment"].create({
            "scheme_id": scheme.id, "date_from": self.date_from, "date_to": self.date_to,
            "unit_ids": [fields.Command.set(self.unit_ids.ids)],
        })
        assessment.action_compute()
        labels = dict(self.env["hotline.assessment.scheme.line"]._fields["indicator"]._description_selection(
            self.env))
        columns = [Column("rank", self.env._("Rank"), "int", 6), Column("unit", self.env._("Unit"), "text", 24),
                   Column("score", self.env._("Score"), "float", 10),
                   Column("assessed", self.env._("Assessed"), "text", 8)]
        columns += [Column(line.indicator, labels[line.indicator], "percent", 14,
                           group=self.env._("%(weight)s points, target %(target)s%%", weight=f"{line.weight:g}",
                                   target=f"{line.target:g}"))
                    for line in scheme.line_ids]
        # callbacks without an evaluation, counted apart (never in 参评 nor 满意率)
        callback = self.env._("Callback")
        results = self.env["hotline.assessment.result"]
        columns += [Column(key, results._fields[key].get_description(self.env)["string"], group=callback)
                    for key in ("callback_unreachable", "callback_refused")]
        # each deduction line: its occurrences (a figure of the unit), then the total and the detail
        deductions = self.env._("Deductions")
        columns += [Column(line.kind, line._kind_label(), group=deductions) for line in scheme.deduction_ids]
        columns += [Column("deduction", self.env._("Points Deducted"), "float", group=deductions),
                    Column("deduction_detail", self.env._("Deduction Detail"), "text", 40, group=deductions)]
        # a unit not assessed (不参评) has no score nor rank; a rate without data is blank
        rows = [{**result._figures(), "unit": result.unit_id.name, "deduction": result.deduction,
                 "deduction_detail": result.deduction_detail or "",
                 "rank": result.rank if result.participating else None,
                 "score": result.score if result.participating else None,
                 "assessed": self.env._("Yes") if result.participating else self.env._("Not assessed")}
                for result in assessment.result_ids]
        report.add_table(self.env._("Assessment"), f"{self._title()} · {scheme.name}", self._subtitle(), columns, rows,
                         notes=[scheme.formula])
        assessment.unlink()

    # ------------------------------------------------------------------
    # 行业分析表 and 热点排名表
    # ------------------------------------------------------------------
    def _build_industry(self, report):
        lines = self.env["hotline.kpi.case"].industry_table(self.date_from, self.date_to)
        industries = self.env["hotline.industry"].browse({line["industry_id"] for line in lines} - {False})
        types = self.env["hotline.case.type"].browse({line["type_id"] for line in lines} - {False})
        industry_names = {r.id: r.name for r in industries}
        type_names = {r.id: r.name for r in types}
        none = self.env._("(none)")
        rows = [{
            "industry": industry_names.get(line["industry_id"], none), "type": type_names.get(line["type_id"], none),
            "count": line["count"], "previous_count": line["previous_count"],
            "change": line["count"] - line["previous_count"],
            "change_rate": ((line["count"] - line["previous_count"]) / line["previous_count"]
                            if line["previous_count"] else None),
        } for line in lines]
        rows.sort(key=lambda r: (r["industry"], -r["count"]))
        columns = [Column("industry", self.env._("Industry"), "text", 20),
                   Column("type", self.env._("Type"), "text", 16),
                   Column("count", self.env._("Cases"), group=self.env._("This Period")),
                   Column("previous_count", self.env._("Cases"), group=self.env._("Previous Period")),
                   Column("change", self.env._("Change"), group=self.env._("Change")),
                   Column("change_rate", self.env._("Change (%)"), "percent", group=self.env._("Change"))]
        total, previous = sum(r["count"] for r in rows), sum(r["previous_count"] for r in rows)
        report.add_table(self.env._("Industries"), self._title(), self._subtitle(), columns, rows, totals={
            "industry": self.env._("Total"), "count": total, "previous_count": previous, "change": total - previous,
            "change_rate": (total - previous) / previous if previous else None,
        })

    def _build_hotspot(self, report):
        kpi = self.env["hotline.kpi.case"]
        kinds = [("category", self.env._("Categories")), ("street", self.env._("Streets")),
                 ("district", self.env._("Districts")),
                 ("caller", self.env._("Repeat Callers"))]
        columns = [Column("rank", self.env._("Rank"), "int", 6), Column("name", self.env._("Name"), "text", 30),
                   Column("count", self.env._("Cases"), group=self.env._("This Period")),
                   Column("previous_count", self.env._("Cases"), group=self.env._("Previous Period")),
                   Column("previous_rank", self.env._("Rank"), group=self.env._("Previous Period")),
                   Column("rank_change", self.env._("Rank Change"), "int", 10)]
        for kind, label in kinds:
            rows = kpi.hotspots(kind, self.date_from, self.date_to, limit=20)
            report.add_table(label, f"{self._title()} · {label}", self._subtitle(), columns, rows)

    # ------------------------------------------------------------------
    # 受理业务统计 (one row per case: the large export)
    # ------------------------------------------------------------------
    @staticmethod
    def _intake_params(start, end):
        return {"start": start, "end": end}

    @staticmethod
    def _intake_query(select):
        return f"""
            SELECT {select} FROM hotline_case c
             WHERE c.date_received >= %(start)s AND c.date_received < %(end)s
        """

    def _build_intake(self, report):
        kpi = self.env["hotline.kpi.case"]
        kpi._check_reader()
        start, end = days_utc(self.env, self.date_from, self.date_to)
        self.env["hotline.case"].flush_model()
        names = {
            "type": {r.id: r.name for r in self.env["hotline.case.type"].with_context(active_test=False).search([])},
            "category": {r.id: r.complete_name
                         for r in self.env["hotline.category"].with_context(active_test=False).search([])},
            "unit": {r.id: r.name for r in self.env["hotline.unit"].with_context(active_test=False).search([])},
            "agent": {r.id: r.name for r in self.env["res.users"].with_context(active_test=False).search(
                [("share", "=", False)])},
        }
        channels = dict(self.env["hotline.case"]._fields["channel"]._description_selection(self.env))
        states = dict(self.env["hotline.case"]._fields["state"]._description_selection(self.env))
        outcomes = dict(self.env["hotline.report.case.intake"]._fields["intake_outcome"]._description_selection(
            self.env))
        columns = [Column("name", self.env._("Number"), "text", 16),
                   Column("received", self.env._("Received"), "datetime", 17),
                   Column("channel", self.env._("Channel"), "text", 10), Column("type", self.env._("Type"), "text", 10),
                   Column("category", self.env._("Category"), "text", 24),
                   Column("agent", self.env._("Agent"), "text", 12),
                   Column("outcome", self.env._("Intake Outcome"), "text", 12),
                   Column("unit", self.env._("Unit"), "text", 20),
                   Column("state", self.env._("Status"), "text", 10)]
        cr = self.env.cr
        params = {**self._intake_params(start, end), "tz": self.env.company._hotline_tz().zone}
        # counted in the snapshot the rows are read from (the transaction's): the totals row goes after them
        cr.execute(self._intake_query("COUNT(*)"), params)
        count = cr.fetchone()[0]
        lookups = [("channel", "c.channel", channels), ("type", "c.type_id", names["type"]),
                   ("category", "c.category_id", names["category"]), ("agent", "c.agent_id", names["agent"]),
                   ("outcome", INTAKE_OUTCOME_SQL, outcomes), ("unit", "c.unit_id", names["unit"]),
                   ("state", "c.state", states)]

        def rows_xml(first, styles):
            """The rows' XML rendered by PostgreSQL (a Python loop over a million rows took most of the
            export's time): numbers and local times computed there, each name's cell rendered once here."""
            style = dict(zip([column.key for column in columns], styles, strict=True))
            cells = {"first": first, **{f"{key}_blank": cell_xml("text", style[key], None) for key, _c, _v in lookups}}
            for key, _column, values in lookups:
                cells[key] = json.dumps({str(k): cell_xml("text", style[key], v) for k, v in values.items()})
            row = "".join(
                f"""|| '<c r="{letter}' || r.n || '"'
                    || COALESCE(%({key})s::jsonb ->> r.{key}::text, %({key}_blank)s)"""
                for letter, (key, _column, _values) in zip("CDEFGHI", lookups, strict=True))
            # case numbers: &, < and > escaped; the control characters XML forbids dropped; spaces kept
            cr.execute(f"""
                DECLARE hotline_intake_export NO SCROLL CURSOR FOR
                SELECT '<row r="' || r.n || '"><c r="A' || r.n || '"' || %(name_style)s
                       || ' t="inlineStr"><is><t xml:space="preserve">'
                       || replace(replace(replace(translate(r.name, %(forbidden)s, ''), '&', '&amp;'), '<', '&lt;'),
                                  '>', '&gt;')
                       || '</t></is></c><c r="B' || r.n || '"' || %(received_style)s || '><v>'
                       || (EXTRACT(EPOCH FROM r.received) / 86400 + 25569)::float8 || '</v></c>'
                       {row} || '</row>'
                  FROM ({self._intake_query(
                    "c.name, c.date_received AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s AS received, "
                    + ", ".join(f"{column} AS {key}" for key, column, _values in lookups)
                    + ", c.date_received AS utc, c.id"
                    + ", ROW_NUMBER() OVER (ORDER BY c.date_received, c.id) + %(first)s - 1 AS n")}) r
              ORDER BY r.utc, r.id
            """, {**params, **cells, "name_style": style["name"], "received_style": style["received"],
                  "forbidden": "".join(map(chr, [*range(1, 9), 11, 12, *range(14, 32)]))})
            done = 0
            while True:
                cr.execute("FETCH 10000 FROM hotline_intake_export")
                batch = cr.fetchall()
                if not batch:
                    cr.execute("CLOSE hotline_intake_export")
                    return
                done += len(batch)
                yield "".join(xml for xml, in batch)
                self._set_progress(done)

        # the rows are read and written when the report is closed (XlsxReport.add_large_table)
        report.add_large_table(self.env._("Cases"), self._title(), self._subtitle(), columns, count, rows_xml,
                               totals={"name": self.env._("Total: %s cases", count)})
        return count
