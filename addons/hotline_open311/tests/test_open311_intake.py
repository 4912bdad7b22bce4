from odoo.tests import tagged

from ..tools import gcj02
from .common import KEY_POOL, REQUESTER, Open311Common


@tagged("post_install", "-at_install")
class TestOpen311Intake(Open311Common):
    """What a request becomes: a case of the Open311 channel, waiting for an agent or in the dispatch pool as the
    client is set, with the requester kept for the center and the coordinates in GCJ-02."""

    def test_review_client_case_waits_in_intake(self):
        row = self._file()
        case = self._case(row["service_request_id"])
        self.assertRecordValues(case, [{
            "state": "draft", "channel": "open311", "category_id": self.cat_road.id, "agent_id": False,
            "caller_name": "欧阳小明", "caller_phone": "13912345678", "address": "和平路1号",
            "description": "路面塌陷一米见方，夜间危险。", "open311_client_id": self.client_review.id,
            "open311_email": "oyxm@example.com", "open311_account_id": "wx-openid-8812",
            "open311_device_id": "device-77aa", "open311_token": row["token"], "confidential": False,
            "type_id": False,
        }])
        self.assertFalse(case.log_ids)
        # an agent takes it on as any case being recorded
        case.with_user(self.agent).write({"type_id": self.type_complaint.id})
        case.with_user(self.agent).action_transfer()
        self.assertEqual(case.state, "pool")

    def test_pool_client_complete_case_goes_to_dispatch(self):
        case = self._case(self._file(key=KEY_POOL)["service_request_id"])
        self.assertEqual((case.state, case.type_id), ("pool", self.type_complaint))
        self.assertEqual(case.log_ids.mapped("action"), ["transfer"])

    def test_pool_client_incomplete_case_waits_for_an_agent(self):
        """No description: the dispatchers could not act on it, an agent completes it first."""
        row = self._file(key=KEY_POOL, description="")
        self.assertEqual(self._case(row["service_request_id"]).state, "draft")
        # the notice says so: the review client's notice, not the pool's
        self.assertEqual(row["service_notice"], self._file()["service_notice"])
        self.assertNotEqual(row["service_notice"], self._file(key=KEY_POOL)["service_notice"])

    def test_attributes(self):
        case = self._case(self._file(**{
            "attribute[district]": "T02", "attribute[case_type]": "T_CONSULT", "attribute[confidential]": "true",
        })["service_request_id"])
        self.assertRecordValues(case, [{"district_id": self.district2.id, "type_id": self.type_consult.id,
                                        "confidential": True}])
        # the units see the confidential requester masked, as any confidential caller
        self.assertNotEqual(case.unit_caller_name, "欧阳小明")

    def test_coordinates_stored_gcj02_published_wgs84(self):
        row = self._file(lat="34.7466", long="113.6253")
        case = self._case(row["service_request_id"])
        lng, lat = gcj02.wgs84_to_gcj02(113.6253, 34.7466)
        self.assertAlmostEqual(case.longitude, lng, places=6)
        self.assertAlmostEqual(case.latitude, lat, places=6)
        self.assertGreater(abs(case.longitude - 113.6253), 0.004, "the shift is really applied")
        for fmt in ("json", "xml"):
            published = self._data(self._get(f"v2/requests/{case.name}", fmt), fmt)[0]
            self.assertAlmostEqual(published["lat"], 34.7466, places=6)
            self.assertAlmostEqual(published["long"], 113.6253, places=6)
        # a case located on the center's map (GCJ-02) is published in WGS84
        mapped = self._dispatched_case(category_id=self.cat_road.id, latitude=39.91640428150164,
                                       longitude=116.41024449916938)
        published = self._data(self._get(f"v2/requests/{mapped.name}"))[0]
        self.assertAlmostEqual(published["lat"], 39.915, places=6)
        self.assertAlmostEqual(published["long"], 116.404, places=6)

    def test_client_cannot_set_workflow_or_center_fields(self):
        """Parameters beyond the specification's are ignored: a client cannot close, dispatch or re-channel."""
        row = self._file(state="closed", unit_id=str(self.unit_a.id), channel="phone", agent_id=str(self.agent.id),
                         confidential="1", satisfaction="very_satisfied", name="12319-FAKE")
        case = self._case(row["service_request_id"])
        self.assertRecordValues(case, [{"state": "draft", "unit_id": False, "channel": "open311", "agent_id": False,
                                        "confidential": False, "satisfaction": False}])
        self.assertNotEqual(case.name, "12319-FAKE")

    def test_progress_published(self):
        """The request follows its case: the unit in charge, the deadline, the approved result, closed."""
        case = self._case(self._file(key=KEY_POOL)["service_request_id"])
        case.with_user(self.dispatcher).write({"unit_id": self.unit_a.id})
        case.with_user(self.dispatcher).action_dispatch()
        row = self._data(self._get(f"v2/requests/{case.name}"))[0]
        self.assertEqual((row["status"], row["agency_responsible"], row["status_notes"]), ("open", "自来水公司", None))
        self.assertTrue(row["expected_datetime"])
        case.with_user(self.unit_user_a).action_accept()
        case.with_user(self.unit_user_a).action_submit(note="已修复路面，联系人欧阳小明 13912345678。")
        self.assertIsNone(self._data(self._get(f"v2/requests/{case.name}"))[0]["status_notes"],
                         "a result not yet approved is not published")
        case.with_user(self.reviewer).action_review_approve()
        case.with_user(self.agent).action_callback_done(satisfaction="satisfied", note="满意。")
        row = self._data(self._get(f"v2/requests/{case.name}"))[0]
        self.assertEqual(row["status"], "closed")
        self.assertEqual(row["status_notes"], "已修复路面，联系人*** ***。")
        self.assertNotIn(REQUESTER["phone"], str(row))
