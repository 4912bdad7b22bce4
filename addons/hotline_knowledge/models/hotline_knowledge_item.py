import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, html2plaintext

from ..tools import tokens

EDITOR_GROUP = "hotline_knowledge.group_knowledge_editor"
AGENT_GROUP = "hotline_case.group_agent"
TITLE_MAX = 128
KEYWORD_MAX = 20
KEYWORD_SEPARATORS = re.compile(r"[,，;；、\s]+")
# What a change of a published item is about: a new version is kept when one of these changes.
VERSIONED_FIELDS = ("name", "answer", "content", "keywords", "category_id", "issuer", "doc_number",
                    "material_type", "date_start", "date_end")
# Fields only the workflow methods write (under sudo): no client sets a state or a counter.
WORKFLOW_FIELDS = ("state", "version", "date_published", "published_by_id", "last_review_date", "use_count",
                   "send_back_reason")
# Matching items ranked per search at most (see _ranked_candidates).
CANDIDATES = 1000
# How long before the due date the owner is asked to review.
REVIEW_LEAD_DAYS = 14

MATERIAL_TYPES = [
    ("guide", "Service Guide"),
    ("law", "Laws and Regulations"),
    ("faq", "Hot Q&A"),
    ("daily", "Daily Consultation"),
    ("notice", "Notice"),
    ("business", "Business Guideline"),
]


