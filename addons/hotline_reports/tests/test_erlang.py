import math

from odoo.tests import BaseCase, tagged

from ..kpi import erlang


def erlang_c_by_sums(agents, traffic):
    """The textbook formula with explicit powers and factorials (second, independent method)."""
    top = traffic ** agents / math.factorial(agents) * agents / (agents - traffic)
    bottom = sum(traffic ** k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


@tagged("post_install", "-at_install")
class TestErlangC(BaseCase):

    def test_published_example(self):
        # The standard worked example (e.g. callcentrehelper.com's Erlang C formula article):
        # 100 calls per 30 minutes, AHT 180 s, target 80 % in 20 s -> traffic 10 Erlangs,
        # 14 agents, P(wait) 17.4 %, service level 88.8 %, ASA 7.8 s; 13 agents give 79.6 %.
        traffic = 100 * 180 / 1800
        self.assertEqual(traffic, 10)
        self.assertAlmostEqual(erlang.erlang_c(14, traffic), 0.1741, places=4)
        self.assertAlmostEqual(erlang.service_level(14, traffic, 180, 20), 0.888, places=3)
        self.assertAlmostEqual(erlang.average_speed_of_answer(14, traffic, 180), 7.8, places=1)
        self.assertLess(erlang.service_level(13, traffic, 180, 20), 0.80)
        self.assertEqual(erlang.agents_needed(100, 1800, 180, 20, 0.80), 14)

    def test_recurrence_equals_the_formula(self):
        for agents, traffic in ((1, 0.5), (3, 2.2), (14, 10), (25, 19.7), (60, 51.3), (120, 108.0)):
            with self.subTest(agents=agents, traffic=traffic):
                self.assertAlmostEqual(erlang.erlang_c(agents, traffic), erlang_c_by_sums(agents, traffic),
                                       places=10)

    def test_edges(self):
        self.assertEqual(erlang.agents_needed(0, 1800, 180, 20, 0.8), 0)
        self.assertEqual(erlang.erlang_c(5, 5), 1.0)
        self.assertEqual(erlang.service_level(5, 6, 180, 20), 0.0)
        # one more agent never lowers the service level
        levels = [erlang.service_level(n, 30, 240, 15) for n in range(31, 45)]
        self.assertEqual(levels, sorted(levels))
