from datetime import datetime, timedelta

from odoo.addons.hotline_case.tests.attack_roles import HotlineRolesAttackCommon
from odoo.addons.hotline_case.tests.common import HotlineCaseCommon
from odoo.tests import new_test_user


def utc(text):
    """Naive UTC datetime from an Asia/Shanghai wall-clock time (UTC+8, no DST)."""
    return datetime.fromisoformat(text) - timedelta(hours=8)


class QualitySetup:
    """Inspectors, a second agent, a scorecard with known weights and calls to inspect, on top of the case
    tests' users (agent, dispatcher, reviewer = 班长, manager, unit users, portal user).

    Scorecard (points): 开头语含工号 10, 知识库答复 30 (N/A allowed), 工单录入准确 60; 服务禁语 −5 each;
    致命项 与市民争吵. Bands 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, 不合格 (failing) below.
    """

    @classmethod
    def _setup_quality(cls):
        env = cls.env
        env.company.resource_calendar_id.tz = "Asia/Shanghai"  # the center's time zone: months are local
        cls.agent2 = new_test_user(env, "qa_agent2", groups="hotline_case.group_agent", name="受理员乙")
        cls.inspector = new_test_user(env, "qa_inspector", groups="hotline_quality.group_inspector", name="质检员甲")
        cls.inspector2 = new_test_user(env, "qa_inspector2", groups="hotline_quality.group_inspector",
                                       name="质检员乙")
        # the shipped plans and the demo queue stay out of the tests
        env["hotline.quality.plan"].search([]).active = False
        Card = env["hotline.quality.scorecard"]
        cls.card = Card.create({"name": "测试评分表", "scale": "points"})
        group = env["hotline.quality.scorecard.group"].create({"scorecard_id": cls.card.id, "name": "服务规范"})
        Item = env["hotline.quality.scorecard.item"]
        cls.i_open = Item.create({"scorecard_id": cls.card.id, "group_id": group.id, "name": "开头语含工号",
                                  "weight": 10, "sequence": 1})
        cls.i_kb = Item.create({"scorecard_id": cls.card.id, "name": "知识库答复", "weight": 30, "allow_na": True,
                                "sequence": 2})
        cls.i_entry = Item.create({"scorecard_id": cls.card.id, "name": "工单录入准确", "weight": 60, "sequence": 3})
        cls.i_taboo = Item.create({"scorecard_id": cls.card.id, "name": "服务禁语", "kind": "deduction",
                                   "deduction_points": 5, "sequence": 4})
        cls.i_fatal = Item.create({"scorecard_id": cls.card.id, "name": "与市民争吵", "kind": "fatal",
                                   "sequence": 5})
        env["hotline.quality.band"].create([
            {"scorecard_id": cls.card.id, "name": "优秀", "min_score": 90},
            {"scorecard_id": cls.card.id, "name": "良好", "min_score": 80},
            {"scorecard_id": cls.card.id, "name": "合格", "min_score": 60},
            {"scorecard_id": cls.card.id, "name": "不合格", "min_score": 0, "passing": False},
        ])
        cls._n = 0

    @classmethod
    def _call(cls, agent, local, talk=120, case=None, outcome="answered"):
        """A call answered by `agent` at the Shanghai time `local`, talking `talk` seconds."""
        cls._n += 1
        enter = utc(local)
        answer = enter + timedelta(seconds=10)
        return cls.env["hotline.call"].sudo().create({
            "uniqueid": f"qa-{cls._n}-{local}", "direction": "inbound", "queue": "qa-test", "enter_time": enter,
            "answer_time": answer, "end_time": answer + timedelta(seconds=talk), "talk_seconds": talk,
            "wait_seconds": 10, "outcome": outcome, "user_id": agent.id,
            "case_ids": [(6, 0, case.ids)] if case else [],
        })

    @classmethod
    def _review(cls, call, inspector=None, **marks):
        """A draft review of `call` by `inspector` (default: inspector) with the marks given by item name:
        open=, kb=, entry= (rating or "na"), taboo= (occurrences), fatal= (bool)."""
        inspector = inspector or cls.inspector
        review = cls.env["hotline.quality.review"].with_user(inspector).create(
            {"call_id": call.id, "scorecard_id": cls.card.id, "inspector_id": inspector.id})
        cls._mark(review, inspector, **marks)
        return review

    @classmethod
    def _mark(cls, review, inspector, **marks):
        items = {"open": cls.i_open, "kb": cls.i_kb, "entry": cls.i_entry, "taboo": cls.i_taboo,
                 "fatal": cls.i_fatal}
        for key, value in marks.items():
            line = review.line_ids.filtered(lambda ln, item=items[key]: ln.item_id == item).with_user(inspector)
            if key == "taboo":
                line.occurrences = value
            elif key == "fatal":
                line.fatal_found = value
            elif value == "na":
                line.na = True
            else:
                line.value = value


class QualityCase(QualitySetup, HotlineCaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quality()


class QualityAttackCase(QualitySetup, HotlineRolesAttackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quality()
        expiry = datetime.now() + timedelta(days=1)
        for user in (cls.agent2, cls.inspector, cls.inspector2):
            cls.api_keys[user.id] = cls.env["res.users.apikeys"].with_user(user)._generate("rpc", "attack", expiry)
