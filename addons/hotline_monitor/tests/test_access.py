import json
import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import QUEUE, MonitorCase


@tagged("post_install", "-at_install")
class TestBoardAccess(HttpCase, MonitorCase):
    """Who may open a board, by token (wall screens) and logged in (supervisors); what leaks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ctx = {"no_reset_password": True}
        cls.unit_user = new_test_user(cls.env, "mon_unit", context=ctx, groups="hotline_case.group_unit_user",
                                      name="单位用户")
        cls.portal_user = new_test_user(cls.env, "mon_portal", context=ctx, groups="base.group_portal",
                                        name="门户用户")
        cls.dispatcher = new_test_user(cls.env, "mon_dispatcher", context=ctx,
                                       groups="hotline_case.group_dispatcher", name="分理员")
        # an abandoned caller of today: the board lists them, logged out only masked
        cls.env["hotline.call"].create({
            "uniqueid": "acc-1", "pbx_id": cls.pbx.id, "queue": QUEUE, "direction": "inbound",
            "caller_number": "13855556666", "outcome": "abandoned", "wait_seconds": 40,
            "enter_time": cls.env.cr.now().replace(tzinfo=None), "end_time": cls.env.cr.now().replace(tzinfo=None),
        })

    def jsonrpc(self, url, params=None):
        response = self.url_open(url, data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params or {}}),
                                 headers={"Content-Type": "application/json"})
        return response.status_code, response.json()

    # -- token --------------------------------------------------------------------------
    def test_valid_token_shows_the_board_masked(self):
        token = self.board.access_token
        self.assertGreaterEqual(len(token), 40)
        page = self.url_open(f"/hotline_monitor/board/{token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("测试大屏", page.text)
        status, body = self.jsonrpc(f"/hotline_monitor/board/{token}/snapshot")
        self.assertEqual(status, 200)
        result = body["result"]
        self.assertEqual(result["config"]["queues"], [QUEUE])
        self.assertEqual(sorted(a["name"] for a in result["agents"]), ["刘洋", "陈静"])
        self.assertEqual([a["number"] for a in result["queues"][0]["abandoned"]], ["138****6666"])
        self.assertNotIn("13855556666", json.dumps(result))
        # the agent panel of a board agent; another user's panel: nothing
        status, body = self.jsonrpc(f"/hotline_monitor/board/{token}/agent/{self.agent1.id}")
        self.assertEqual(body["result"]["name"], "陈静")
        status, body = self.jsonrpc(f"/hotline_monitor/board/{token}/agent/{self.reviewer.id}")
        self.assertEqual(body["result"], {})
        self.assertEqual(self.url_open(f"/hotline_monitor/board/{token}/avatar/{self.agent1.id}").status_code, 200)
        self.assertEqual(self.url_open(f"/hotline_monitor/board/{token}/avatar/{self.reviewer.id}").status_code, 404)

    def test_wall_url_keeps_the_viewer_logged_in(self):
        """A supervisor checking the wall URL in their own browser sees the wall's masked board and is still
        logged in afterwards."""
        self.authenticate(self.manager.login, self.manager.login)
        page = self.url_open(f"/hotline_monitor/board/{self.board.access_token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("测试大屏", page.text)
        self.assertIn('"masked": true', page.text)
        status, body = self.jsonrpc(f"/hotline_monitor/board/{self.board.access_token}/snapshot")
        self.assertNotIn("13855556666", json.dumps(body["result"]))  # the wall's view, not the supervisor's
        self.assertEqual(self.make_jsonrpc_request("/web/session/get_session_info")["uid"], self.manager.id)
        self.assertNotIn("/web/login", self.url_open("/odoo").url)

    def assert_token_dead(self, token):
        page = self.url_open(f"/hotline_monitor/board/{token}")
        self.assertEqual(page.status_code, 404)
        self.assertNotIn("测试大屏", page.text)
        status, body = self.jsonrpc(f"/hotline_monitor/board/{token}/snapshot")
        self.assertEqual(body["error"]["code"], 404)
        self.assertNotIn("result", body)
        self.assertNotIn("陈静", json.dumps(body))
        self.assertEqual(self.url_open(f"/hotline_monitor/board/{token}/avatar/{self.agent1.id}").status_code, 404)

    def test_rotated_token_is_dead(self):
        old = self.board.access_token
        self.board.with_user(self.manager).action_rotate_token()
        self.assertNotEqual(self.board.access_token, old)
        self.assert_token_dead(old)
        self.assertEqual(self.url_open(f"/hotline_monitor/board/{self.board.access_token}").status_code, 200)

    def test_revoked_token_is_dead(self):
        old = self.board.access_token
        self.board.with_user(self.manager).action_revoke_token()
        self.assertFalse(self.board.access_token)
        self.assert_token_dead(old)
        self.assert_token_dead("False")
        # a new URL brings it back
        self.board.with_user(self.manager).action_rotate_token()
        self.assertEqual(self.url_open(f"/hotline_monitor/board/{self.board.access_token}").status_code, 200)

    def test_guessed_tokens_find_nothing(self):
        token = self.board.access_token
        for guess in (token[:-1] + ("A" if token[-1] != "A" else "B"), token[:20], "x" * 43, "%25", "' OR 1=1 --"):
            self.assert_token_dead(guess)

    def test_only_managers_rotate(self):
        with self.assertRaises(AccessError):
            self.board.with_user(self.reviewer).access_token  # noqa: B018 - reading is the attack
        with self.assertRaises(UserError):
            self.board.with_user(self.reviewer).action_rotate_token()
        with self.assertRaises(UserError):
            self.board.with_user(self.reviewer).action_revoke_token()

    # -- roles --------------------------------------------------------------------------------
    def test_supervisors_open_the_board(self):
        for login in ("mon_reviewer", "mon_manager"):
            self.authenticate(login, login)
            self.assertEqual(self.url_open(f"/hotline_monitor/supervisor/{self.board.id}").status_code, 200)
            status, body = self.jsonrpc(f"/hotline_monitor/supervisor/{self.board.id}/snapshot")
            numbers = [a["number"] for a in body["result"]["queues"][0]["abandoned"]]
            self.assertEqual(numbers, ["13855556666"])  # supervisors may call back

    def test_callback_without_a_phone_is_a_clear_message(self):
        """回拨 from a supervisor's desk needs their own phone: a translated message, never a 500."""
        call = self.env["hotline.call"].search([("uniqueid", "=", "acc-1")])
        self.reviewer.lang = "zh_CN"
        self.authenticate("mon_reviewer", "mon_reviewer")
        status, body = self.jsonrpc(f"/hotline_monitor/supervisor/{self.board.id}/callback/{call.id}")
        self.assertEqual(status, 200)
        self.assertIn("赵班长 未设置话机接口", body["result"]["error"])
        self.assertNotIn("ok", body["result"])

    def test_others_do_not(self):
        """Agents see the floor on the wall screen, not the supervisor's board with callers' numbers."""
        for login in ("mon_agent1", "mon_dispatcher", "mon_unit", "mon_portal"):
            self.authenticate(login, login)
            self.assertEqual(self.url_open(f"/hotline_monitor/supervisor/{self.board.id}").status_code, 404, login)
            status, body = self.jsonrpc(f"/hotline_monitor/supervisor/{self.board.id}/snapshot")
            self.assertEqual(body["error"]["code"], 404, login)
            status, body = self.jsonrpc(f"/hotline_monitor/supervisor/{self.board.id}/callback/1")
            self.assertEqual(body["error"]["code"], 404, login)
            user = self.env["res.users"].search([("login", "=", login)])
            for model in ("hotline.wallboard", "hotline.burst.alert", "hotline.burst.rule"):
                with self.assertRaises(AccessError, msg=f"{login} {model}"):
                    self.env[model].with_user(user).search_read([], ["id"])
        self.authenticate(None, None)
        self.assertEqual(self.url_open(f"/hotline_monitor/supervisor/{self.board.id}", allow_redirects=False)
                         .status_code, 303)

    def test_orm_over_json2_and_xmlrpc(self):
        """The token is a manager-only field through every API."""
        self.authenticate("mon_reviewer", "mon_reviewer")
        status, body = self.jsonrpc("/web/dataset/call_kw/hotline.wallboard/read", {
            "model": "hotline.wallboard", "method": "read", "args": [[self.board.id], ["access_token"]], "kwargs": {}})
        self.assertIn("error", body)
        self.assertNotIn(self.board.access_token, json.dumps(body))
        status, body = self.jsonrpc("/web/dataset/call_kw/hotline.wallboard/read", {
            "model": "hotline.wallboard", "method": "read", "args": [[self.board.id], ["url"]], "kwargs": {}})
        self.assertNotIn(self.board.access_token, json.dumps(body))
        status, body = self.jsonrpc("/web/dataset/call_kw/hotline.wallboard/search_read", {
            "model": "hotline.wallboard", "method": "search_read", "args": [[]], "kwargs": {}})
        self.assertNotIn(self.board.access_token, json.dumps(body))
        proxy = self.xmlrpc_object
        with self.assertRaises(xmlrpc.client.Fault):
            proxy.execute_kw(self.env.cr.dbname, self.reviewer.id, "mon_reviewer", "hotline.wallboard", "read",
                             [[self.board.id], ["access_token"]])
        rows = proxy.execute_kw(self.env.cr.dbname, self.reviewer.id, "mon_reviewer", "hotline.wallboard",
                                "search_read", [[]], {"fields": ["name"]})
        self.assertNotIn(self.board.access_token, json.dumps(rows))
        # /json/2 with the reviewer's API key
        key = self.env["res.users.apikeys"].with_user(self.reviewer)._generate(
            None, "board", fields.Datetime.now() + timedelta(days=1))
        response = self.url_open("/json/2/hotline.wallboard/read", json={"ids": [self.board.id],
                                                                          "fields": ["access_token"]},
                                 headers={"Authorization": f"bearer {key}"})
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(self.board.access_token, response.text)
        response = self.url_open("/json/2/hotline.wallboard/search_read", json={"domain": []},
                                 headers={"Authorization": f"bearer {key}"})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(self.board.access_token, response.text)
        # an agent's key reads no board at all
        agent_key = self.env["res.users.apikeys"].with_user(self.agent1)._generate(
            None, "board", fields.Datetime.now() + timedelta(days=1))
        response = self.url_open("/json/2/hotline.wallboard/search_read", json={"domain": []},
                                 headers={"Authorization": f"bearer {agent_key}"})
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("测试大屏", response.text)
