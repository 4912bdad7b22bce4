from odoo.tests import BaseCase, tagged

from ..tools import gcj02
from ..tools.masking import mask


@tagged("post_install", "-at_install")
class TestGcj02(BaseCase):
    """The datum conversion against known answers of the public reference formula."""

    def test_forward_known_answer(self):
        # Tian'anmen area: the reference implementations (e.g. coordtransform) give these GCJ-02 values
        lng, lat = gcj02.wgs84_to_gcj02(116.404, 39.915)
        self.assertAlmostEqual(lng, 116.41024449916938, places=12)
        self.assertAlmostEqual(lat, 39.91640428150164, places=12)

    def test_inverse_is_exact(self):
        """The inverse lands on the WGS84 point the forward transform started from, to 1e-8 degree (1 mm),
        where the one-step inverse of most libraries is ~1 m off."""
        for wgs in ((116.404, 39.915), (113.6253, 34.7466), (121.4737, 31.2304), (87.6168, 43.8256),
                    (110.3312, 20.0311)):
            back = gcj02.gcj02_to_wgs84(*gcj02.wgs84_to_gcj02(*wgs))
            self.assertAlmostEqual(back[0], wgs[0], places=8)
            self.assertAlmostEqual(back[1], wgs[1], places=8)
        # the one-step inverse of the reference libraries for (116.404, 39.915) GCJ-02, and ours
        one_step = (116.39775550083061, 39.91359571849836)
        exact = gcj02.gcj02_to_wgs84(116.404, 39.915)
        self.assertAlmostEqual(exact[0], one_step[0], places=5)
        self.assertAlmostEqual(exact[1], one_step[1], places=5)
        self.assertNotAlmostEqual(exact[1], one_step[1], places=7)

    def test_outside_china_unchanged(self):
        for point in ((2.3522, 48.8566), (-74.006, 40.7128), (139.6917, 35.6895), (0.0, 0.0)):
            self.assertEqual(gcj02.wgs84_to_gcj02(*point), point)
            self.assertEqual(gcj02.gcj02_to_wgs84(*point), point)

    def test_offset_size(self):
        """GCJ-02 moves points by a few hundred metres, never kilometres, inside China."""
        for point in ((116.404, 39.915), (126.6424, 45.7567), (102.7122, 25.0406)):
            lng, lat = gcj02.wgs84_to_gcj02(*point)
            self.assertLess(abs(lng - point[0]) + abs(lat - point[1]), 0.02)
            self.assertGreater(abs(lng - point[0]) + abs(lat - point[1]), 0.0005)


@tagged("post_install", "-at_install")
class TestMasking(BaseCase):

    def test_personal_data_masked(self):
        text = ("欧阳小明反映：手机138 1234 5678、座机0371-66001234、+86 13912345678、身份证41010519900101123X、"
                "邮箱oyxm@example.com。2026-12-07起幸福路12号3单元停水。")
        masked = mask(text, ["欧阳小明"])
        for secret in ("欧阳小明", "138 1234 5678", "66001234", "13912345678", "41010519900101123X",
                       "oyxm@example.com"):
            self.assertNotIn(secret, masked)
        # dates and house numbers stay: the text still says what and where
        self.assertIn("2026-12-07起幸福路12号3单元停水", masked)
        self.assertEqual(mask("", ["x"]), "")
        self.assertIsNone(mask(None))
        # a one-character name would erase every occurrence of a common character: not masked by name
        self.assertEqual(mask("王府井路面破损", ["王"]), "王府井路面破损")
