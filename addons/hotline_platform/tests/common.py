
from odoo import Command
from odoo.addons.hotline_case.tests.common import HotlineCaseCommon

from .standin import StandInPlatform

SECRET = "共享密钥-test-3f9a"
# the stand-in platforms listen on ports of this addon's own range
REST_PORT = 8356


class PlatformCommon(HotlineCaseCommon):
    """A REST counterpart talking to a stand-in 12345 platform, with its code tables."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.platform = StandInPlatform(SECRET, cls.env.company._hotline_tz(), port=cls._standin_port()).start()
        cls.addClassCleanup(cls.platform.stop)
        cls.counterpart = cls.env["hotline.platform.counterpart"].create({
            "name": "市12345平台", "code": "city", "transport": "rest", "endpoint": cls.platform.url,
            "secret": SECRET, "poll": True, "max_attempts": 5,
        })
        cls.code_table = cls.env["hotline.platform.code.table"].create({
            "counterpart_id": cls.counterpart.id, "version": "2026.1", "date_start": "2026-01-01",
            "line_ids": [Command.create(values) for values in (
                {"kind": "category", "code": "0301", "name": "供水-停水", "category_id": cls.cat_no_water.id},
                {"kind": "category", "code": "0405", "name": "道路破损", "category_id": cls.cat_road.id},
                {"kind": "unit", "code": "DW01", "name": "自来水公司", "unit_id": cls.unit_a.id},
                {"kind": "satisfaction", "code": "1", "name": "满意", "satisfaction": "satisfied"},
                {"kind": "satisfaction", "code": "3", "name": "不满意", "satisfaction": "dissatisfied"},
                {"kind": "result", "code": "1", "name": "已解决", "result": "resolved"},
                {"kind": "result", "code": "2", "name": "部分解决", "result": "partly_resolved"},
                {"kind": "result", "code": "3", "name": "未解决", "result": "unresolved"},
                {"kind": "result", "code": "4", "name": "不办理", "result": "not_handled"},
                {"kind": "dispute_reason", "code": "YY01", "name": "非本单位职责", "dispute_reason": "not_competent"},
                {"kind": "dispute_reason", "code": "YY03", "name": "重复派单", "dispute_reason": "duplicate"},
            )],
        })
        cls.type_complaint.code = "T_COMPLAINT"

    @classmethod
    def _standin_port(cls):
        return REST_PORT

    def setUp(self):
        super().setUp()
        # each test starts with an empty platform
        platform = self.platform
        with platform.lock:
            platform.received.clear()
            platform.received_at.clear()
            platform.duplicates.clear()
            platform.outbox.clear()
            platform.confirmed.clear()
            platform.orders.clear()
            platform.sequences.clear()
            platform.refuse_kinds.clear()
            platform.calls.clear()
            platform.down = platform.lose_answers = False
        self.platform.day = self.env.company._hotline_local_day().isoformat()

    # -- helpers --------------------------------------------------------------------
    def run_exchange(self, counterpart=None):
        (counterpart or self.counterpart)._run()

    def reconcile_today(self):
        """The reconciliation of the platform's working day, the center's today."""
        return self.env["hotline.platform.reconciliation"]._reconcile(self.counterpart,
                                                                      self.env.company._hotline_local_day())

    def case_of(self, ref, counterpart=None):
        return self.env["hotline.case"].search([
            ("platform_counterpart_id", "=", (counterpart or self.counterpart).id), ("platform_ref", "=", ref)])

    def events(self, ref, direction=None, counterpart=None):
        domain = [("counterpart_id", "=", (counterpart or self.counterpart).id), ("platform_ref", "=", ref)]
        if direction:
            domain.append(("direction", "=", direction))
        return self.env["hotline.platform.event"].search(domain, order="direction, sequence")

    def received_case(self, ref="GD20261207001", **payload):
        """A work order dispatched by the platform and fetched: the case, in the pool."""
        self.platform.dispatch(ref, **payload)
        self.run_exchange()
        case = self.case_of(ref)
        self.assertEqual(len(case), 1)
        case.with_user(self.dispatcher).write({"type_id": self.type_complaint.id, "district_id": self.district.id,
                                               "unit_id": self.unit_a.id})
        return case

    def handled_case(self, ref="GD20261207001", result="resolved"):
        """A platform work order dispatched, signed for, handled, approved: finished and reported."""
        case = self.received_case(ref)
        case.with_user(self.dispatcher).action_dispatch()
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="已抢修管道，恢复供水。", result=result)
        case.with_user(self.reviewer).action_review_approve()
        self.run_exchange()
        return case
