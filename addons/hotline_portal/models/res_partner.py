from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _get_signup_url_for_action(self, url=None, action=None, view_type=None, menu_id=None, res_id=None,
                                   model=None):
        """The invitation of an account made by the center opens /web/reset_password.

        Self sign-up is off and /web/signup is not published on the internet; the password form of
        /web/reset_password (published) takes the same token and sets the invited account's password.
        """
        invited = self.filtered(
            lambda partner: partner.sudo().signup_type == "signup"
            and partner.with_context(active_test=False).user_ids)
        kwargs = {"url": url, "action": action, "view_type": view_type, "menu_id": menu_id, "res_id": res_id,
                  "model": model}
        res = super(ResPartner, self - invited)._get_signup_url_for_action(**kwargs)
        if invited:
            res.update(super(ResPartner, invited.with_context(signup_force_type_in_url="reset"))
                       ._get_signup_url_for_action(**kwargs))
        return res
