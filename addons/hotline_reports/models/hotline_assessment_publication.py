"""考核发布: frozen, versioned copies of an assessment's results, which the units read and appeal.

A version copies, when it is published, every unit's figures (one line per indicator code → value), its score
and rank, and for every count the dispatches behind it (one line per 件次 with the codes of the counts it is in).
Nothing reads the cases again
afterwards: a later transition on a case changes no published version. Publishing again, or accepting an
appeal, makes the next version; the earlier ones stay readable (superseded).
"""
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import get_lang

from ..kpi.case_indicators import BY_CODE, BY_KEY, INDICATORS
from ..kpi.cases import DISPATCH_MEASURES, RATES
from .hotline_assessment import rank_rows

PUBLISHER_GROUP = "hotline_case.group_reviewer"
# every figure of a result, by its key (the assessment result's field names), labelled by the registry
FIGURE_CODES = [(indicator.key, indicator.label) for indicator in INDICATORS]
# the code under which a count's dispatches are published (the service's `overdue` is the result's overdue_count)
MEASURE_CODES = {key: BY_CODE[key].key for key in DISPATCH_MEASURES}


def measure_of(code):
    """The DISPATCH_MEASURES key of a count's figure code."""
    return BY_KEY[code].code


def post_in_their_language(record, partners, render):
    """Post to `partners` the notice `render(record)` writes, once per language they read (the partner's
    `lang`; none or an inactive one: the sender's), `record` in that language: whoever sends it, a manager in
    English or in Chinese, each recipient reads it in their own language."""
    env = record.env
    installed = {code for code, _name in env["res.lang"].get_installed()}
    sender = get_lang(env).code
    groups = defaultdict(lambda: env["res.partner"])
    for partner in partners:
        groups[partner.lang if partner.lang in installed else sender] |= partner
    for lang, group in groups.items():
        localized = record.with_context(lang=lang)
        localized.message_post(body=render(localized), partner_ids=group.ids, subtype_xmlid="mail.mt_comment")


class HotlineAssessmentScheme(models.Model):
    _inherit = "hotline.assessment.scheme"

    appeal_days = fields.Integer(
        string="Appeal Window (Working Days)", default=5,
        help="A unit may appeal a case behind its published figures until the end of this many working days "
             "(the center's calendar) after the day of publication.")

    _appeal_days_positive = models.Constraint("CHECK(appeal_days >= 0)", "The appeal window cannot be negative.")


class HotlineAssessment(models.Model):
    _inherit = "hotline.assessment"

    publication_ids = fields.One2many("hotline.assessment.publication", "assessment_id", string="Published Versions",
                                      readonly=True)
    publication_count = fields.Integer(compute="_compute_publication_count")

    @api.depends("publication_ids")
    def _compute_publication_count(self):
        for assessment in self:
            assessment.publication_count = len(assessment.publication_ids)

    def action_publish(self):
        """发布: compute the results now and freeze them, with the dispatches behind every figure, as the next
        version; the units are told."""
        self.env["hotline.assessment.publication"]._check_publisher()
        publications = self.env["hotline.assessment.publication"]
        for assessment in self:
            assessment.action_compute()
            publications |= publications.sudo()._publish(assessment)
        return publications.with_env(self.env)._action_open()

    def action_view_publications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("hotline_reports.hotline_assessment_publication_action")
        action["domain"] = [("assessment_id", "=", self.id)]
        return action


