from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools import tokens

CENTER_GROUP = "hotline_case.group_agent"
CASE_TEXT = SQL("coalesce(description, '') || ' ' || coalesce(resolution_note, '') || ' ' || "
                "coalesce(result_note, '')")
TEXT_FIELDS = {"state", "description", "resolution_note", "result_note"}
BACKFILL_BATCH = 20000
# closed cases ranked per search at most
CANDIDATES = 1000


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    knowledge_item_ids = fields.Many2many(
        "hotline.knowledge.item", "hotline_case_knowledge_item_rel", "case_id", "item_id",
        string="Knowledge Used", readonly=True, copy=False, groups=CENTER_GROUP)
    closed_on_call = fields.Boolean(readonly=True, copy=False, index=True,
                                    help="Answered and closed on the call (处理完毕).")

    def init(self):
        res = super().init()
        self.env.cr.execute(tokens.BIGRAMS_FUNCTION)
        # The answers of closed cases as bigrams (相似案例): not an ORM field, kept by _knowledge_update_vector.
        # The GIN index is built by the install hook after the backfill (faster than growing it row by row).
        self.env.cr.execute(SQL("ALTER TABLE hotline_case ADD COLUMN IF NOT EXISTS knowledge_vector tsvector"))
        return res

    @api.model
    def _knowledge_backfill(self):
        """Closed cases' text into knowledge_vector in id batches (a million cases: minutes, no long lock)."""
        cr = self.env.cr
        cr.execute("SELECT min(id), max(id) FROM hotline_case")
        low, high = cr.fetchone()
        if low is not None:
            for start in range(low, high + 1, BACKFILL_BATCH):
                cr.execute(SQL("""
                    UPDATE hotline_case SET knowledge_vector = to_tsvector('simple', hotline_knowledge_bigrams(%s))
                     WHERE id >= %s AND id < %s AND state = 'closed'
                """, CASE_TEXT, start, start + BACKFILL_BATCH))
        cr.execute("""
            CREATE INDEX IF NOT EXISTS hotline_case_knowledge_vector_idx ON hotline_case
             USING gin (knowledge_vector) WHERE knowledge_vector IS NOT NULL;
            UPDATE hotline_case SET closed_on_call = true
             WHERE id IN (SELECT case_id FROM hotline_case_log WHERE action = 'close_on_call');
        """)

    def _knowledge_update_vector(self):
        if self.ids:
            self.flush_recordset(["state", "description", "resolution_note", "result_note"])
            self.env.cr.execute(SQL("""
                UPDATE hotline_case SET knowledge_vector = CASE WHEN state = 'closed'
                       THEN to_tsvector('simple', hotline_knowledge_bigrams(%s)) END
                 WHERE id = ANY(%s) AND (state = 'closed' OR knowledge_vector IS NOT NULL)
            """, CASE_TEXT, self.ids))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any("closed_on_call" in vals for vals in vals_list):
            raise AccessError(self.env._("Only closing on the call marks a case so."))
        cases = super().create(vals_list)
        cases.filtered(lambda c: c.state == "closed")._knowledge_update_vector()
        return cases

    def write(self, vals):
        if not self.env.su and {"closed_on_call", "knowledge_item_ids"} & set(vals):
            raise AccessError(self.env._("Knowledge is linked to a case only by inserting its answer."))
        res = super().write(vals)
        # one extra statement, updating rows only when a case is closed (or leaves closed): the transitions of
        # open cases and their drafts' text changes write nothing more
        if TEXT_FIELDS & set(vals):
            self._knowledge_update_vector()
        return res

    def action_close_on_call(self):
        res = super().action_close_on_call()
        self.sudo().write({"closed_on_call": True})
        usage = self.env["hotline.knowledge.usage"].sudo()
        for case in self.sudo():
            usage.create([{"item_id": item.id, "case_id": case.id, "user_id": self.env.uid, "kind": "closed"}
                          for item in case.knowledge_item_ids])
        return res

    def action_use_knowledge(self, item_id):
        """One click on a suggestion: the standard answer goes into the reply and the item is linked."""
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group(CENTER_GROUP):
            raise AccessError(self.env._("Only the center's agents answer from the knowledge base."))
        if self.state != "draft":
            raise UserError(self.env._("The answer can only be inserted while the case is being recorded."))
        self.check_access("write")
        item = self.env["hotline.knowledge.item"].browse(tokens.as_id(item_id)).exists()
        # what the agent may read and is valid today, whatever the role (an editor sees drafts too)
        if not item or not item.search_count([("id", "=", item.id), ("is_current", "=", True)]):
            raise UserError(self.env._("This knowledge item is not valid today."))
        answer = (item.answer or "").strip()
        note = (self.resolution_note or "").strip()
        if answer and answer not in note:
            self.resolution_note = f"{note}\n{answer}" if note else answer
        if item not in self.sudo().knowledge_item_ids:
            self.sudo().knowledge_item_ids = [(4, item.id)]
            self.env.cr.execute(SQL("UPDATE hotline_knowledge_item SET use_count = use_count + 1 WHERE id = %s",
                                    item.id))
            item.invalidate_recordset(["use_count"])
        self.env["hotline.knowledge.usage"].sudo().create({
            "item_id": item.id, "case_id": self.id, "user_id": self.env.uid, "kind": "inserted"})
        return {"resolution_note": self.resolution_note}

    @api.model
    def search_similar_cases(self, query, limit=5, exclude_id=None):
        """相似案例: closed cases whose description and answer match, best first."""
        if not self.env.su and not self.env.user.has_group(CENTER_GROUP):
            raise AccessError(self.env._("Only the center's agents search the answers of closed cases."))
        limit = min(tokens.as_id(limit, 5), 20)
        tsquery = tokens.query_tsquery(query or "")
        if not tsquery:
            return []
        exclude = tokens.as_id(exclude_id)
        query_obj = self._search([("state", "=", "closed")] + ([("id", "!=", exclude)] if exclude else []))
        table = query_obj.table
        query_obj.add_where(SQL("%s @@ %s::tsquery", SQL.identifier(table, "knowledge_vector"), tsquery))
        # a common word matches a good part of a million cases: only the first CANDIDATES found are ranked
        # (the ranking is exact below CANDIDATES matches; the agent narrows a common word by typing more)
        query_obj.limit = CANDIDATES
        rows = self.env.execute_query(SQL("""
            SELECT id, ts_rank(knowledge_vector, %(tsquery)s::tsquery) AS rank FROM (%(candidates)s) AS c
             ORDER BY rank DESC, id DESC LIMIT %(limit)s
        """, tsquery=tsquery, limit=limit, candidates=query_obj.select(
            SQL.identifier(table, "id"), SQL.identifier(table, "knowledge_vector"))))
        return [{"id": case.id, "name": case.name, "description": (case.description or "")[:200],
                 "answer": (case.resolution_note or case.result_note or "")[:300],
                 "category": case.category_id.display_name or ""}
                for case in self.browse([row[0] for row in rows])]
