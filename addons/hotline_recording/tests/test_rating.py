import json
import time

from odoo.addons.hotline_telephony.ami.facts import from_event
from odoo.addons.hotline_telephony.ami.ingest import Ingestor
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import T0, RecordingCase


@tagged("post_install", "-at_install")
class TestRating(RecordingCase):
    """一次一评 as the dialplan reports it: offered, then the key (or none); keys mapped per site."""

    def rate(self, uid, key, offered=True):
        events = []
        if offered:
            events.append({"Event": "UserEvent", "Timestamp": f"{T0 + 20:.6f}", "UserEvent": "HotlineRatingOffered",
                           "Uniqueid": uid})
        if key is not None:
            events.append({"Event": "UserEvent", "Timestamp": f"{T0 + 25:.6f}", "UserEvent": "HotlineRating",
                           "Uniqueid": uid, "Key": key, "Status": "OK" if key else "TIMEOUT"})
        self.ingest(events)

    def test_keys_no_key_other_key_and_hang_up(self):
        cases = {"1": ("rated", "satisfied"), "2": ("rated", "basic"), "3": ("rated", "unsatisfied"),
                 "": ("no_key", False), "9": ("invalid", False)}
        for n, (key, expected) in enumerate(cases.items()):
            uid = f"1795601000.{n}"
            call = self.answered_call(uid, f"1795601000.{n + 50}", "PJSIP/agent1", 4, t=T0 + n)
            self.rate(uid, key)
            self.assertEqual((call.rating_state, call.rating), expected, key)
            self.assertEqual(call.rating_key, key or False)
        call = self.answered_call("1795601000.99", "1795601000.98", "PJSIP/agent1", 4, t=T0 + 10)
        self.rate("1795601000.99", None)  # hung up during the prompt
        self.assertEqual((call.rating_state, call.rating), ("offered", False))
        # the same events again (replay) change nothing
        self.rate("1795601000.0", "1")
        self.assertEqual(self.env["hotline.call"].search_count([("pbx_id", "=", self.pbx.id),
                                                               ("rating", "=", "satisfied")]), 1)

    def test_a_live_rating_is_pushed_to_the_agents_systray(self):
        """The bridge's push after a live rating carries it; a push of another state change does not look it
        up again (the systray keeps what it has: a query per agent per batch would be wasted)."""
        t = int(time.time()) - 60
        uid = f"{t}.1"
        self.answered_call(uid, f"{t}.2", "PJSIP/agent1", 4, t=t)
        self.env["bus.bus"].search([]).unlink()
        fact = from_event({"Event": "UserEvent", "Timestamp": f"{t + 8}.0", "UserEvent": "HotlineRating",
                           "Uniqueid": uid, "Key": "3", "Status": "OK"}, time.time())
        fact["live"] = True
        Ingestor(self.env, self.pbx).apply([fact])
        self.env.cr.precommit.run()
        pushes = [json.loads(m.message)["payload"] for m in self.env["bus.bus"].search([], order="id")
                  if "hotline_telephony/agent_state" in m.message]
        self.assertEqual([p.get("last_rating", {}).get("rating") for p in pushes], ["unsatisfied"])

    def test_site_keys(self):
        self.pbx.write({"rating_key_satisfied": "9", "rating_key_basic": "8", "rating_key_unsatisfied": "7"})
        call = self.answered_call("1795602000.1", "1795602000.2", "PJSIP/agent1", 4)
        self.rate("1795602000.1", "1")
        self.assertEqual(call.rating_state, "invalid")
        call2 = self.answered_call("1795602000.3", "1795602000.4", "PJSIP/agent1", 4)
        self.rate("1795602000.3", "7")
        self.assertEqual(call2.rating, "unsatisfied")
        for keys in (("1", "1", "3"), ("1", "x", "3"), ("1", "", "3")):
            with self.subTest(keys=keys), self.assertRaises(ValidationError):
                self.pbx.write(dict(zip(("rating_key_satisfied", "rating_key_basic", "rating_key_unsatisfied"),
                                        keys, strict=True)))

    def test_a_rating_of_an_unknown_call_is_skipped(self):
        self.rate("1795603000.1", "1")
        self.assertFalse(self.env["hotline.call"].search([("uniqueid", "=", "1795603000.1")]))

    def test_the_agents_systray_shows_the_last_callers_rating(self):
        """What the caller pressed about the agent's latest rated call reaches that agent's systray state (the
        call's rating fields), never another user's."""
        t = int(time.time()) - 120
        for n, key in enumerate(("3", "1", "")):  # unsatisfied, then satisfied, then no key (not a rating)
            uid = f"{t}.{n}"
            self.answered_call(uid, f"{t}.{n + 10}", "PJSIP/agent1", 4, t=t + 10 * n)
            self.ingest([{"Event": "UserEvent", "Timestamp": f"{t + 10 * n + 8}.0", "UserEvent": "HotlineRating",
                          "Uniqueid": uid, "Key": key, "Status": "OK"}])
        mine = self.agent1.with_user(self.agent1).with_context(lang="zh_CN").hotline_agent_state(live=False)
        self.assertEqual(mine["last_rating"], {"rating": "satisfied", "label": "满意", "time": (t + 18) * 1000})
        for user in (self.agent2, self.unit_user, self.portal):
            self.assertFalse(self.env["res.users"].with_user(user).hotline_agent_state(live=False)["last_rating"],
                             user.login)
