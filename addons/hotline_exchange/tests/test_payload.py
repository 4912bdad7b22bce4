from odoo.tests import tagged

from ..models.hotline_case import SNAPSHOT_FIELDS
from .common import INTERNAL_FILE, INTERNAL_NOTE, SECRET_NAME, SECRET_PHONE, HotlineExchangeCommon


@tagged("post_install", "-at_install")
class TestExchangePayload(HotlineExchangeCommon):
    """What the center writes to its outbox: what units may read, never the center's own data."""

    def test_single_database_writes_no_outbox(self):
        """Role 'single' (the default): the whole workflow runs as before and nothing is queued."""
        self.set_role("single")
        case = self.new_case()
        case.with_user(self.portal).action_accept()
        case.message_post(body="Please hurry", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.commit_point()
        self.assertEqual(case.state, "processing")
        self.assertFalse(self.outbox())

    def test_confidential_case_payload(self):
        self.set_role("center")
        case = self.new_case(confidential=True)
        case.with_user(self.reviewer).message_post(
            body="Public reply to the unit", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.commit_point()
        kinds = self.outbox().mapped("kind")
        self.assertIn("case", kinds)
        self.assertIn("message", kinds)
        text = self.wire_text()
        for secret in (SECRET_NAME, SECRET_PHONE, SECRET_PHONE[-8:], INTERNAL_NOTE, "transcript.txt",
                       self.b64(INTERNAL_FILE)):
            self.assertNotIn(secret, text)
        self.assertIn("Public reply to the unit", text)
        snapshot = self.outbox(kind="case")[0].payload
        self.assertIs(snapshot["caller_name"], False)
        self.assertIs(snapshot["caller_phone"], False)
        self.assertNotIn("partner_id", snapshot)
        self.assertEqual(snapshot["unit"]["code"], "HXW")
        self.assertEqual([line["action"] for line in snapshot["logs"]], ["self_dispatch"])
        self.assertEqual(snapshot["actions"][0]["action"], "self_dispatch")

    def test_open_caller_is_sent_as_units_read_it(self):
        self.set_role("center")
        self.new_case(confidential=False)
        snapshot = self.outbox(kind="case")[0].payload
        self.assertEqual(snapshot["caller_name"], SECRET_NAME)
        self.assertEqual(snapshot["caller_phone"], SECRET_PHONE)

    def test_snapshot_fields_are_unit_fields(self):
        """No field of the snapshot is restricted to the center (one definition: hotline_case's groups)."""
        fields = self.env["hotline.case"]._fields
        for name in SNAPSHOT_FIELDS:
            self.assertFalse(fields[name].groups, f"{name} is restricted to {fields[name].groups}")

    def test_cases_not_dispatched_stay_home(self):
        """A case recorded, closed on the call or waiting in the pool never crosses."""
        self.set_role("center")
        case = self.new_case(dispatch=False)
        case.with_user(self.agent).action_transfer()
        self.commit_point()
        self.assertFalse(self.outbox(kind="case"))
        self.assertFalse(self.outbox(kind="message"))

    def test_per_case_order_and_notice(self):
        """Each step of a case is one event, numbered in order; the urging's text travels with it."""
        self.set_role("center")
        case = self.new_case()
        case.with_user(self.reviewer).action_urge(note="Hurry up, please")
        self.commit_point()
        events = self.outbox(kind="case")
        self.assertEqual(events.mapped("sequence"), [1, 2])
        self.assertEqual(events[1].payload["actions"], [{"action": "urge", "notice": "Hurry up, please"}])
        self.assertEqual(events[1].payload["urge_count"], 1)

    def test_unit_records_cross_without_members(self):
        self.set_role("center")
        self.unit.write({"phone": "0931-1234567"})
        self.commit_point()
        payload = self.outbox(kind="unit")[-1].payload
        self.assertEqual(payload["code"], "HXW")
        self.assertEqual(payload["phone"], "0931-1234567")
        self.assertNotIn("member_ids", payload)
        self.assertNotIn(self.portal.name, self.wire_text())