class HotlineAssessmentPublication(models.Model):
    """One published version of an assessment: read only, whoever asks (it is written with sudo by the methods
    that publish, which check the user's role first)."""

    _name = "hotline.assessment.publication"
    _description = "Published Assessment"
    _order = "date_from desc, assessment_id desc, version desc"

    name = fields.Char(compute="_compute_name", store=True)
    assessment_id = fields.Many2one("hotline.assessment", string="Assessment", required=True, readonly=True,
                                    index=True, ondelete="restrict")
    version = fields.Integer(required=True, readonly=True)
    state = fields.Selection([("current", "Current"), ("superseded", "Superseded")], required=True,
                             default="current", readonly=True, index=True)
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True)
    # the scheme's name as published, in every language it had then (its jsonb copied): each reader reads it in
    # their own, and renaming the scheme later changes no published period
    scheme_name = fields.Char(string="Scheme", readonly=True, translate=True)
    # written from the scheme as published, in the reader's language (not frozen in the publisher's)
    formula = fields.Text(compute="_compute_formula")
    # the scheme as published (hotline.assessment.scheme.copy_data): an accepted appeal scores with it, so a
    # scheme edited since does not change a published period
    scheme_values = fields.Json(readonly=True, groups=PUBLISHER_GROUP)
    published_at = fields.Datetime(readonly=True)
    published_by_id = fields.Many2one("res.users", string="Published by", readonly=True)
    appeal_deadline = fields.Datetime(
        readonly=True, help="Units may appeal a case behind these figures until then (the scheme's appeal window "
                            "in working days after the day of publication; an appeal's version keeps its window).")
    previous_id = fields.Many2one("hotline.assessment.publication", string="Previous Version", readonly=True)
    # the center's: they name another unit's case and score (each unit reads its own appeals and their changes)
    appeal_id = fields.Many2one("hotline.assessment.appeal", string="Accepted Appeal", readonly=True,
                                groups=PUBLISHER_GROUP, help="The appeal whose acceptance made this version.")
    change_note = fields.Text(string="Change", readonly=True, groups=PUBLISHER_GROUP)
    result_ids = fields.One2many("hotline.assessment.published.result", "publication_id", string="Results",
                                 readonly=True)

    _version_unique = models.Constraint("UNIQUE(assessment_id, version)",
                                        "This version of the assessment is already published.")

    @api.depends("assessment_id.name", "version")
    def _compute_name(self):
        for publication in self:
            publication.name = publication._title()

    @api.depends("assessment_id.name", "version")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for publication in self:
            publication.display_name = publication._title()

    def _title(self):
        """The name in the env's language (the stored one is in the language of whoever published)."""
        self.ensure_one()
        # the assessment itself is the center's: its name is the version's
        return self.env._("%(name)s (version %(version)s)", name=self.sudo().assessment_id._title(),
                          version=self.version)

    @api.depends("scheme_values")
    @api.depends_context("lang")
    def _compute_formula(self):
        # the published scheme's values are the center's (groups): every reader of a version reads its formula
        Scheme = self.env["hotline.assessment.scheme"]
        for publication in self:
            values = publication.sudo().scheme_values
            publication.formula = Scheme.new(values).formula if values else False

    @api.model
    def _check_publisher(self):
        if not self.env.su and not self.env.user.has_group(PUBLISHER_GROUP):
            raise AccessError(self.env._("Only reviewers and managers can publish assessments and decide appeals."))

    def _action_open(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("hotline_reports.hotline_assessment_publication_action")
        if len(self) == 1:
            action.update(res_id=self.id, view_mode="form", views=[(False, "form")])
        return action

    # ------------------------------------------------------------------
    # Publishing (sudo: the callers check the role)
    # ------------------------------------------------------------------
    def _next_version(self, assessment, values):
        """Create the next version of `assessment` (the current one, if any, is superseded)."""
        # one version at a time per assessment: concurrent publications wait here, then see each other's
        self.env.cr.execute("SELECT id FROM hotline_assessment WHERE id = %s FOR UPDATE", [assessment.id])
        current = self.search([("assessment_id", "=", assessment.id), ("state", "=", "current")])
        last = max(self.search([("assessment_id", "=", assessment.id)]).mapped("version"), default=0)
        current.write({"state": "superseded"})
        return self.create({
            "assessment_id": assessment.id, "version": last + 1, "date_from": assessment.date_from,
            "date_to": assessment.date_to, "published_at": fields.Datetime.now(),
            "published_by_id": self.env.uid,  # under sudo, still the user who asked
            "previous_id": current[:1].id, **values,
        })

    @api.model
    def _publish(self, assessment):
        """Freeze `assessment`'s computed results and the dispatches behind every count as its next version."""
        scheme = assessment.scheme_id
        now = fields.Datetime.now()
        deadline = self.env["hotline.case"]._add_working_days(scheme.appeal_days, now) if scheme.appeal_days else now
        publication = self._next_version(assessment, {
            "scheme_values": scheme.copy_data()[0], "appeal_deadline": deadline,
        })
        publication._copy_scheme_name(scheme)
        self.env["hotline.assessment.published.result"].create([{
            "publication_id": publication.id, "unit_id": result.unit_id.id, "score": result.score,
            "participating": result.participating, "rank": result.rank, "deduction": result.deduction,
            "deduction_facts": result.deduction_facts,
            "figure_ids": [fields.Command.create({"code": code, "value": value or 0.0, "has_value": value is not None})
                           for code, value in result._figures().items()],
        } for result in assessment.result_ids])
        publication._freeze_dispatches()
        publication._notify_units()
        return publication

    def _copy_scheme_name(self, source):
        """scheme_name as `source` (the scheme, or the version copied) holds its name now: the jsonb of every
        language, copied as it is (the ORM writes one language at a time)."""
        self.ensure_one()
        column = "name" if source._name == "hotline.assessment.scheme" else "scheme_name"
        source.flush_recordset([column])
        self.env.cr.execute(SQL("UPDATE hotline_assessment_publication SET scheme_name = (SELECT %s FROM %s "
                                "WHERE id = %s) WHERE id = %s", SQL.identifier(column),
                                SQL.identifier(source._table), source.id, self.id))
        self.invalidate_recordset(["scheme_name"])

    def _freeze_dispatches(self):
        """One item per (unit, dispatch) of the period with the codes of the counts it is in, read now: the same
        definitions and reading time as the figures (kpi/cases.py, the closed days from the stored facts as the
        figures read them), in one INSERT ... SELECT."""
        self.ensure_one()
        kpi = self.env["hotline.kpi.case"]
        kpi._flush()
        self.env["hotline.assessment.published.result"].flush_model()
        # the closed days' hits from the stored facts, the days after from the log (kpi/case_facts.py)
        hits = kpi._hits_sql(self.date_from, self.date_to, self.result_ids.unit_id.ids)
        self.env.cr.execute(SQL("""
            INSERT INTO hotline_assessment_published_item
                   (result_id, codes, dispatch_id, case_id, case_name, dispatched_at)
            SELECT r.id, ' ' || array_to_string(hit.codes, ' ') || ' ', hit.dispatch_id, hit.case_id, c.name,
                   hit.dispatched_at
              FROM (%s) hit
              JOIN hotline_assessment_published_result r ON r.publication_id = %s AND r.unit_id = hit.unit_id
              JOIN hotline_case c ON c.id = hit.case_id""", hits, self.id))
        self.env["hotline.assessment.published.item"].invalidate_model()

    def _copy_as_next(self, values):
        """The next version: a copy of this one (results, figures and dispatches, in SQL) with `values`."""
        self.ensure_one()
        new = self._next_version(self.assessment_id, {
            "scheme_values": self.scheme_values, "appeal_deadline": self.appeal_deadline, **values,
        })
        new._copy_scheme_name(self)
        Result = self.env["hotline.assessment.published.result"]
        Result.create([{
            "publication_id": new.id, "unit_id": result.unit_id.id, "score": result.score,
            "participating": result.participating, "rank": result.rank, "deduction": result.deduction,
            "deduction_facts": result.deduction_facts,
            "figure_ids": [fields.Command.create({"code": f.code, "value": f.value, "has_value": f.has_value})
                           for f in result.figure_ids],
        } for result in self.result_ids])
        Result.flush_model()
        self.env.cr.execute("""
            INSERT INTO hotline_assessment_published_item
                   (result_id, codes, dispatch_id, case_id, case_name, dispatched_at)
            SELECT n.id, i.codes, i.dispatch_id, i.case_id, i.case_name, i.dispatched_at
              FROM hotline_assessment_published_item i
              JOIN hotline_assessment_published_result o ON o.id = i.result_id AND o.publication_id = %(old)s
              JOIN hotline_assessment_published_result n ON n.unit_id = o.unit_id AND n.publication_id = %(new)s
        """, {"old": self.id, "new": new.id})
        self.env["hotline.assessment.published.item"].invalidate_model()
        return new

    def _rescore(self):
        """Score every result again with the published scheme and rank them again."""
        self.ensure_one()
        scheme = self.env["hotline.assessment.scheme"].new(self.scheme_values or {})
        rows = []
        for result in self.result_ids:
            figures = result._figures()
            score, deduction, _detail = scheme.score(figures)
            rows.append({"result": result, "score": score or 0.0, "deduction": deduction,
                         "deduction_facts": scheme.deduction_facts(scheme.deductions(figures)[1]),
                         "participating": score is not None})
        rank_rows(rows)
        for row in rows:
            row.pop("result").write(row)

    def _notify_units(self):
        for result in self.result_ids:
            result._notify_members(lambda r: r._published_notice())


class HotlineAssessmentPublishedResult(models.Model):
    """One unit's published figures, score and rank in a version."""

    _name = "hotline.assessment.published.result"
    _description = "Published Unit Result"
    _inherit = ["mail.thread"]
    _order = "publication_id desc, participating desc, rank, id"
    _rec_name = "unit_id"

    publication_id = fields.Many2one("hotline.assessment.publication", string="Version", required=True,
                                     readonly=True, index=True, ondelete="cascade")
    assessment_id = fields.Many2one(related="publication_id.assessment_id", store=True, string="Assessment")
    state = fields.Selection(related="publication_id.state", string="Version State")
    date_from = fields.Date(related="publication_id.date_from")
    date_to = fields.Date(related="publication_id.date_to")
    version = fields.Integer(related="publication_id.version", string="Version Number")
    appeal_deadline = fields.Datetime(related="publication_id.appeal_deadline")
    unit_id = fields.Many2one("hotline.unit", string="Unit", required=True, readonly=True, index=True)
    score = fields.Float(readonly=True, digits=(16, 2), aggregator=None)
    participating = fields.Boolean(string="Assessed", readonly=True)
    rank = fields.Integer(readonly=True, aggregator=None)
    deduction = fields.Float(readonly=True, digits=(16, 2), aggregator=None)
    # frozen with the figures: the facts of each deduction line, written out in the reader's language
    deduction_facts = fields.Json(readonly=True)
    deduction_detail = fields.Text(string="Deductions", compute="_compute_deduction_detail",
                                   help="Each deduction line: occurrences × points, and its cap.")
    figure_ids = fields.One2many("hotline.assessment.published.figure", "result_id", string="Figures", readonly=True)
    item_ids = fields.One2many("hotline.assessment.published.item", "result_id", string="Dispatches", readonly=True)
    appeal_ids = fields.One2many("hotline.assessment.appeal", "result_id", string="Appeals", readonly=True)

    _unit_unique = models.Constraint("UNIQUE(publication_id, unit_id)", "A unit has one result per version.")

    @api.depends("deduction_facts")
    @api.depends_context("lang")
    def _compute_deduction_detail(self):
        render = self.env["hotline.assessment.scheme.deduction"]._render_facts
        for result in self:
            result.deduction_detail = render(result.deduction_facts) or False

    def _figures(self):
        """{code: value} of the published figures (None: no data, shown blank)."""
        self.ensure_one()
        return {f.code: f.value if f.has_value else None for f in self.figure_ids}

    def _items(self, code):
        """The published dispatches behind the count `code`."""
        self.ensure_one()
        return self.item_ids.filtered(lambda item: code in item._codes())

    def _published_notice(self):
        """The unit's notice of publication, in the env's language."""
        self.ensure_one()
        publication = self.publication_id
        deadline = fields.Datetime.context_timestamp(self.with_context(tz=self.env.company._hotline_tz().zone),
                                                     publication.appeal_deadline)
        return self.env._(
            "The assessment %(name)s is published: your score %(score)s, rank %(rank)s. You may appeal a case "
            "behind a figure until %(deadline)s.", name=publication._title(),
            score=f"{self.score:.2f}" if self.participating else self.env._("not assessed"),
            rank=self.rank or "-", deadline=deadline.strftime("%Y-%m-%d %H:%M"))

    def _notify_members(self, render):
        """Tell the unit's members `render(result)`, each in their own language."""
        for result in self.sudo():
            post_in_their_language(result, result.unit_id.member_ids.partner_id, render)

    def action_open_figure(self):
        """The dispatches behind the figure given by the button's context (`code`)."""
        self.ensure_one()
        code = self.env.context.get("code")
        return self.figure_ids.filtered(lambda f: f.code == code)[:1].action_open_items()


class HotlineAssessmentPublishedFigure(models.Model):
    """One figure of a published result: indicator code → value (a new figure is one more code, no column)."""

    _name = "hotline.assessment.published.figure"
    _description = "Published Figure"
    _order = "result_id, id"

    result_id = fields.Many2one("hotline.assessment.published.result", required=True, readonly=True, index=True,
                                ondelete="cascade")
    unit_id = fields.Many2one(related="result_id.unit_id")
    code = fields.Selection(FIGURE_CODES, string="Indicator", required=True, readonly=True)
    value = fields.Float(string="Raw Value", readonly=True)
    has_value = fields.Boolean(readonly=True, help="Unchecked: no data (a rate without population), shown blank.")
    display_value = fields.Char(string="Value", compute="_compute_display_value")
    item_count = fields.Integer(string="Dispatches", compute="_compute_item_count")

    def _compute_display_value(self):
        rates = set(RATES)
        for figure in self:
            if not figure.has_value:
                figure.display_value = ""
            elif figure.code in rates:
                figure.display_value = f"{figure.value * 100:.2f}%"
            elif figure.value == int(figure.value):
                figure.display_value = str(int(figure.value))
            else:
                figure.display_value = f"{figure.value:.2f}"

    def _compute_item_count(self):
        # the figures' own results only (readable: the figures are): one query for all
        self.env["hotline.assessment.published.item"].flush_model()
        self.env.cr.execute("""
            SELECT i.result_id, c.code, COUNT(*)
              FROM hotline_assessment_published_item i
             CROSS JOIN LATERAL unnest(string_to_array(trim(i.codes), ' ')) c(code)
             WHERE i.result_id = ANY(%s)
          GROUP BY i.result_id, c.code""", [self.result_id.ids])
        counts = {(result_id, code): count for result_id, code, count in self.env.cr.fetchall()}
        for figure in self:
            figure.item_count = counts.get((figure.result_id.id, figure._items_code()), 0)

    def _items_code(self):
        """The count whose dispatches a figure lists: its own, a rate's denominator (its population)."""
        self.ensure_one()
        code = MEASURE_CODES.get(RATES.get(self.code, (None, self.code))[1], self.code)
        return code if code in MEASURE_CODES.values() else None

    def action_open_items(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": f"{self.result_id.unit_id.display_name} · "
                    f"{dict(self._fields['code']._description_selection(self.env))[self.code]}",
            "res_model": "hotline.assessment.published.item",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("result_id", "=", self.result_id.id), ("codes", "like", f" {self._items_code()} ")],
            "context": {"create": False, "appeal_code": self._items_code()},
        }


