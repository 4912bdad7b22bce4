from datetime import datetime

from odoo.tests import tagged

from ..tools import transports
from .common import SECRET, PlatformCommon
from .standin import MiddbPlatform

SOAP_PORT = 8357
# the intermediate database of the tests, on the machine's MariaDB (dropped after the tests)
MIDDB_NAME = "ht_platform_mid"


@tagged("post_install", "-at_install")
class TestPlatformSoap(PlatformCommon):
    """The same exchange over SOAP: zeep reads the stand-in's WSDL and calls its four operations."""

    @classmethod
    def _standin_port(cls):
        return SOAP_PORT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.counterpart.write({"transport": "soap", "endpoint": cls.platform.wsdl_url})

    def test_soap_round_trip(self):
        case = self.received_case("SOAP-1")
        self.assertEqual((case.channel, case.platform_deadline), ("platform", datetime(2026, 12, 14, 10, 0)))
        case.with_user(self.dispatcher).action_dispatch()
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="已修复")
        case.with_user(self.reviewer).platform_result = "not_handled"
        case.with_user(self.reviewer).action_review_approve()
        self.run_exchange()
        self.assertEqual(self.platform.kinds_received("SOAP-1"), ["receive", "accept", "finish"])
        self.assertEqual(self.platform.received["SOAP-1:3"]["payload"]["result"], "4")
        self.assertEqual(self.platform.calls["push"], 1)  # the three in one call, in order
        self.assertIn("SOAP-1:1", self.platform.confirmed)
        recon = self.reconcile_today()
        self.assertEqual((recon.local_total, recon.remote_total, recon.unexplained_count), (1, 1, 0))

    def test_soap_platform_down_and_wrong_key(self):
        case = self.received_case("SOAP-2")
        self.platform.down = True
        self.counterpart._run()
        self.assertEqual(self.counterpart.failures, 1)
        self.assertIn("WSDL", self.counterpart.last_error)
        self.platform.down = False
        # an answer signed with another key is no answer: the events stay to send
        self.platform.secret = "another key"
        try:
            with self.assertRaises(transports.TransportError):
                self.counterpart._transport().push([])
        finally:
            self.platform.secret = SECRET
        self.env["hotline.platform.event"].search([("state", "=", "pending")]).write({"next_attempt": False})
        self.counterpart._run()
        self.assertEqual(self.platform.kinds_received("SOAP-2"), ["receive"])
        self.assertTrue(case)


@tagged("post_install", "-at_install")
class TestPlatformMiddb(PlatformCommon):
    """The intermediate database (中间库) on the machine's MariaDB: tables with status columns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.middb = MiddbPlatform(MIDDB_NAME, cls.env.company._hotline_tz())
        cls.middb.create_database()  # no MariaDB: the tests fail here, they are not skipped
        cls.addClassCleanup(cls.middb.drop_database)
        cls.counterpart.write({"transport": "middb", "db_host": "127.0.0.1", "db_port": 3306,
                               "db_name": MIDDB_NAME, "db_user": "root", "db_password": ""})
        cls.counterpart.action_prepare_middb()

    def setUp(self):
        super().setUp()
        for table in ("hotline_in", "hotline_out", "hotline_order"):
            conn = self.middb._conn()
            with conn.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            conn.close()
        self.middb.day = self.env.company._hotline_local_day().isoformat()
        self.middb.sequences.clear()

    def test_middb_round_trip_exactly_once(self):
        self.middb.emit("MID-1", "dispatch", {"content": "燃气管道有异味", "category": "0301", "address": "建设路8号",
                                              "deadline": "2026-12-10T18:00:00+08:00"})
        self.middb.emit("MID-1", "urge", {"note": "催办"})
        self.counterpart._run()
        case = self.case_of("MID-1")
        self.assertEqual((case.state, case.urge_count), ("pool", 1))
        self.assertEqual(self.middb.count("hotline_in", "status = 1"), 2)  # taken by the center
        # the platform writes the same row again after a crash of its writer: a new key is needed, the same
        # key is refused by the table; the center's inbox ignores a repeated key anyway
        self.middb.emit("MID-1", "urge", {"note": "催办"}, seq=3)
        self.env["hotline.platform.event"]._receive(self.counterpart, [
            {"platform_ref": "MID-1", "seq": 3, "kind": "urge", "payload": {"note": "催办"}}])
        self.counterpart._run()
        self.assertEqual(case.urge_count, 2)

        case.with_user(self.dispatcher).write({"type_id": self.type_complaint.id, "district_id": self.district.id,
                                               "unit_id": self.unit_a.id})
        case.with_user(self.dispatcher).action_dispatch()
        self.counterpart._run()
        self.assertEqual(self.middb.count("hotline_out"), 2)  # receive, accept
        # an event sent again (its acknowledgement lost) is one row still
        accept = self.events("MID-1", "out").filtered(lambda e: e.kind == "accept")
        accept.write({"state": "pending"})
        self.counterpart._run()
        self.assertEqual(self.middb.count("hotline_out"), 2)
        self.assertEqual(len(self.middb.take()), 2)
        self.assertEqual([r["kind"] for r in self.middb.received.values()], ["receive", "accept"])
        recon = self.reconcile_today()
        self.assertEqual((recon.local_total, recon.remote_total, recon.unexplained_count), (1, 1, 0))

    def test_middb_unreachable_then_back(self):
        self.middb.emit("MID-2", "dispatch", {"content": "路面塌陷", "category": "0405",
                                              "deadline": "2026-12-10T18:00:00+08:00"})
        self.counterpart.db_port = 3399  # nothing listens there
        self.counterpart._run()
        self.assertEqual(self.counterpart.failures, 1)
        self.assertFalse(self.case_of("MID-2"))
        self.counterpart.db_port = 3306
        self.counterpart._run()
        self.assertEqual(self.case_of("MID-2").category_id, self.cat_road)
        self.assertEqual(self.counterpart.failures, 0)
