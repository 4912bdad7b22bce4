import base64
import secrets
import socket
from urllib.parse import urlsplit

from odoo.addons.hotline_case.tests.common import RpcDenied, sample_file
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import KEY_REVIEW, Open311Common
from .test_georeport import FORMATS


def webp():
    """A 1x1 lossless WebP (Odoo's Pillow registers no WebP writer)."""
    return base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


@tagged("post_install", "-at_install")
class TestOpen311Media(Open311Common):
    """POST requests takes a photo as the multipart `media` file (typed by its content, within a case's file
    limit); GET requests publishes, as media_url, only the photo the center publishes, under an unguessable URL
    that serves that photo and nothing else."""

    def _values(self, **params):
        return {"api_key": KEY_REVIEW, "service_code": "T_ROAD", "lat": "39.915", "long": "116.404",
                "address_string": "和平路3号", "description": "路面塌陷。", **params}

    def _send(self, media, fmt="json", headers=None, **params):
        """A real multipart POST; `media` is (file name, bytes, declared type)."""
        return self.url_open(f"/open311/v2/requests.{fmt}", data=self._values(**params), files={"media": media},
                             headers=headers)

    def _published(self, number, fmt="json"):
        return self._data(self._get(f"v2/requests/{number}", fmt), fmt)[0]["media_url"]

    def _fetch(self, url):
        return self.url_open(urlsplit(url).path)

    def _cases(self):
        return self.env["hotline.case"].search([("open311_client_id", "=", self.client_review.id)])

    def _photos(self, case):
        return self.env["ir.attachment"].search([("res_model", "=", "hotline.case"), ("res_id", "=", case.id)])

    def assertNotServed(self, url):
        response = self._fetch(url)
        self.assertErrors(response, 404, "xml")
        self.assertNotIn(b"JFIF", response.content)

    def test_photo_filed_and_published(self):
        raw = sample_file("jpg")
        # the declared name and type are not trusted: the content says JPEG
        row = self._data(self._send(("IMG_0001.png", raw, "text/plain")))[0]
        case = self._case(row["service_request_id"])
        photo = case.open311_media_id
        self.assertEqual((photo.raw, photo.mimetype), (raw, "image/jpeg"))
        self.assertEqual(photo.name, f"{case.name}-open311.jpg")
        self.assertEqual(self._photos(case), photo)
        urls = {self._published(case.name, fmt) for fmt in FORMATS}
        self.assertEqual(len(urls), 1)
        url = urls.pop()
        self.assertTrue(urlsplit(url).path.endswith(case.open311_media_token))
        self.assertGreaterEqual(len(case.open311_media_token), 32)
        # in the list answer too
        rows = self._data(self._get("v2/requests", service_request_id=case.name))
        self.assertEqual(rows[0]["media_url"], url)
        response = self._fetch(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, raw)
        self.assertEqual(response.headers["Content-Type"], "image/jpeg")
        self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        self.assertIn("public", response.headers["Cache-Control"])
        self.assertIn("sandbox", response.headers["Content-Security-Policy"])

    def test_png_and_webp(self):
        for name, raw, mimetype in (("a.png", sample_file("png"), "image/png"), ("b.webp", webp(), "image/webp")):
            row = self._data(self._send((name, raw, "application/octet-stream"), description=name))[0]
            case = self._case(row["service_request_id"])
            self.assertEqual(case.open311_media_id.mimetype, mimetype)
            response = self._fetch(self._published(case.name))
            self.assertEqual((response.content, response.headers["Content-Type"]), (raw, mimetype))

    def test_bad_media_refused(self):
        limit = self.env["hotline.case"]._result_file_limits()["max_file_bytes"]
        jpeg = sample_file("jpg")
        bad = {
            "text named .jpg": ("photo.jpg", b"not a photo at all\n" * 10, "image/jpeg"),
            "empty": ("photo.jpg", b"", "image/jpeg"),
            "oversize": ("photo.jpg", jpeg + b"\0" * (limit + 1 - len(jpeg)), "image/jpeg"),
            "svg": ("photo.svg", sample_file("svg"), "image/svg+xml"),
            "html": ("photo.jpg", sample_file("html"), "image/jpeg"),
            "pdf": ("photo.pdf", sample_file("pdf"), "application/pdf"),
        }
        for label, media in bad.items():
            for fmt in FORMATS:
                with self.subTest(label, fmt=fmt):
                    self.assertErrors(self._send(media, fmt, description=f"{label} {fmt}"), 400, fmt, "media")
        # `media` as a plain form field, not a file
        for fmt in FORMATS:
            response = self.url_open(f"/open311/v2/requests.{fmt}", data=self._values(media="/etc/passwd"))
            self.assertErrors(response, 400, fmt, "media")
        self.assertFalse(self._cases())
        # just within the limit is taken
        self._data(self._send(("big.jpg", jpeg + b"\0" * (limit - len(jpeg)), "image/jpeg")))
        self.assertEqual(len(self._cases()), 1)

    def test_retried_post_with_photo_files_once(self):
        media = ("photo.jpg", sample_file("jpg"), "image/jpeg")
        first = self._data(self._send(media))[0]
        self.assertEqual(self._data(self._send(media))[0], first)
        case = self._case(first["service_request_id"])
        self.assertEqual(len(self._cases()), 1)
        self.assertEqual(len(self._photos(case)), 1)
        # under an Idempotency-Key: once; the same key with another photo is another request, refused
        headers = {"Idempotency-Key": "photo-1"}
        keyed = self._data(self._send(media, headers=headers, description="井盖缺失。"))[0]
        self.assertEqual(self._data(self._send(media, headers=headers, description="井盖缺失。"))[0], keyed)
        other = ("photo.png", sample_file("png"), "image/png")
        self.assertErrors(self._send(other, headers=headers, description="井盖缺失。"), 422)
        self.assertEqual(len(self._cases()), 2)
        self.assertEqual(len(self._photos(self._case(keyed["service_request_id"]))), 1)
        # the same text with another photo, no key: another report
        self._data(self._send(other))
        self.assertEqual(len(self._cases()), 3)

    def test_media_url_stored_never_fetched_nor_published(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 8518))
        listener.listen(1)
        listener.settimeout(1)
        self.addCleanup(listener.close)
        link = "http://127.0.0.1:8518/photo.jpg"
        row = self._file(media_url=link)
        case = self._case(row["service_request_id"])
        self.assertEqual(case.open311_media_url, link)
        with self.assertRaises(TimeoutError):
            listener.accept()
        for fmt in FORMATS:
            self.assertIsNone(self._published(case.name, fmt))
            self.assertNotIn("8518", self._get(f"v2/requests/{case.name}", fmt).text)

    def test_attacker(self):
        first = self._data(self._send(("a.jpg", sample_file("jpg"), "image/jpeg")))[0]
        case = self._case(first["service_request_id"])
        url = self._published(case.name)
        base = url[:-len(case.open311_media_token)]
        # guessed tokens, the attachment's id, the request's own token, the case number: nothing
        for guess in (secrets.token_urlsafe(24), str(case.open311_media_id.id), first["token"], case.name,
                      case.open311_media_token[:-1], case.open311_media_token.upper(), "%25", "x" * 100):
            with self.subTest(guess=guess):
                self.assertNotServed(base + guess)
        # a unit's photo with its result is not published; the center may publish it, and the old URL dies
        unit_case = self._submitted_case(category_id=self.cat_road.id)
        self.assertFalse(unit_case.open311_media_token)
        self.assertIsNone(self._published(unit_case.name))
        result_photo = self.env["ir.attachment"].create({
            "name": "现场.jpg", "raw": sample_file("jpg"), "res_model": "hotline.case", "res_id": unit_case.id})
        document = self.env["ir.attachment"].create({
            "name": "报告.pdf", "raw": sample_file("pdf"), "res_model": "hotline.case", "res_id": unit_case.id})
        self.assertIsNone(self._published(unit_case.name))
        # only a photo of the case itself: not another case's, not a document
        for attachment in (case.open311_media_id, document):
            with self.subTest(attachment=attachment.name), self.assertRaises(ValidationError):
                unit_case.with_user(self.agent).open311_media_id = attachment
        unit_case.with_user(self.agent).open311_media_id = result_photo
        unit_url = self._published(unit_case.name)
        self.assertEqual(self._fetch(unit_url).content, result_photo.raw)
        self.assertNotEqual(unit_url, url)
        # a file stored under a photo's type by hand is not served as one
        disguised = self.env["ir.attachment"].create({
            "name": "x.jpg", "raw": sample_file("html"), "mimetype": "image/jpeg", "res_model": "hotline.case",
            "res_id": unit_case.id})
        unit_case.with_user(self.agent).open311_media_id = disguised
        self.assertNotServed(self._published(unit_case.name))
        unit_case.with_user(self.agent).open311_media_id = False
        self.assertIsNone(self._published(unit_case.name))
        self.assertNotServed(unit_url)
        # units, portal users and the citizen cannot pick or read what is published
        for user in (self.unit_user_a, self.portal_a):
            with self.subTest(user=user.login), self.assertRaises(RpcDenied):
                self._rpc("json2", user, "hotline.case", "write", [unit_case.id],
                          vals={"open311_media_id": result_photo.id})
            with self.subTest(user=user.login), self.assertRaises(RpcDenied):
                self._rpc("json2", user, "hotline.case", "read", [unit_case.id], fields=["open311_media_token"])
        self.assertFalse(unit_case.open311_media_id)
        # a confidential case publishes none, and its URL stops serving
        self.assertEqual(self._fetch(url).status_code, 200)
        case.confidential = True
        self.assertIsNone(self._published(case.name))
        self.assertNotServed(url)

    def test_confidential_request_publishes_no_photo(self):
        row = self._data(self._send(("a.jpg", sample_file("jpg"), "image/jpeg"),
                                    **{"attribute[confidential]": "true"}))[0]
        case = self._case(row["service_request_id"])
        self.assertTrue(case.open311_media_id)  # kept for the center
        for fmt in FORMATS:
            self.assertIsNone(self._published(case.name, fmt))
        self.assertNotServed(f"/open311/v2/media/{case.open311_media_token}")