class HotlineAssessmentPublishedItem(models.Model):
    """A dispatch (派单件次) behind a published count, as it was when published."""

    _name = "hotline.assessment.published.item"
    _description = "Published Dispatch"
    _order = "result_id, dispatched_at, id"
    _rec_name = "case_name"
    # written once in bulk (a month holds a line per count per dispatch): no log columns, and a plain id for the
    # dispatch log line; the foreign-key checks are most of an INSERT's time
    _log_access = False

    result_id = fields.Many2one("hotline.assessment.published.result", required=True, readonly=True,
                                ondelete="cascade")
    publication_id = fields.Many2one(related="result_id.publication_id", string="Version")
    unit_id = fields.Many2one(related="result_id.unit_id")
    codes = fields.Char(string="Counted in", required=True, readonly=True,
                        help="The codes of the counts the dispatch is in, space-separated.")
    code_labels = fields.Char(string="Figures", compute="_compute_code_labels")
    dispatch_id = fields.Integer(string="Dispatch Line", readonly=True,
                                 help="The id of the dispatch's log line (hotline.case.log) when published.")
    case_id = fields.Many2one("hotline.case", string="Case", readonly=True, ondelete="set null")
    case_name = fields.Char(string="Case Number", readonly=True)
    dispatched_at = fields.Datetime(string="Dispatched", readonly=True)
    appeal_ids = fields.One2many("hotline.assessment.appeal", "item_id", string="Appeals", readonly=True)

    _result = models.Index("(result_id)")

    def _codes(self):
        self.ensure_one()
        return (self.codes or "").split()

    def _compute_code_labels(self):
        labels = dict(self.env["hotline.assessment.published.figure"]._fields["code"]._description_selection(self.env))
        for item in self:
            item.code_labels = "、".join(labels.get(code, code) for code in item._codes())

    def action_appeal(self):
        """The backend's appeal form for this dispatch."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Appeal"),
            "res_model": "hotline.assessment.appeal.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_item_id": self.id, "default_code": self.env.context.get("appeal_code")},
        }

    def file_appeal(self, code, reason, files=None):
        """复核: the unit appeals this dispatch's place in the count `code`, with a reason and files
        ([(name, raw bytes)]). Checked here for every channel (backend, portal, RPC): the user is a member of
        the item's unit, the dispatch is in that count, the version is the current one, within its appeal
        window, one open appeal per dispatch and count."""
        self.ensure_one()
        self.check_access("read")
        item = self.sudo()
        if not self.env.su and item.unit_id not in self.env.user.hotline_unit_ids:
            raise AccessError(self.env._("Only the members of the unit can appeal its results."))
        if code not in item._codes():
            raise UserError(self.env._("This case does not count in that figure: choose a figure it counts in."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the appeal."))
        publication = item.publication_id
        if publication.state != "current":
            raise UserError(self.env._("This version has been replaced: appeal on the current version."))
        if fields.Datetime.now() > publication.appeal_deadline:
            raise UserError(self.env._("The appeal window of %(name)s closed on %(deadline)s.", name=publication.name,
                                       deadline=fields.Datetime.context_timestamp(
                                           self.with_context(tz=self.env.company._hotline_tz().zone),
                                           publication.appeal_deadline).strftime("%Y-%m-%d %H:%M")))
        Appeal = self.env["hotline.assessment.appeal"].sudo()
        if Appeal.search_count([("item_id", "=", item.id), ("code", "=", code), ("state", "=", "submitted")]):
            raise UserError(self.env._("This case already has an appeal waiting for a decision."))
        files = files or []
        Case = self.env["hotline.case"]
        Case._check_result_sizes([(name, len(raw or b"")) for name, raw in files])
        appeal = Appeal.create({"item_id": item.id, "code": code, "reason": reason, "filed_by_id": self.env.uid})
        attachments = self.env["ir.attachment"].sudo().create([{
            "name": name, "raw": raw, "mimetype": Case._result_file_type(name, raw),
            "res_model": "hotline.assessment.appeal", "res_id": appeal.id,
        } for name, raw in files])
        # the portal links to the files with their token (portal users read no attachment by id)
        attachments.generate_access_token()
        appeal.attachment_ids = attachments
        appeal._notify_reviewers()
        return appeal.with_env(self.env)
