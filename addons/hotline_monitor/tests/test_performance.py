"""Query budgets of the wallboard's hot paths, as Odoo's hr_attendance/tests/test_performance.py does:
the snapshot every screen loads, and one AMI batch applied by the bridge and pushed to the boards and
the agents' systrays. Timings are measured in bench/bench_monitor.py, not here.

The snapshot costs the same for a floor four times as large (a query per agent would break it); a
batch costs a few queries per agent whose state changed (its pause, its session, its systray push)
and one push to the boards per batch, whatever its size."""

from odoo.tests import new_test_user, tagged

from .common import QUEUE, MonitorCase, ami

SNAPSHOT_BUDGET = 22  # any floor size (one of them: the legs being recorded, with hotline_recording)
BATCH_BUDGET = {2: 40, 8: 75}  # agents pausing in one batch: queries, every addon installed
EXTRA = 6


@tagged("post_install", "-at_install")
class TestBoardQueries(MonitorCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ctx = {"no_reset_password": True}
        cls.extra = cls.env["res.users"]
        for n in range(EXTRA):
            user = new_test_user(cls.env, f"mon_perf{n}", context=ctx, groups="hotline_case.group_agent",
                                 name=f"受理员{n}")
            user.hotline_interface = f"PJSIP/perf{n}"
            cls.extra |= user

    def member(self, event, t, iface, **headers):
        return ami(event, t, Queue=QUEUE, Interface=iface, MemberName=iface, StateInterface=iface, **headers)

    def sign_in(self, users, t):
        self.ingest([self.member("QueueMemberAdded", t, u.hotline_interface, LoginTime=str(t), Paused="0", Status="1")
                     for u in users])

    def assertBudget(self, budget, func):
        """func() costs at most `budget` queries from a cold record cache (warm metadata caches)."""
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(budget):
            func()

    def snapshot(self):
        live = self.env["hotline.monitor.live"].sudo()
        return live._compute_snapshot(self.board._config(), True)

    def test_snapshot_budget(self):
        floor = self.agent1 | self.agent2
        self.sign_in(floor, self.t0)
        self.snapshot()  # warm: ir.model.access, translations, the reports' settings
        self.assertBudget(SNAPSHOT_BUDGET, self.snapshot)
        self.board.user_ids |= self.extra
        self.sign_in(self.extra, self.t0 + 1)
        self.assertBudget(SNAPSHOT_BUDGET, self.snapshot)
        self.assertEqual(len(self.snapshot()["agents"]), 2 + EXTRA, "the larger floor was measured")

    def test_batch_budget(self):
        floor = self.agent1 | self.agent2
        self.sign_in(floor | self.extra, self.t0)
        self.commit_bus()

        def batch(users, t):
            def run():
                self.ingest([self.member("QueueMemberPause", t, u.hotline_interface, Paused="1", PausedReason="小休")
                             for u in users])
                self.commit_bus()
            return run
        batch(floor, self.t0 + 10)()  # warm
        self.assertBudget(BATCH_BUDGET[2], batch(floor, self.t0 + 20))
        self.assertBudget(BATCH_BUDGET[8], batch(floor | self.extra, self.t0 + 30))
        self.assertEqual({self.tile(u)["state"] for u in floor}, {"paused"}, "the batch was applied")
