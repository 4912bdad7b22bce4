from odoo import api, models
from odoo.fields import Domain

# Whose followers a unit user may read only where it reads the document itself: followers tell whether a case
# exists and which unit holds it, and callers' followers list is not the unit's business.
GUARDED_MODELS = ("hotline.case", "res.partner")


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    def _hotline_restricted(self):
        user = self.env.user
        return (not self.env.su and user.has_group("hotline_case.group_unit_user")
                and not user.has_group("hotline_case.group_agent"))

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, *, bypass_access=False, **kwargs):
        if not bypass_access and self._hotline_restricted():
            visible = Domain("res_model", "not in", GUARDED_MODELS)
            for model in GUARDED_MODELS:
                # the document's own record rules decide, as for mail.message
                visible |= Domain("res_model", "=", model) & Domain("res_id", "in", self.env[model]._search([]))
            domain = Domain(domain) & visible
        return super()._search(domain, offset, limit, order, bypass_access=bypass_access, **kwargs)

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if not self or not self._hotline_restricted():
            return result
        remaining = self - result[0] if result else self
        forbidden = remaining - remaining.search([("id", "in", remaining.ids)])
        if not forbidden:
            return result
        if result:
            return result[0] + forbidden, result[1]
        return forbidden, lambda: self.env["ir.rule"]._make_access_error(operation, forbidden)
