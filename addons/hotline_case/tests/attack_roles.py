from datetime import datetime, timedelta

from odoo.tests import new_test_user

from .common import HotlineAttackCommon


class HotlineRolesAttackCommon(HotlineAttackCommon):
    """HotlineAttackCommon with a plain internal user (no hotline group) and an administrator
    (base.group_system), both with API keys; `attackers` is every role but the administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_user = new_test_user(cls.env, "hc_plain", groups="base.group_user", name="普通用户")
        cls.admin = new_test_user(cls.env, "hc_admin", groups="base.group_system", name="系统管理员")
        for user in (cls.plain_user, cls.admin):
            cls.api_keys[user.id] = cls.env["res.users.apikeys"].with_user(user)._generate(
                "rpc", "attack", datetime.now() + timedelta(days=1))
        cls.attackers = (cls.agent, cls.dispatcher, cls.reviewer, cls.manager, cls.unit_user_a, cls.portal_a,
                         cls.plain_user)
