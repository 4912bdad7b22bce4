from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    portal_url = fields.Char(compute="_compute_portal_url", string="Portal URL")
    # the portal search box looks into the number, the address and the description
    address = fields.Char(index="trigram")
    description = fields.Text(index="trigram")

    # the portal lists sort by dispatch date
    _portal_dispatch_order_idx = models.Index("(date_dispatched DESC, id DESC)")

    def _compute_portal_url(self):
        for case in self:
            case.portal_url = f"/my/hotline/cases/{case.id}" if case.id else False

    # ------------------------------------------------------------------
    # Portal helpers
    # ------------------------------------------------------------------
    @api.model
    def _portal_unit_domain(self, units):
        """Cases a unit sees on the portal: dispatched to it now or before (same as the record rule)."""
        return [("handled_unit_ids", "in", units.ids)]

    def _portal_deadline_level(self, deadline):
        """'danger' past the deadline, 'warning' when near it (same threshold as near_deadline), else ''."""
        self.ensure_one()
        if not deadline or self.state not in ("dispatched", "processing"):
            return ""
        now = fields.Datetime.now()
        if deadline < now:
            return "danger"
        if self._is_near(deadline, now, now + timedelta(hours=self._near_deadline_hours())):
            return "warning"
        return ""

    def _portal_can_act(self):
        """The current user belongs to the unit in charge (buttons are shown; the methods check again)."""
        self.ensure_one()
        return self.env.user in self.sudo().unit_id.member_ids

    @api.model
    def _get_allowed_access_params(self):
        # units log in: no share token, hash or partner id ever opens a case (portal.mixin is not used on
        # purpose), so guessed or leaked tokens are worthless on /mail/* routes
        return super()._get_allowed_access_params() - {"hash", "pid", "token"}

    @api.model
    def _get_thread_with_access(self, thread_id, *, hash=None, pid=None, token=None, **kwargs):
        return super()._get_thread_with_access(thread_id, **kwargs)

    @api.model
    def _portal_public_messages(self, messages):
        """The messages of a case its unit reads: not the center's internal notes and logs (one definition, also
        for what hotline_exchange sends to the unit server)."""
        return messages.filtered(lambda m: not m.is_internal and not m.subtype_id.internal)

    def _portal_visible_attachments(self):
        """Files a unit may download: those the record rules of ir.attachment give the user on the case (files of
        the public messages sent while its unit held it, files its members uploaded: hotline_case's rules).

        Attachments of internal notes (e.g. the center's recordings) stay internal, and so do the files of the
        unit that held the case after the user's. Returned with sudo and an access token: portal users have no
        ORM access to ir.attachment, the token is Odoo's portal way. Call only after the read access to the case
        has been checked.
        """
        self.ensure_one()
        # the rules as they apply to the user (none for center staff): one definition for every API
        rules = self.env["ir.rule"]._compute_domain("ir.attachment", "read")
        attachments = self.env["ir.attachment"].sudo().search(Domain([
            ("res_model", "=", self._name), ("res_id", "=", self.id), ("res_field", "=", False),
        ]) & rules, order="id")
        attachments.generate_access_token()
        return attachments

    def _portal_can_post(self):
        """The user's unit holds the case: it may still reply, and the case's result is its own."""
        self.ensure_one()
        return self.env.user.has_group("hotline_case.group_agent") or bool(self._held_by_user())

    def _get_access_action(self, access_uid=None, force_website=False):
        """Links in notification e-mails (/mail/view) open the portal page for unit members without backend."""
        self.ensure_one()
        user = self.env["res.users"].sudo().browse(access_uid) if access_uid else self.env.user
        if user.share or force_website:
            if self.with_user(user).has_access("read"):
                return {
                    "type": "ir.actions.act_url",
                    "url": f"/my/hotline/cases/{self.id}",
                    "target": "self",
                    "res_id": self.id,
                }
        return super()._get_access_action(access_uid=access_uid, force_website=force_website)

    # ------------------------------------------------------------------
    # Notifications to the unit (e-mail + portal chatter)
    # ------------------------------------------------------------------
    def _portal_notify_unit(self, template_xmlid, units=None, note=None):
        """Post the rendered template on the case, addressed to the members of the unit.

        The message uses the public comment subtype so the portal chatter (which shows comments only) lists
        it as the unit's inbox entry; members become followers so later replies of the center reach them.
        `note` (the reason of an urging, say) is available to the template as ctx['hotline_note'].
        """
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template:
            return
        for case in self.sudo():
            unit = (units or {}).get(case.id) or case.unit_id
            partners = unit.member_ids.filtered("active").partner_id
            if not partners:
                continue
            case.message_subscribe(partner_ids=partners.ids)
            lang = partners[:1].lang or self.env.lang
            tmpl = template.with_context(lang=lang, hotline_note=note)
            subject = tmpl._render_field("subject", case.ids)[case.id]
            body = tmpl._render_field("body_html", case.ids)[case.id]
            case.with_context(lang=lang).message_post(
                subject=subject,
                body=body,
                partner_ids=partners.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    # hotline_case tells the unit about dispatches and urgings through _notify_unit:
    # replaced here by the Chinese mail templates, so members get one message, not two.
    _NOTIFY_TEMPLATES = {
        "dispatch": "hotline_portal.mail_template_case_dispatched",
        "self_dispatch": "hotline_portal.mail_template_case_dispatched",
        "urge": "hotline_portal.mail_template_case_urged",
        "auto_urge": "hotline_portal.mail_template_case_urged",
    }

    def _notify_unit(self, kind, message=None, **kwargs):
        template = self._NOTIFY_TEMPLATES.get(kind)
        if not template:
            return super()._notify_unit(kind, message, **kwargs)
        self._portal_notify_unit(template, note=message)
        return True

    def _dispatch(self, action):
        res = super()._dispatch(action)
        # followers: the unit's members receive the center's later messages in their portal inbox
        for case in self.sudo():
            partners = case.unit_id.member_ids.filtered("active").partner_id
            if partners:
                case.message_subscribe(partner_ids=partners.ids)
        return res

    def action_review_approve(self):
        res = super().action_review_approve()
        self._portal_notify_unit("hotline_portal.mail_template_case_approved")
        return res

    def action_review_reject(self, note=None):
        # the unit whose result is rejected, whatever the rejection does to unit_id
        units = {case.id: case.unit_id for case in self}
        res = super().action_review_reject(note=note)
        self._portal_notify_unit("hotline_portal.mail_template_case_rejected", units=units)
        return res


    def _portal_tz(self):
        """Time zone for dates in unit messages: the unit's contact, else the center's."""
        self.ensure_one()
        unit = self.sudo().unit_id
        return unit.partner_id.tz or unit.member_ids[:1].tz or self.env.company._hotline_tz().zone
