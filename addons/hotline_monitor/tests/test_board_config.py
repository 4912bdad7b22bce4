from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import MonitorCase


@tagged("post_install", "-at_install")
class TestBoardConfig(HttpCase, MonitorCase):
    """A board's settings are checked where they are kept; a new board has its URL at once; a dead URL says
    so in the room's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["hotline_monitor"], ["zh_CN"], overwrite=True)

    def test_board_made_from_the_form_has_its_url(self):
        form = Form(self.env["hotline.wallboard"].with_user(self.manager))
        form.name = "大厅二号屏"
        board = form.save()
        self.assertGreaterEqual(len(board.access_token or ""), 40)
        self.assertTrue(board.url.endswith(f"/hotline_monitor/board/{board.access_token}"))
        self.assertEqual(board.lang, "zh_CN")

    def test_thresholds_are_checked(self):
        board = self.board.with_user(self.manager).with_context(lang="zh_CN")
        bad = [
            ({"alarm_waiting": -1}, "不能为负数"),
            ({"alarm_wait_seconds": -60}, "不能为负数"),
            ({"alarm_service_level": 500}, "0 至 100"),
            ({"alarm_service_level": -5}, "0 至 100"),
            ({"call_amber_seconds": 600, "call_red_seconds": 300}, "红色的时间须长于黄色"),
            ({"pause_amber_seconds": 600, "pause_red_seconds": 600}, "红色的时间须长于黄色"),
            ({"surge_factor": -2}, "1 至 100"),
            ({"surge_min_calls": -1}, "不能为负数"),
            ({"wrapup_seconds": 7200}, "3600"),
        ]
        for values, message in bad:
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message):
                with self.env.cr.savepoint():
                    board.write(values)
        with self.assertRaisesRegex(ValidationError, "红色的时间须长于黄色"), self.env.cr.savepoint():
            board.threshold_ids.write({"amber_seconds": 300, "red_seconds": 100})
        with self.assertRaisesRegex(ValidationError, "不能为负数"), self.env.cr.savepoint():
            board.threshold_ids.write({"amber_seconds": -1})
        # positive control: sensible settings save, 0 leaves a colour or an alarm out
        board.write({"alarm_service_level": 85, "call_amber_seconds": 0, "call_red_seconds": 900,
                     "surge_factor": 2, "wrapup_seconds": 30})
        self.assertEqual((board.alarm_service_level, board.call_red_seconds), (85, 900))

    def test_board_page_title_is_its_name(self):
        page = self.url_open(f"/hotline_monitor/board/{self.board.access_token}")
        self.assertIn("<title>测试大屏</title>", page.text)
        self.assertNotIn("<title>Odoo</title>", page.text)

    def test_dead_url_page_speaks_chinese(self):
        token = self.board.access_token
        self.board.action_revoke_token()
        for url in (f"/hotline_monitor/board/{token}", "/hotline_monitor/board/not-a-board-at-all-0000000000000000"):
            page = self.url_open(url)
            self.assertEqual(page.status_code, 404)
            self.assertIn("此大屏网址已失效，请向管理员索取新网址。", page.text)
            self.assertIn("<title>大屏网址已失效</title>", page.text)
            self.assertNotIn("Not Found", page.text)
            self.assertNotIn("测试大屏", page.text)
