import base64

from odoo.addons.hotline_case.tests.common import sample_file
from odoo.tests import tagged

from ..models.hotline_exchange_event import canonical
from .common import SECRET_NAME, SECRET_PHONE, HotlineExchangeCommon

MEBIBYTE = 1024 * 1024


@tagged("post_install", "-at_install")
class TestCenterGuard(HotlineExchangeCommon):
    """What the unit server sends is held to what the unit's own users may do, and its refusals pull nothing
    the unit was not sent."""

    def setUp(self):
        super().setUp()
        self.set_role("center")
        self.Link = self.env["hotline.exchange.link"]

    def apply(self, *events):
        stats = {"pulled": 0, "refused": 0}
        self.Link._apply_unit_events(list(events), stats)
        self.commit_point()
        return stats

    def unit_event(self, kind, case, payload=None, unit_code="HXW", lang="zh_CN", **kw):
        return self.event(kind, payload or {}, case.id, unit_code=unit_code, actor="HX Water Member", lang=lang,
                          **kw)

    def refusals_text(self):
        return canonical(self.outbox(kind="refusal")._wire())

    # ------------------------------------------------------------------
    # Refusals carry only what the named unit was sent
    # ------------------------------------------------------------------
    def test_forged_sign_for_on_a_case_never_sent(self):
        """A case the unit handled before the exchange ran (never sent to the unit server): the forged step is
        refused with a bare refusal, no number, no caller, no description."""
        self.set_role("single")
        case = self.new_case(confidential=False)
        self.set_role("center")
        self.assertFalse(self.outbox(), "nothing of the case was ever sent")
        event = self.unit_event("accept", case)
        stats = self.apply(event)
        self.assertEqual(stats, {"pulled": 0, "refused": 1})
        self.assertEqual(case.state, "dispatched")
        refusal = self.outbox(kind="refusal")
        self.assertEqual(len(refusal), 1)
        self.assertEqual(refusal.payload, {"event_uid": event["uid"], "reason": "未知工单。"})
        self.assertEqual((refusal.case_ref, refusal.case_id.id), (0, False))
        wire = canonical(self.outbox()._wire())
        for secret in (case.name, SECRET_NAME, SECRET_PHONE, "Pipe burst", "HX Road 1"):
            self.assertNotIn(secret, wire)
        self.assertNotIn(case.name, self.inbox().reason)

    def test_forged_sign_for_on_every_case(self):
        """As it was found: a sign-for per center case id, in the name of a unit that handled many (cases of
        this database were never sent to the unit server): no case crosses, only the test's own case, which
        the unit was sent, comes back with its view."""
        case = self.new_case()
        self.apply(self.unit_event("accept", case))  # signed for: a second sign-for is refused by the workflow
        Case = self.env["hotline.case"].sudo()
        busiest = Case._read_group([("unit_id", "!=", False)], ["unit_id"], ["__count"], order="__count desc",
                                   limit=1)[0][0]
        sent = {case.id}
        for code in {"HXW", busiest.code}:
            self.apply(*[self.event("accept", {}, case_id, sequence=9, unit_code=code)
                         for case_id in Case.search([]).ids])
        refusals = self.outbox(kind="refusal")
        self.assertTrue(refusals.filtered(lambda event: not event.payload.get("snapshot")), "bare refusals sent")
        with_case = refusals.filtered(lambda event: event.payload.get("snapshot"))
        self.assertEqual(set(with_case.mapped("case_ref")), sent)
        self.assertEqual(set(refusals.mapped("case_ref")) - sent, {0})
        self.assertEqual(Case.search_count([("state", "=", "processing"), ("date_accepted", ">=", case.date_accepted)]),
                         1, "no forged sign-for applied")

    def test_forged_steps_for_a_unit_never_dispatched(self):
        """A case of another unit (sent to the unit server for that unit): nothing is answered for the unit
        the event names, and the reason does not tell the case exists."""
        other = self.new_case(confidential=False, unit=self.unit_b)
        sent_before = len(self.outbox())
        events = [self.unit_event(kind, other, payload, unit_code=code) for kind, payload in (
            ("accept", {}), ("return", {"reason": "x"}), ("submit", {"note": "x", "attachments": []}),
            ("request_extension", {"days": 2, "reason": "x"})) for code in ("HXW", "", "NOPE")]
        stats = self.apply(*events)
        self.assertEqual(stats, {"pulled": 0, "refused": len(events)})
        self.assertEqual(other.state, "dispatched")
        self.assertFalse(self.outbox(kind="refusal"), "no answer for a unit the case was not dispatched to")
        self.assertEqual(len(self.outbox()), sent_before)
        self.assertEqual(set(self.inbox().mapped("reason")), {"未知工单。"})

    def test_refusal_for_the_unit_holding_the_case_carries_its_view(self):
        """Positive control: the unit that holds the case is told why, with the case as it stands (as units
        see it: a confidential caller stays out)."""
        case = self.new_case(confidential=True)
        event = self.unit_event("submit", case, {"note": "Done", "attachments": []})
        self.assertEqual(self.apply(event), {"pulled": 0, "refused": 1})
        refusal = self.outbox(kind="refusal")
        self.assertEqual(len(refusal), 1)
        self.assertEqual(refusal.payload["event_uid"], event["uid"])
        self.assertEqual(refusal.payload["snapshot"]["name"], case.name)
        self.assertEqual(refusal.payload["snapshot"]["state"], "dispatched")
        self.assertEqual(refusal.case_ref, case.id)
        self.assertNotIn(SECRET_PHONE, self.refusals_text())

    # ------------------------------------------------------------------
    # The workflow's limits, with its own messages
    # ------------------------------------------------------------------
    def test_extension_beyond_the_workflow_limit(self):
        case = self.new_case()
        self.assertEqual(self.apply(self.unit_event("accept", case)), {"pulled": 1, "refused": 0})
        for days in (3650, 61, 0, "30"):
            with self.subTest(days=days):
                self.apply(self.unit_event("request_extension", case, {"days": days, "reason": "Parts"}))
                self.assertEqual(self.inbox()[-1].reason, "请输入 1 至 60 之间的工作日天数。")
                self.assertEqual(case.extension_state, "none")
        self.assertEqual(self.apply(self.unit_event("request_extension", case, {"days": 60, "reason": "Parts"})),
                         {"pulled": 1, "refused": 0})
        self.assertEqual(case.extension_days, 60)

    def test_result_files_a_result_may_not_have(self):
        case = self.new_case()
        self.apply(self.unit_event("accept", case))
        for name, kind in (("setup.exe", "exe"), ("fix.sh", "sh"), ("report.html", "html"), ("photo.svg", "svg"),
                           ("photo.jpg", "exe")):
            with self.subTest(name=name):
                stats = self.apply(self.unit_event("submit", case, {"note": "Fixed", "attachments": [
                    {"name": name, "mimetype": "image/jpeg", "datas": self.b64(sample_file(kind))}]}))
                self.assertEqual(stats, {"pulled": 0, "refused": 1})
                self.assertIn(f"文件“{name}”不能作为办理结果附件", self.inbox()[-1].reason)
            # nor on a message
            stats = self.apply(self.unit_event("message", case, {"body": "<p>see file</p>", "attachments": [
                {"name": name, "datas": self.b64(sample_file(kind))}]}))
            self.assertEqual(stats, {"pulled": 0, "refused": 1})
        self.assertEqual(case.state, "processing")
        self.assertFalse(self.env["ir.attachment"].search([
            ("res_model", "=", "hotline.case"), ("res_id", "=", case.id),
            ("name", "in", ["setup.exe", "fix.sh", "report.html", "photo.svg", "photo.jpg"])]))
        # positive control: a photo, stored as the type its content is
        stats = self.apply(self.unit_event("submit", case, {"note": "Fixed", "attachments": [
            {"name": "after.jpg", "mimetype": "application/x-msdos-program", "datas": self.b64(sample_file("jpg"))}]}))
        self.assertEqual(stats, {"pulled": 1, "refused": 0})
        self.assertEqual(case.result_attachment_ids.mimetype, "image/jpeg")

    def test_result_count_and_sizes(self):
        case = self.new_case()
        self.apply(self.unit_event("accept", case))
        # 6 MiB each (one string shared: the check reads the sizes before decoding anything)
        six = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(6 * MEBIBYTE - 4)).decode()
        eleven = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(11 * MEBIBYTE - 4)).decode()
        cases = (
            ([{"name": f"p{n}.jpg", "datas": six} for n in range(10)], "附件合计超过 50 MB"),
            ([{"name": f"p{n}.jpg", "datas": self.b64(sample_file("jpg"))} for n in range(11)], "最多上传 10 个附件"),
            ([{"name": "big.jpg", "datas": eleven}], "文件“big.jpg”超过 10 MB"),
            ([{"name": "a.jpg", "datas": "!!notb64"}], "文件不是有效的 base64 编码。"),
            ({"name": "a.jpg"}, "文件格式有误。"),
        )
        for files, message in cases:
            with self.subTest(message=message):
                stats = self.apply(self.unit_event("submit", case, {"note": "Fixed", "attachments": files}))
                self.assertEqual(stats, {"pulled": 0, "refused": 1})
                self.assertIn(message, self.inbox()[-1].reason)
        self.assertEqual(case.state, "processing")
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", "hotline.case"),
                                                           ("res_id", "=", case.id), ("name", "like", ".jpg")]))
        # positive control: ten photos pass
        photos = [{"name": f"p{n}.jpg", "datas": self.b64(sample_file("jpg"))} for n in range(10)]
        self.assertEqual(self.apply(self.unit_event("submit", case, {"note": "Fixed", "attachments": photos})),
                         {"pulled": 1, "refused": 0})

    # ------------------------------------------------------------------
    # The actor's name
    # ------------------------------------------------------------------
    def test_actor_name_kept_a_name(self):
        case = self.new_case()
        actor = "<img src=x onerror=alert(1)>\n\u202e\x07\t" + "甲" * 300
        event = dict(self.unit_event("accept", case), actor=actor)
        self.assertEqual(self.apply(event), {"pulled": 1, "refused": 0})
        line = case.log_ids.filtered(lambda log: log.action == "accept")
        stored = line.exchange_actor
        self.assertTrue(stored.startswith("<img src=x onerror=alert(1)> 甲"), stored)
        self.assertTrue(stored.endswith("甲 (HX Water)"), stored)
        self.assertLessEqual(len(stored), 128)
        for char in ("\n", "\u202e", "\x07", "\t"):
            self.assertNotIn(char, stored)
        # the same on the unit server, for the center's user names in the history it receives
        line = self.env["hotline.case.log"].sudo().create({
            "case_id": case.id, "action": "urge", "exchange_actor": "Li\x00 Lei\u200b\r\n(HX)"})
        self.assertEqual(line.exchange_actor, "Li Lei (HX)")
        # and what goes back to the unit server in the case's history is that same clean name
        self.assertIn(stored, [log["user"] for log in self.outbox(kind="case")[-1].payload["logs"]])

    def test_actor_name_not_taken_from_a_callers_context(self):
        """A unit member's own step cannot be signed with another name through the context (any RPC caller
        sets the context)."""
        case = self.new_case()
        case.with_user(self.portal).with_context(hotline_exchange_actor="The Mayor").action_accept()
        line = case.log_ids.filtered(lambda log: log.action == "accept")
        self.assertEqual((line.user_id, line.exchange_actor), (self.portal, False))