class HotlineKnowledgeItem(models.Model):
    _name = "hotline.knowledge.item"
    _description = "Knowledge Item"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "use_count desc, id desc"

    name = fields.Char(string="Title", required=True, size=TITLE_MAX, tracking=True)
    category_id = fields.Many2one("hotline.knowledge.category", string="Category", required=True, index=True,
                                  tracking=True, ondelete="restrict")
    answer = fields.Text(string="Standard Answer", tracking=True,
                         help="What the agent reads out on the call: short, exact, the same for every agent.")
    content = fields.Html(string="Content", sanitize_attributes=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Files")
    issuer = fields.Char(string="Issuing Authority")
    doc_number = fields.Char(string="Document Number")
    material_type = fields.Selection(MATERIAL_TYPES, string="Material Type", default="daily", required=True)
    keywords = fields.Char(help="Separated by commas: each at most 20 characters, none the same as the title.")
    unit_id = fields.Many2one("hotline.unit", string="Owner Unit", required=True, index=True, tracking=True)
    date_start = fields.Date(string="Effective From", tracking=True)
    date_end = fields.Date(string="Effective Until", tracking=True, index=True,
                           help="From the day after, agents no longer find the item.")
    state = fields.Selection([
        ("draft", "Draft"),
        ("pending", "To Approve"),
        ("published", "Published"),
        ("abolished", "Abolished"),
    ], default="draft", required=True, readonly=True, tracking=True, index=True)
    origin_id = fields.Many2one(
        "hotline.knowledge.item", string="Change of", index=True, readonly=True, ondelete="cascade",
        help="This draft proposes a change of a published item; approving it updates that item.")
    change_ids = fields.One2many("hotline.knowledge.item", "origin_id", string="Proposed Changes")
    send_back_reason = fields.Text(readonly=True)
    version = fields.Integer(readonly=True, default=0)
    version_ids = fields.One2many("hotline.knowledge.version", "item_id", string="Versions", readonly=True)
    date_published = fields.Datetime(readonly=True)
    published_by_id = fields.Many2one("res.users", string="Approved by", readonly=True)
    last_review_date = fields.Date(readonly=True)
    review_due_date = fields.Date(compute="_compute_review_due_date", store=True, index=True)
    use_count = fields.Integer(string="Uses", readonly=True, default=0)
    feedback_ids = fields.One2many("hotline.knowledge.feedback", "item_id", string="Feedback")
    open_feedback_count = fields.Integer(compute="_compute_open_feedback_count")
    is_public = fields.Boolean(string="Public FAQ", help="Only for a site that chooses to publish a public FAQ.")
    is_current = fields.Boolean(compute="_compute_is_current", search="_search_is_current",
                                string="Valid Today")
    active = fields.Boolean(default=True)

    # One title per item; a proposed change carries its item's title until approved.
    _name_unique = models.UniqueIndex("(name) WHERE origin_id IS NULL AND active",
                                      "A knowledge item with this title already exists.")
    _dates = models.Constraint("CHECK(date_end IS NULL OR date_start IS NULL OR date_end >= date_start)",
                               "The item cannot expire before it takes effect.")

    def init(self):
        res = super().init()
        self.env.cr.execute(tokens.BIGRAMS_FUNCTION)
        # Not an ORM field: a tsvector of bigrams (see tools/tokens.py), written by _update_search_vector.
        self.env.cr.execute(SQL("""
            ALTER TABLE hotline_knowledge_item ADD COLUMN IF NOT EXISTS search_vector tsvector;
            CREATE INDEX IF NOT EXISTS hotline_knowledge_item_search_vector_idx
                ON hotline_knowledge_item USING gin (search_vector);
        """))
        return res

    # ------------------------------------------------------------------ computes
    @api.depends("last_review_date", "date_published", "category_id.review_months",
                 "category_id.parent_id.review_months")
    def _compute_review_due_date(self):
        for item in self:
            months = item.category_id._review_interval() if item.category_id else 0
            start = item.last_review_date or (item.date_published and item.date_published.date())
            item.review_due_date = start + relativedelta(months=months) if months and start else False

    def _compute_open_feedback_count(self):
        data = dict(self.env["hotline.knowledge.feedback"].sudo()._read_group(
            [("item_id", "in", self.ids), ("state", "=", "open")], ["item_id"], ["__count"]))
        for item in self:
            item.open_feedback_count = data.get(item._origin, 0)

    def _compute_is_current(self):
        today = fields.Date.context_today(self)
        for item in self:
            item.is_current = (item.state == "published" and (not item.date_start or item.date_start <= today)
                               and (not item.date_end or item.date_end >= today))

    def _search_is_current(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        # 'today' is resolved when the query runs (in the user's time zone), never cached with the rules:
        # an item past its end date is gone from the agents' search at midnight, without a cron.
        domain = [("state", "=", "published"),
                  "|", ("date_start", "=", False), ("date_start", "<=", "today"),
                  "|", ("date_end", "=", False), ("date_end", ">=", "today")]
        positive = (operator == "in") == (True in value)
        return domain if positive else ["!", *domain]

    # ------------------------------------------------------------------ checks
    @api.constrains("name", "keywords")
    def _check_keywords(self):
        for item in self:
            title = (item.name or "").strip()
            if len(title) > TITLE_MAX:
                raise ValidationError(self.env._("The title is limited to %(max)s characters.", max=TITLE_MAX))
            for keyword in item._keyword_list():
                if len(keyword) > KEYWORD_MAX:
                    raise ValidationError(self.env._(
                        "The keyword “%(keyword)s” is longer than %(max)s characters.",
                        keyword=keyword, max=KEYWORD_MAX))
                if keyword == title:
                    raise ValidationError(self.env._(
                        "The keyword “%(keyword)s” is the title itself: give other words callers use.",
                        keyword=keyword))

    def _keyword_list(self):
        self.ensure_one()
        return [k for k in KEYWORD_SEPARATORS.split(self.keywords or "") if k]

    def _is_editor(self):
        return self.env.su or self.env.user.has_group(EDITOR_GROUP)

    def _check_editor(self):
        if not self._is_editor():
            raise AccessError(self.env._("Only the center's knowledge editors may do this."))

    def _check_proposer(self):
        """Editors, and the knowledge managers of the item's owner unit."""
        if self._is_editor():
            return
        managed = self.env.user.hotline_knowledge_unit_ids
        for item in self.sudo():
            if item.unit_id not in managed:
                raise AccessError(self.env._("Only the knowledge managers of %(unit)s may propose this item.",
                                             unit=item.unit_id.display_name))

    def _check_state(self, states):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for item in self.sudo():
            if item.state not in states:
                raise UserError(self.env._("“%(item)s” is %(state)s: this step is not possible.",
                                           item=item.name, state=labels[item.state]))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if set(vals) & set(WORKFLOW_FIELDS):
                    raise AccessError(self.env._("The state of an item changes only through its workflow."))
                if vals.get("origin_id"):
                    raise AccessError(self.env._("Propose a change with the item's “Propose a Change” button."))
        items = super().create(vals_list)
        items._update_search_vector()
        return items

    def write(self, vals):
        if not self.env.su and set(vals) & set(WORKFLOW_FIELDS + ("origin_id",)):
            raise AccessError(self.env._("The state of an item changes only through its workflow."))
        versioned = set(vals) & set(VERSIONED_FIELDS)
        if versioned and not self.env.su:
            # a published item changes through the editors (a unit proposes a change: a draft copy)
            if self.filtered(lambda i: i.state in ("published", "abolished")):
                self._check_editor()
        res = super().write(vals)
        if versioned:
            self._update_search_vector()
            self.filtered(lambda i: i.state == "published")._snapshot()
        return res

    def _search_document(self):
        """(title+keywords, answer, content) as simplified text, and the pinyin terms of title and keywords."""
        self.ensure_one()
        head = f"{self.name or ''} {self.keywords or ''}"
        return (tokens.to_simplified(head), tokens.to_simplified(self.answer or ""),
                tokens.to_simplified(html2plaintext(self.content or "") if self.content else ""),
                " ".join(tokens.pinyin_terms(f"{self.name or ''},{self.keywords or ''}")))

    def _update_search_vector(self):
        for item in self.sudo():
            head, answer, content, pinyin = item._search_document()
            # title and keywords weigh most (A), the answer next (B), the content least (D)
            self.env.cr.execute(SQL("""
                UPDATE hotline_knowledge_item SET search_vector =
                       setweight(to_tsvector('simple', hotline_knowledge_bigrams(%(head)s)), 'A')
                    || setweight(to_tsvector('simple', %(pinyin)s), 'A')
                    || setweight(to_tsvector('simple', hotline_knowledge_bigrams(%(answer)s)), 'B')
                    || setweight(to_tsvector('simple', hotline_knowledge_bigrams(%(content)s)), 'D')
                 WHERE id = %(id)s
            """, head=head, pinyin=pinyin, answer=answer, content=content, id=item.id))

    def _snapshot(self):
        """Keep the published text as a new version."""
        for item in self.sudo():
            version = item.version + 1
            item.with_context(tracking_disable=True).write({"version": version})
            self.env["hotline.knowledge.version"].sudo().create({
                "item_id": item.id, "version": version, "name": item.name, "answer": item.answer,
                "content": item.content, "keywords": item.keywords, "date_start": item.date_start,
                "date_end": item.date_end, "user_id": self.env.uid,
            })

    # ------------------------------------------------------------------ workflow
    def action_submit(self):
        """草稿 → 待审核: a unit (or an editor) asks the center to publish."""
        self._check_proposer()
        self._check_state(("draft",))
        for item in self:
            if not (item.answer or "").strip():
                raise UserError(self.env._("“%(item)s” has no standard answer to read out on the call.",
                                           item=item.name))
        self.sudo().write({"state": "pending", "send_back_reason": False})
        editors = self.env.ref(EDITOR_GROUP).sudo().all_user_ids.filtered(lambda u: not u.share)
        for item in self.sudo():
            for editor in editors[:1]:
                item.activity_schedule("hotline_knowledge.mail_activity_knowledge_approve", user_id=editor.id,
                                       summary=self.env._("Approve the knowledge item"))
        return True

    def action_approve(self):
        """待审核 → 已发布; a proposed change updates its item, which keeps the previous text as a version."""
        self._check_editor()
        self._check_state(("pending",))
        now = fields.Datetime.now()
        for item in self.sudo():
            item.activity_unlink(["hotline_knowledge.mail_activity_knowledge_approve"])
            if item.origin_id:
                origin = item.origin_id
                origin._check_state(("published",))
                origin.write({f: item[f] for f in VERSIONED_FIELDS} | {
                    "attachment_ids": [(6, 0, item.attachment_ids.ids)]})
                origin.write({"date_published": now, "published_by_id": self.env.uid,
                              "last_review_date": fields.Date.context_today(self)})
                origin.message_post(body=self.env._("Change approved (proposed by %(user)s).",
                                                    user=item.create_uid.name))
                item.write({"state": "abolished", "active": False})
                continue
            item.write({"state": "published", "date_published": now, "published_by_id": self.env.uid,
                        "last_review_date": fields.Date.context_today(self)})
            item._snapshot()
        return True

    def action_send_back(self, reason=None):
        """待审核 → 草稿 with the editor's reason, for the proposer to rework."""
        self._check_editor()
        self._check_state(("pending",))
        reason = reason if isinstance(reason, str) else ""
        if not reason.strip():
            raise UserError(self.env._("Say why the item is sent back."))
        for item in self.sudo():
            item.activity_unlink(["hotline_knowledge.mail_activity_knowledge_approve"])
            item.write({"state": "draft", "send_back_reason": reason.strip()})
            item.message_post(body=self.env._("Sent back: %(reason)s", reason=reason.strip()))
            if not item.create_uid.share:
                item.activity_schedule("mail.mail_activity_data_todo", user_id=item.create_uid.id,
                                       summary=self.env._("Rework the knowledge item"), note=reason.strip())
        return True

    def action_abolish(self):
        """已废止: withdrawn at once from every search."""
        self._check_editor()
        self._check_state(("published", "draft", "pending"))
        self.sudo().write({"state": "abolished"})
        return True

    def action_propose_change(self):
        """A draft copy of a published item: the unit edits it, the editors approve it into the item."""
        self.ensure_one()
        self._check_proposer()
        self._check_state(("published",))
        draft = self.sudo().copy({"origin_id": self.id, "state": "draft", "version": 0, "use_count": 0,
                                  "date_published": False, "published_by_id": False, "last_review_date": False,
                                  "name": self.name})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": draft.id, "view_mode": "form",
                "views": [(False, "form")]}

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        default = default or {}
        for item, vals in zip(self, vals_list, strict=False):
            if "name" not in default:
                vals["name"] = self.env._("%s (copy)", item.name)
        return vals_list

    def action_mark_reviewed(self):
        """The owner confirmed the item is still right: the next review is one interval later."""
        self._check_proposer()
        self._check_state(("published",))
        self.sudo().write({"last_review_date": fields.Date.context_today(self)})
        self.sudo().activity_feedback(["hotline_knowledge.mail_activity_knowledge_review"])
        return True

    def _owner_users(self):
        """Who is asked to act for the owner unit: its internal knowledge managers, else the approving editor."""
        self.ensure_one()
        users = self.unit_id.sudo().knowledge_manager_ids.filtered(lambda u: not u.share and u.active)
        return users or self.published_by_id or self.env.ref(EDITOR_GROUP).sudo().all_user_ids[:1]

    @api.model
    def _cron_review_reminders(self):
        """Ask the owner unit to review items whose review falls due within REVIEW_LEAD_DAYS."""
        today = fields.Date.context_today(self)
        items = self.sudo().search([("state", "=", "published"), ("review_due_date", "!=", False),
                                    ("review_due_date", "<=", today + timedelta(days=REVIEW_LEAD_DAYS))])
        review_type = self.env.ref("hotline_knowledge.mail_activity_knowledge_review")
        pending = set(self.env["mail.activity"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", items.ids),
            ("activity_type_id", "=", review_type.id)]).mapped("res_id"))
        for item in items.filtered(lambda i: i.id not in pending):
            for user in item._owner_users()[:1]:
                item.activity_schedule(
                    activity_type_id=review_type.id, user_id=user.id, date_deadline=item.review_due_date,
                    summary=self.env._("Review the knowledge item before %(date)s", date=item.review_due_date))
        return True

    def action_flag(self, reason, note=None, case_id=None):
        """An agent reports the item wrong, outdated or unclear: a feedback task for the owner unit."""
        self.ensure_one()
        if not self.env.user.has_group(AGENT_GROUP) and not self._is_editor():
            raise AccessError(self.env._("Only the center's staff flag knowledge items."))
        self.check_access("read")
        reasons = dict(self.env["hotline.knowledge.feedback"]._fields["reason"]._description_selection(self.env))
        if not isinstance(reason, str) or reason not in reasons:
            raise UserError(self.env._("Choose why the item is flagged: wrong, outdated or unclear."))
        case = self.env["hotline.case"].browse(tokens.as_id(case_id) or [])
        if case:
            case.check_access("read")
        feedback = self.env["hotline.knowledge.feedback"].sudo().create({
            "item_id": self.id, "reason": reason, "case_id": case.id or False, "user_id": self.env.uid,
            "note": note.strip() if isinstance(note, str) and note.strip() else False,
        })
        item = self.sudo()
        for user in item._owner_users()[:1]:
            item.activity_schedule(
                "hotline_knowledge.mail_activity_knowledge_feedback", user_id=user.id,
                summary=self.env._("Flagged %(reason)s", reason=reasons[reason]),
                note=self.env._("%(note)s (case %(case)s)", note=feedback.note or "", case=case.sudo().name or "-"))
        return feedback.id

    # ------------------------------------------------------------------ search
    @api.model
    def _caller_case_categories(self, partner_id, count=5):
        """The categories of the caller's last cases, as the agent may read them (none for a unit user)."""
        Case = self.env["hotline.case"]
        if not Case.has_access("read") or not self.env.user.has_group(AGENT_GROUP):
            return self.env["hotline.category"]
        cases = Case.search([("partner_id", "=", partner_id), ("category_id", "!=", False)],
                            order="date_received desc, id desc", limit=count)
        return cases.category_id

    @api.model
    def _ranked_candidates(self, candidates, ranking, boost_ids, limit):
        """[(id, rank)]: at most CANDIDATES matching items the user may read and valid today, ranked by ts_rank.

        Ranking every match of a word found in a fifth of the items costs more than the goal: the candidates are
        the first CANDIDATES found (those of the case's categories first, through their own index), then
        ranked; below CANDIDATES matches (any word of three characters or more) the ranking is exact.
        """
        selects = []
        for restrict in ([boost_ids] if boost_ids else []) + [None]:
            query_obj = self._current_items_query()
            table = query_obj.table
            query_obj.add_where(SQL("%s @@ %s::tsquery", SQL.identifier(table, "search_vector"), candidates))
            if restrict:
                query_obj.add_where(SQL("%s = ANY(%s)", SQL.identifier(table, "category_id"), restrict))
            query_obj.limit = CANDIDATES
            selects.append(SQL("(%s)", query_obj.select(
                SQL.identifier(table, "id"), SQL.identifier(table, "search_vector"),
                SQL.identifier(table, "category_id"))))
        return self.env.execute_query(SQL("""
            SELECT id, ts_rank(search_vector, %(ranking)s::tsquery)
                       * CASE WHEN category_id = ANY(%(boost)s) THEN 2 ELSE 1 END AS rank
              FROM (%(union)s) AS candidates
             GROUP BY id, search_vector, category_id
             ORDER BY rank DESC, id DESC
             LIMIT %(limit)s
        """, ranking=ranking, boost=boost_ids or [0], union=SQL(" UNION ALL ").join(selects), limit=limit))

    @api.model
    def _current_items_query(self):
        """What the user may read and is valid today (a published item within its dates), with the rules."""
        return self._search([("is_current", "=", True)])

    @api.model
    def search_knowledge(self, query, limit=8, match_all=True, case_category_id=None, log=False, partner_id=None):
        """Items for what the agent typed, best first: [{id, name, answer, category, unit, date_end, rank}].

        match_all: every word typed must be found (the search box); otherwise the description suggests (see
        tokens.suggest_tsqueries). Items of a knowledge category mapped to the case category rank first; before a
        category is chosen, the categories of the caller's (partner_id) last cases stand for it (screen pop).
        """
        limit = min(tokens.as_id(limit, 8), 50)
        if match_all:
            candidates = ranking = tokens.query_tsquery(query or "")
        else:
            candidates, ranking = tokens.suggest_tsqueries(query or "")
        case_categories = self.env["hotline.category"].browse(tokens.as_id(case_category_id) or []).exists()
        if not case_categories and tokens.as_id(partner_id):
            case_categories = self._caller_case_categories(tokens.as_id(partner_id))
        boost_ids = []
        if case_categories:
            boost_ids = self.env["hotline.knowledge.category"].sudo().search(
                [("case_category_ids", "parent_of", case_categories.ids)]).ids
        if candidates:
            rows = self._ranked_candidates(candidates, ranking, boost_ids, limit)
        elif boost_ids:
            # nothing typed yet: the category alone suggests its most used items
            query_obj = self._current_items_query()
            table = query_obj.table
            query_obj.add_where(SQL("%s = ANY(%s)", SQL.identifier(table, "category_id"), boost_ids))
            query_obj.order = SQL("%s DESC, %s DESC", SQL.identifier(table, "use_count"), SQL.identifier(table, "id"))
            query_obj.limit = limit
            rows = self.env.execute_query(query_obj.select(
                SQL.identifier(table, "id"), SQL("%s::float", SQL.identifier(table, "use_count"))))
        else:
            return []
        items = self.browse([row[0] for row in rows])
        if log and (query or "").strip():
            self.env["hotline.knowledge.search.log"].sudo().create({
                "query": query.strip()[:200], "result_count": len(rows), "user_id": self.env.uid})
        ranks = dict(rows)
        return [{
            "id": item.id, "name": item.name, "answer": item.answer or "",
            "category": item.category_id.sudo().complete_name, "unit": item.unit_id.sudo().name,
            "date_end": fields.Date.to_string(item.date_end) if item.date_end else False,
            "rank": round(ranks[item.id], 4),
        } for item in items]
