from datetime import date, datetime, timedelta

from odoo import Command
from odoo.addons.hotline_case.tests.attack_roles import HotlineRolesAttackCommon
from odoo.addons.hotline_case.tests.common import HotlineCaseCommon
from odoo.tests import new_test_user


class KnowledgeMixin:
    """Knowledge categories and items over HotlineCaseCommon's data: an editor, unit A's knowledge managers
    (the internal unit_user_a and the portal user portal_a), items valid, expired and to come."""

    @classmethod
    def _setup_knowledge(cls):
        env = cls.env
        # independent of the shipped demo items
        env["hotline.knowledge.item"].search([]).write({"active": False})
        cls.editor = new_test_user(env, "hk_editor", groups="hotline_knowledge.group_knowledge_editor",
                                   name="知识编辑甲")
        cls.unit_a.knowledge_manager_ids = [Command.set([cls.unit_user_a.id, cls.portal_a.id])]
        cls.kcat_water = env["hotline.knowledge.category"].create({"name": "供水", "review_months": 6})
        cls.kcat_price = env["hotline.knowledge.category"].create({
            "name": "水价", "parent_id": cls.kcat_water.id,
            "case_category_ids": [Command.set([cls.cat_water.id])]})
        cls.kcat_fund = env["hotline.knowledge.category"].create({"name": "公积金"})
        cls.today = date.today()
        cls.item_price = cls._published_item(
            "居民阶梯水价标准", cls.kcat_price, "阶梯水价,水费",
            "年用水量180立方米以内每立方米3.10元，第二阶梯4.65元。")
        cls.item_fund = cls._published_item(
            "住房公积金提取条件", cls.kcat_fund, "公积金提取,租房提取",
            "租房自住可提取住房公积金，每月不超过1500元。")
        cls.item_transfer = cls._published_item(
            "燃气过户需要哪些材料", cls.kcat_water, "燃气过户",
            "携带不动产权证、身份证和燃气卡到营业厅办理。")
        cls.item_expired = cls._published_item(
            "旧版停水通知规定", cls.kcat_water, "停水通知",
            "计划停水提前24小时通知。", date_end=cls.today - timedelta(days=1))
        cls.item_future = cls._published_item(
            "新版停水补偿办法", cls.kcat_water, "停水补偿",
            "停水超过24小时按日减免水费。", date_start=cls.today + timedelta(days=10))

    @classmethod
    def _published_item(cls, name, category, keywords, answer, unit=None, **vals):
        item = cls.env["hotline.knowledge.item"].with_user(cls.editor).create({
            "name": name, "category_id": category.id, "keywords": keywords, "answer": answer,
            "unit_id": (unit or cls.unit_a).id, **vals})
        item.with_user(cls.editor).action_submit()
        item.with_user(cls.editor).action_approve()
        return item

    def _search_names(self, query, user=None, **kwargs):
        Item = self.env["hotline.knowledge.item"].with_user(user or self.agent)
        return [row["name"] for row in Item.search_knowledge(query, **kwargs)]


class KnowledgeCommon(KnowledgeMixin, HotlineCaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_knowledge()


class KnowledgeAttackCommon(KnowledgeMixin, HotlineRolesAttackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_knowledge()
        cls.api_keys[cls.editor.id] = cls.env["res.users.apikeys"].with_user(cls.editor)._generate(
            "rpc", "attack", datetime.now() + timedelta(days=1))
