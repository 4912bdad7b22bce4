from odoo import http
from odoo.addons.hotline_portal.controllers.portal import MAX_ID, HotlinePortal
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import html2plaintext, plaintext2html

KNOWLEDGE_URL = "/my/hotline/knowledge"
FLASH_KEY = "hotline_knowledge_flash"
# what a unit fills in on the portal; the rest (state, version, dates of publication) is the workflow's
FORM_FIELDS = ("name", "category_id", "answer", "content", "keywords", "material_type", "issuer", "doc_number",
               "date_start", "date_end")
MAX_TEXT = 20000


class HotlineKnowledgePortal(HotlinePortal):
    """A unit's knowledge managers on the portal: their unit's items, proposals and changes, reviews.

    Every step is the model's method or write as the portal user (record rules: drafts of the units the user
    manages the knowledge of); this controller only reads the form, checks the item is the user's, reports errors.
    """

    def _knowledge_units(self):
        return request.env.user.sudo().hotline_knowledge_unit_ids

    def _knowledge_layout(self, **values):
        values = self._prepare_portal_layout_values() | values
        if not values.get("flash"):
            values["flash"] = request.session.pop(FLASH_KEY, None)
        return values

    def _knowledge_denied(self):
        return request.render("hotline_knowledge_portal.portal_knowledge_denied", self._knowledge_layout(
            page_name="hotline_knowledge",
            message=request.env._("This knowledge item does not exist or you are not allowed to see it.")),
            status=403)

    def _knowledge_get_item(self, item_id):
        """The item, if it belongs to a unit whose knowledge the user manages (no sudo before this check)."""
        Item = request.env["hotline.knowledge.item"]
        if not 0 < item_id <= MAX_ID:
            raise MissingError(request.env._("This knowledge item does not exist."))
        item = Item.search([("id", "=", item_id), ("unit_id", "in", self._knowledge_units().ids)])
        if not item:
            raise AccessError(request.env._("This knowledge item does not exist or you are not allowed to see it."))
        return item

    def _knowledge_form_values(self, post):
        values = {}
        for name in FORM_FIELDS:
            if name not in post:
                continue
            value = self._hotline_text(post.get(name)).strip()[:MAX_TEXT]
            if name == "category_id":
                value = self._hotline_id(value) or False
            elif name in ("date_start", "date_end"):
                value = self._hotline_parse_date(value) or False
            elif name == "content":
                value = plaintext2html(value) if value else False
            values[name] = value or False
        return values

    def _knowledge_render_item(self, item, typed=None, flash=None, status=200):
        Item = request.env["hotline.knowledge.item"]
        return request.render("hotline_knowledge_portal.portal_knowledge_item", self._knowledge_layout(
            page_name="hotline_knowledge_item", item=item, typed=typed or {}, flash=flash,
            content_text=html2plaintext(item.content) if item and item.content else "",
            units=self._knowledge_units(), categories=request.env["hotline.knowledge.category"].search([]),
            material_types=Item._fields["material_type"]._description_selection(request.env),
            state_labels=dict(Item._fields["state"]._description_selection(request.env)),
        ), status=status)

    @http.route(KNOWLEDGE_URL, type="http", auth="user", website=True, readonly=True)
    def portal_knowledge_items(self, **kw):
        units = self._knowledge_units()
        if not units:
            return self._knowledge_denied()
        Item = request.env["hotline.knowledge.item"]
        items = Item.search([("unit_id", "in", units.ids)], order="state, write_date desc", limit=200)
        return request.render("hotline_knowledge_portal.portal_knowledge_items", self._knowledge_layout(
            page_name="hotline_knowledge", items=items, units=units,
            state_labels=dict(Item._fields["state"]._description_selection(request.env)),
        ))

    @http.route(f"{KNOWLEDGE_URL}/new", type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_knowledge_new(self, unit_id=None, submit=None, **post):
        units = self._knowledge_units()
        if not units:
            return self._knowledge_denied()
        if request.httprequest.method == "GET":
            return self._knowledge_render_item(request.env["hotline.knowledge.item"])
        values = self._knowledge_form_values(post)
        unit = units.filtered(lambda u: u.id == self._hotline_id(unit_id)) or units[:1]
        try:
            with request.env.cr.savepoint():
                item = request.env["hotline.knowledge.item"].create(values | {"unit_id": unit.id})
                if submit:
                    item.action_submit()
        except (UserError, AccessError, ValidationError) as error:
            return self._knowledge_render_item(request.env["hotline.knowledge.item"], typed=values,
                                     flash={"kind": "danger", "message": error.args[0]}, status=422)
        request.session[FLASH_KEY] = {"kind": "success", "message": request.env._(
            "Your proposal has been sent to the center.") if submit else request.env._("The draft is saved.")}
        return request.redirect(f"{KNOWLEDGE_URL}/{item.id}")

    @http.route(f"{KNOWLEDGE_URL}/<int:item_id>", type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_knowledge_item(self, item_id, **post):
        try:
            item = self._knowledge_get_item(item_id)
        except (AccessError, MissingError):
            return self._knowledge_denied()
        if request.httprequest.method == "GET":
            return self._knowledge_render_item(item)
        action = post.pop("action", "save")
        values = self._knowledge_form_values(post)
        steps = {
            "save": (lambda: item.write(values), request.env._("The draft is saved.")),
            "submit": (lambda: (item.write(values), item.action_submit()),
                       request.env._("Your proposal has been sent to the center.")),
            "propose": (lambda: item.action_propose_change(), request.env._("A draft of your change is open below.")),
            "reviewed": (lambda: item.action_mark_reviewed(), request.env._("The item is confirmed as still valid.")),
        }
        if action not in steps:
            flash = {"kind": "danger", "message": request.env._("Unknown action.")}
            return self._knowledge_render_item(item, flash=flash, status=422)
        step, message = steps[action]
        try:
            with request.env.cr.savepoint():
                result = step()
        except (UserError, AccessError, ValidationError) as error:
            return self._knowledge_render_item(item, typed=values, flash={"kind": "danger", "message": error.args[0]},
                                     status=422)
        request.session[FLASH_KEY] = {"kind": "success", "message": message}
        target = result.get("res_id") if isinstance(result, dict) else item.id
        return request.redirect(f"{KNOWLEDGE_URL}/{target}")

