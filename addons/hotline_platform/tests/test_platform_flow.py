from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PlatformCommon


@tagged("post_install", "-at_install")
class TestPlatformFlow(PlatformCommon):
    """A work order from the platform through the center and back, over REST (poll)."""

    def test_full_flow_with_extension_reopen_and_callback(self):
        ref = "GD20261207001"
        case = self.received_case(ref, deadline="2026-12-09T18:00:00+08:00")
        # the platform's number, its deadline (Beijing 18:00 = 10:00 UTC) and the mapped category
        self.assertEqual((case.channel, case.state, case.category_id), ("platform", "pool", self.cat_no_water))
        self.assertEqual(case.platform_deadline, datetime(2026, 12, 9, 10, 0))
        self.assertEqual(self.platform.kinds_received(ref), [])  # 接收 is sent on the next round
        self.run_exchange()
        self.assertEqual(self.platform.kinds_received(ref), ["receive"])
        self.assertIn(f"{ref}:1", self.platform.confirmed)

        # dispatched to the unit: the platform's deadline, not the local rule's (10 working days)
        case.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(case.deadline, datetime(2026, 12, 9, 10, 0))
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_request_extension(days=3, reason="需更换主管道")
        # the platform rules the extension, not the local reviewer
        with self.assertRaises(UserError):
            case.with_user(self.reviewer).action_approve_extension()
        self.run_exchange()
        self.assertEqual(self.platform.kinds_received(ref), ["receive", "accept", "extension_request"])
        self.assertEqual(self.platform.received[f"{ref}:3"]["payload"], {"days": 3, "reason": "需更换主管道"})

        self.platform.emit(ref, "extension_ruling", {"approved": True, "deadline": "2026-12-12T18:00:00+08:00"})
        self.run_exchange()
        self.assertEqual((case.extension_state, case.deadline), ("approved", datetime(2026, 12, 12, 10, 0)))
        self.assertEqual(case.platform_deadline, datetime(2026, 12, 12, 10, 0))

        # 阶段性回复, then the result: the reviewer must choose the 办理结果 first
        case.with_user(self.agent)._platform_send_progress("管材已到，正在施工。")
        case.with_user(self.unit_user_a).action_submit(note="已部分恢复供水。")
        with self.assertRaises(UserError):
            case.with_user(self.reviewer).action_review_approve()
        case.with_user(self.reviewer).platform_result = "partly_resolved"
        case.with_user(self.reviewer).action_review_approve()
        self.run_exchange()
        finish = self.platform.received[f"{ref}:5"]
        self.assertEqual((finish["kind"], finish["payload"]["result"], finish["payload"]["reply"]),
                         ("finish", "2", "已部分恢复供水。"))
        self.assertEqual(self.platform.orders[ref]["status"], "finished")

        # 回访 不满意, 未解决 -> the case closes with the platform's scale mapped; then 重办 with a new deadline
        self.platform.emit(ref, "callback", {"satisfaction": "3", "resolved": False, "note": "水压仍不足"})
        self.run_exchange()
        self.assertEqual((case.state, case.satisfaction, case.platform_resolved), ("closed", "dissatisfied", False))
        self.platform.emit(ref, "reopen", {"deadline": "2026-12-18T18:00:00+08:00", "note": "群众不满意，重办"})
        self.run_exchange()
        self.assertEqual((case.state, case.reopen_count, case.platform_result), ("pool", 1, False))
        case.with_user(self.dispatcher).action_dispatch()
        self.assertEqual(case.deadline, datetime(2026, 12, 18, 10, 0))
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="更换减压阀，水压正常。")
        case.with_user(self.reviewer).platform_result = "resolved"
        case.with_user(self.reviewer).action_review_approve()
        self.run_exchange()
        self.platform.emit(ref, "callback", {"satisfaction": "1", "resolved": True})
        self.run_exchange()
        self.assertEqual((case.state, case.satisfaction, case.platform_resolved), ("closed", "satisfied", True))

        # every exchanged event is on the case, in order, each applied or acknowledged once
        self.assertEqual(self.platform.kinds_received(ref), [
            "receive", "accept", "extension_request", "progress", "finish", "accept", "finish"])
        inbound = self.events(ref, "in")
        self.assertEqual(inbound.mapped("kind"), ["dispatch", "extension_ruling", "callback", "reopen", "callback"])
        self.assertEqual(set(case.platform_event_ids.mapped("state")), {"applied", "sent"})
        self.assertFalse(self.platform.duplicates)

        recon = self.reconcile_today()
        self.assertEqual((recon.local_total, recon.remote_total, recon.unexplained_count), (1, 1, 0))
        self.assertEqual(recon.line_ids.mapped("status"), ["closed"])

    def test_return_request_and_rulings(self):
        refused = self.received_case("GD20261207002")
        approved = self.received_case("GD20261207003")
        for case in refused | approved:
            case.with_user(self.dispatcher)._platform_request_return("不属于城建职责，应由市场监管部门办理")
        with self.assertRaises(UserError):  # one request at a time
            refused.with_user(self.dispatcher)._platform_request_return("再次申请")
        with self.assertRaises(UserError):  # the center does not cancel a platform work order itself
            approved.with_user(self.dispatcher).action_cancel(reason="作废")
        self.run_exchange()
        self.assertEqual(self.platform.kinds_received("GD20261207002"), ["receive", "return_request"])
        self.platform.emit("GD20261207002", "return_ruling", {"approved": False, "note": "属城建职责，请继续办理"})
        self.platform.emit("GD20261207003", "return_ruling", {"approved": True, "note": "同意退单"})
        self.run_exchange()
        self.assertEqual((refused.state, refused.platform_return_state), ("pool", "rejected"))
        self.assertEqual((approved.state, approved.platform_return_state), ("cancelled", "approved"))
        self.assertEqual(refused.log_ids[0].action, "platform_return_refused")
        recon = self.reconcile_today()
        self.assertEqual(recon.unexplained_count, 0)
        self.assertEqual(sorted(recon.line_ids.mapped("status")), ["open", "returned"])

    def test_the_units_result_goes_in_finish_unless_corrected(self):
        """办结 carries the 办理结果 the unit submitted; the reviewer may correct it before approving."""
        kept = self.handled_case("RES-1", result="unresolved")
        self.assertEqual(kept.platform_result, "unresolved")
        corrected = self.received_case("RES-2")
        corrected.with_user(self.dispatcher).action_dispatch()
        corrected.with_user(self.unit_user_a).action_accept()
        corrected.with_user(self.unit_user_a).action_submit(note="已处理", result="resolved")
        corrected.with_user(self.reviewer).platform_result = "partly_resolved"
        corrected.with_user(self.reviewer).action_review_approve()
        self.run_exchange()
        finished = {e["platform_ref"]: e["payload"]["result"] for e in self.platform.received.values()
                    if e["kind"] == "finish"}
        self.assertEqual(finished, {"RES-1": "3", "RES-2": "2"})
        self.assertEqual(corrected.handling_result, "resolved")

    def test_urge_supervise_merge_withdraw(self):
        main = self.received_case("GD20261207010")
        main.with_user(self.dispatcher).action_dispatch()
        duplicate = self.received_case("GD20261207011")
        withdrawn = self.received_case("GD20261207012")
        self.platform.emit("GD20261207010", "urge", {"note": "群众再次来电催促"})
        self.platform.emit("GD20261207010", "supervise", {"note": "市领导批示督办"})
        self.platform.emit("GD20261207011", "merge", {"into": "GD20261207010"})
        self.platform.emit("GD20261207012", "withdraw", {"note": "市民来电撤诉"})
        self.run_exchange()
        self.assertEqual(main.urge_count, 2)
        notes = main.log_ids.filtered(lambda log: log.action == "urge").mapped("note")
        self.assertEqual(len(notes), 2)
        self.assertTrue(any("市领导批示督办" in note and "督办" in note for note in notes))
        self.assertEqual((duplicate.state, duplicate.sudo().merged_into_id), ("cancelled", main))
        self.assertEqual((withdrawn.state, withdrawn.cancel_reason), ("cancelled", "市民来电撤诉"))
        self.assertEqual(main.log_ids.filtered(lambda log: log.action == "merge_in").note, duplicate.name)

    def test_unit_mapping_and_code_table_versions(self):
        """An event coded with an older catalogue is read with it; an unknown code is refused with the reason."""
        self.env["hotline.platform.code.table"].create({
            "counterpart_id": self.counterpart.id, "version": "2027.1", "date_start": "2026-06-01",
            "line_ids": [(0, 0, {"kind": "category", "code": "9001", "category_id": self.cat_road.id}),
                         (0, 0, {"kind": "result", "code": "R1", "result": "resolved"})],
        })
        old = self.platform.dispatch("GD20261207020", unit="DW01")
        old["code_version"] = "2026.1"
        new = self.platform.dispatch("GD20261207021", category="9001")
        self.platform.dispatch("GD20261207022", category="0301")  # not in the version in force
        self.run_exchange()
        self.assertEqual(self.case_of("GD20261207020").unit_id, self.unit_a)
        self.assertEqual(self.case_of("GD20261207021").category_id, self.cat_road)
        self.assertTrue(new)
        dead = self.events("GD20261207022", "in")
        self.assertEqual(dead.state, "dead")
        self.assertIn("0301", dead.last_error)
        self.assertFalse(self.case_of("GD20261207022"))

    def test_manual_counterpart_relay_console(self):
        manual = self.env["hotline.platform.counterpart"].create({
            "name": "区12345分中心", "code": "district", "transport": "manual",
            "code_table_ids": [(0, 0, {"version": "v1", "date_start": "2026-01-01", "line_ids": [
                (0, 0, {"kind": "result", "code": "办结", "result": "resolved"})]})],
        })
        case = self._new_case(unit_id=self.unit_a.id, platform_counterpart_id=manual.id, platform_ref="QX-0001",
                              channel="platform")
        case.with_user(self.agent).action_self_dispatch()
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="已处理")
        case.with_user(self.reviewer).platform_result = "resolved"
        case.with_user(self.reviewer).action_review_approve()
        manual._run()  # nothing to send by itself
        relay = self.events("QX-0001", counterpart=manual)
        self.assertEqual(relay.mapped("kind"), ["accept", "finish"])
        self.assertEqual(set(relay.mapped("state")), {"relay"})
        with self.assertRaises(UserError):
            relay[0].with_user(self.agent).action_mark_relayed()
        relay.with_user(self.dispatcher).action_mark_relayed()
        self.assertEqual(set(relay.mapped("state")), {"relayed"})
        self.assertEqual(relay.relayed_by, self.dispatcher)
        with self.assertRaises(UserError):  # once
            relay[0].with_user(self.dispatcher).action_mark_relayed()

    def test_bad_input_is_refused_clearly(self):
        result = self.env["hotline.platform.event"]._receive(self.counterpart, [
            {"platform_ref": "GD1", "seq": 0, "kind": "dispatch"},
            {"platform_ref": "GD1", "seq": 1, "kind": "explode"},
            {"platform_ref": "", "seq": 1, "kind": "dispatch"},
            {"platform_ref": "GD1", "seq": 1, "kind": "dispatch", "payload": []},
            {"key": "GD2:9", "platform_ref": "GD1", "seq": 1, "kind": "dispatch"},
            "not an object",
        ])
        self.assertEqual(result["acks"], [])
        self.assertEqual(set(result["refused"]), {"#0", "#1", "#2", "#3", "GD2:9", "#5"})
        # a dispatch without its deadline: stored, then a dead letter with the reason; nothing created
        self.platform.emit("GD3", "dispatch", {"content": "路灯不亮"})
        self.run_exchange()
        self.assertEqual(self.events("GD3").state, "dead")
        self.assertFalse(self.case_of("GD3"))

    def test_refusals_read_in_chinese_and_exchange_now_is_a_dispatchers(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotline_platform"], ["zh_CN"], overwrite=True)
        case = self.received_case("ZH-1")
        case.with_user(self.dispatcher).action_dispatch()
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="已处理")
        reviewer = case.with_user(self.reviewer).with_context(lang="zh_CN")
        with self.assertRaisesRegex(UserError, "请先为工单 .* 选择上报平台的办理结果"):
            reviewer.action_review_approve()
        with self.assertRaisesRegex(UserError, "12345平台的工单"):
            case.with_user(self.dispatcher).with_context(lang="zh_CN").action_cancel(reason="重复")
        # an unmapped code: the dead letter says which one, in the exchange's language
        self.platform.dispatch("ZH-2", category="7777")
        self.counterpart.with_context(lang="zh_CN")._run()
        self.assertIn("7777 未对照", self.events("ZH-2").last_error)
        # 立即交换: dispatchers, not agents
        with self.assertRaises(AccessError):
            self.counterpart.with_user(self.agent).action_run_now()
        self.platform.emit("ZH-1", "urge", {"note": "催办"})
        self.counterpart.with_user(self.dispatcher).action_run_now()
        self.assertEqual(case.urge_count, 1)

    def test_local_event_wakes_the_exchange_once_per_transaction(self):
        cron = self.env.ref("hotline_platform.ir_cron_hotline_platform_run")
        Trigger = self.env["ir.cron.trigger"].sudo()
        case = self.received_case("WAKE-1")
        self.env.cr.precommit.data.pop("hotline_platform_wake", None)
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        for note in ("进展一", "进展二", "进展三"):
            case.with_user(self.agent)._platform_send_progress(note)
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1)

    def test_scheduled_actions(self):
        """The every-minute exchange, the morning reconciliation of yesterday and the signature pruning."""
        self.platform.dispatch("CRON-1")
        self.env["hotline.platform.counterpart"]._cron_run()
        self.assertEqual(self.case_of("CRON-1").state, "pool")
        self.env["hotline.platform.reconciliation"]._cron_reconcile()
        recon = self.env["hotline.platform.reconciliation"].search([("counterpart_id", "=", self.counterpart.id)])
        self.assertEqual(len(recon), 1)
        # yesterday at the center, both sides counting the same work orders, nothing unexplained
        yesterday = self.env.company._hotline_local_day() - timedelta(days=1)
        self.assertEqual(recon.date, yesterday)
        self.assertEqual((recon.local_total - recon.remote_total, recon.unexplained_count), (0, 0))
        Signature = self.env["hotline.platform.signature"]
        self.assertTrue(Signature._first_use("old"))
        self.assertFalse(Signature._first_use("old"))
        self.env.cr.execute("UPDATE hotline_platform_signature SET create_date = now() - interval '2 days' "
                            "WHERE signature = 'old'")
        self.env["hotline.platform.counterpart"]._cron_prune_signatures()
        self.assertTrue(Signature._first_use("old"))

    def test_reconciliation_day_follows_the_company_time_zone(self):
        """The reconciliation counts the cases received on the center's day in the company's time zone: a work
        order received at 20:00 UTC on 10 March is on the 11th in Beijing, still on the 10th in Berlin."""
        case = self.received_case("TZ-1")
        self.env.flush_all()
        self.env.cr.execute("UPDATE hotline_case SET date_received = '2026-03-10 20:00:00' WHERE id = %s", [case.id])
        self.env.invalidate_all()
        Reconciliation = self.env["hotline.platform.reconciliation"]
        self.env.company.resource_calendar_id.tz = "Asia/Shanghai"
        self.assertEqual(Reconciliation._reconcile(self.counterpart, date(2026, 3, 10)).local_total, 0)
        self.assertEqual(Reconciliation._reconcile(self.counterpart, date(2026, 3, 11)).local_total, 1)
        self.env.company.resource_calendar_id.tz = "Europe/Berlin"
        self.assertEqual(Reconciliation._reconcile(self.counterpart, date(2026, 3, 10)).local_total, 1)
        self.assertEqual(Reconciliation._reconcile(self.counterpart, date(2026, 3, 11)).local_total, 0)
