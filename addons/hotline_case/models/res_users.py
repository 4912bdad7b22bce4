from odoo import api, fields, models

# Where each role starts after login (its own work list rather than Discuss), most privileged first.
HOME_ACTIONS = (
    ("hotline_case.group_manager", "hotline_case.hotline_case_action_all"),
    ("hotline_case.group_reviewer", "hotline_case.hotline_case_action_review"),
    ("hotline_case.group_dispatcher", "hotline_case.hotline_case_action_pool"),
    ("hotline_case.group_agent", "hotline_case.hotline_case_action_my"),
    ("hotline_case.group_unit_user", "hotline_case.hotline_case_action_unit"),
)


class ResUsers(models.Model):
    _inherit = "res.users"

    hotline_unit_ids = fields.Many2many(
        "hotline.unit", "hotline_unit_member_rel", "user_id", "unit_id", string="Hotline Units",
    )

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._hotline_set_home_action()
        return users

    def write(self, vals):
        res = super().write(vals)
        if "hotline_unit_ids" in vals:
            # record rules use user.hotline_unit_ids and are cached per user
            self.env.registry.clear_cache()
        if "group_ids" in vals:
            self._hotline_set_home_action()
        return res

    def _hotline_home_action(self):
        """The work list of the user's highest hotline role, or nothing for users outside the hotline."""
        self.ensure_one()
        for group, action in HOME_ACTIONS:
            if self.has_group(group):
                return self.env.ref(action, raise_if_not_found=False)
        return None

    def _hotline_set_home_action(self):
        """Give internal users the home action of their role, unless someone chose another one for them."""
        ours = {
            action.id for action in (self.env.ref(xmlid, raise_if_not_found=False) for _group, xmlid in HOME_ACTIONS)
            if action
        }
        for user in self.sudo().filtered(lambda u: not u.share):
            if user.action_id and user.action_id.id not in ours:
                continue
            action = user._hotline_home_action()
            if action and user.action_id != action:
                user.action_id = action.id

    @api.model
    def _hotline_init_home_actions(self):
        """At install: the users already in a hotline role (the administrator) start on their work list."""
        self.sudo().search([("share", "=", False)])._hotline_set_home_action()
