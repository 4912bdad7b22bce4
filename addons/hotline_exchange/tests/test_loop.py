import contextlib
import json
import socket
import threading
import time
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models import hotline_exchange_link
from ..models.hotline_exchange_link import AnswerTooLarge, ExchangeTransportError
from .common import HotlineExchangeCommon


def http_answer(body, status="200 OK", length=None):
    body = body if isinstance(body, bytes) else json.dumps(body).encode()
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\n\r\n").encode() + body


class RawServer:
    """A unit server answering each call with `answer(sock, request)`: whatever bytes, as slowly as it likes."""

    def __init__(self, answer):
        self.answer, self.requests = answer, []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                sock, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(sock,), daemon=True).start()

    def _handle(self, sock):
        with sock:
            data = b""
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536) or b"\r\n\r\n"
            head, body = data.split(b"\r\n\r\n", 1)
            length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), b"0"))
            while len(body) < length:
                body += sock.recv(65536)
            request = {"path": head.split(b" ")[1].decode(), "body": json.loads(body or b"{}")}
            self.requests.append(request)
            with contextlib.suppress(OSError):  # the center hung up: what these tests want
                self.answer(sock, request)

    def close(self):
        self.listener.close()


@tagged("post_install", "-at_install")
class TestUntrustedAnswers(HotlineExchangeCommon):
    """Every answer of the unit server is untrusted: a wrong shape, size or pace is refused and counted, the
    round ends cleanly, the link turns amber with the reason."""

    def setUp(self):
        super().setUp()
        self.set_role("center")
        self.Link = self.env["hotline.exchange.link"]
        self.link = self.Link._get_link()
        # last heard of a minute ago: the round asks for the unit server's backlog
        self.link.write({"failures": 0, "last_error": False, "next_attempt": False,
                         "last_success": fields.Datetime.now() - timedelta(minutes=1)})
        self.env["hotline.exchange.event"].sudo().search([("state", "=", "pending")]).write({"state": "sent"})
        self.env["hotline.exchange.inbox"].sudo().search([("dead_letter", "=", True)]).unlink()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("hotline_exchange.unit_api_key", "k")
        params.set_param("hotline_exchange.call_timeout", "1")

    def serve(self, answer):
        server = RawServer(answer)
        self.addCleanup(server.close)
        self.env["ir.config_parameter"].sudo().set_param("hotline_exchange.unit_url", server.url)
        return server

    def refused(self, method, answer, expected, **kwargs):
        self.serve(lambda sock, _request: sock.sendall(answer))
        started = time.monotonic()
        with self.assertRaises(ExchangeTransportError) as caught:
            self.Link._call(method, **kwargs)
        self.assertIn(expected, str(caught.exception))
        return time.monotonic() - started

    def test_malformed_answers_refused(self):
        fetch = {"after": 0, "limit": 100}
        event = {"uid": "a" * 32, "kind": "accept"}
        for answer, expected in [
            (http_answer(b'[{"uid": "x"'), "not JSON"),
            (http_answer(b"[NaN]"), "not JSON"),
            (http_answer(b"\xff\xfe"), "not JSON"),
            (http_answer({"uid": "x"}), "a list of events was expected, not dict"),
            (http_answer(["a", "b"]), "not an event with an id"),
            (http_answer(7), "a list of events was expected, not int"),
            (http_answer([{"kind": "accept"}]), "not an event with an id"),
            (http_answer([dict(event, uid=str(n)) for n in range(300)]), "300 events when at most 100"),
            (http_answer([1, 2], status="500 Internal Server Error"), "answered 500"),
        ]:
            with self.subTest(answer=answer[-40:]):
                self.refused("fetch_events", answer, expected, **fetch)
        sent = [{"uid": "e1"}]
        for answer in (http_answer({"e1": "applied"}), http_answer([{"uid": "e1", "result": "maybe"}]),
                       http_answer([{"uid": "e1", "result": "applied"}] * 2), http_answer(["e1"])):
            with self.subTest(answer=answer[-40:]):
                self.refused("receive", answer, "one result", events=sent)
        self.refused("ack", http_answer("3"), "number of events acknowledged", uids=["e1"])
        self.refused("status", http_answer({"pending": "many"}), "backlog")

    def test_hang_drip_and_flood_bounded(self):
        def hang(sock, _request):
            time.sleep(4)

        def drip_body(sock, _request):
            sock.sendall(http_answer(b"", length=200))
            for _byte in range(200):
                sock.sendall(b" ")
                time.sleep(0.05)

        def drip_headers(sock, _request):
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
                sock.sendall(bytes([byte]))
                time.sleep(0.05)

        for answer in (hang, drip_body, drip_headers):
            with self.subTest(answer=answer.__name__):
                self.serve(answer)
                started = time.monotonic()
                with self.assertRaises(ExchangeTransportError) as caught:
                    self.Link._call("fetch_events", after=0, limit=10)
                self.assertIn("did not answer fetch_events within 1 s", str(caught.exception))
                self.assertLess(time.monotonic() - started, 2.5, "the call's total time is bounded")

        def flood(sock, _request):
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[")
            chunk = b'"' + b"x" * 65536 + b'",'
            while True:
                sock.sendall(chunk)

        with patch.object(hotline_exchange_link, "MAX_ANSWER_BYTES", 1 << 20):
            for answer in (http_answer(b"[]", length=300 << 20), flood):
                with self.subTest(answer=getattr(answer, "__name__", "length")):
                    self.serve(answer if callable(answer) else lambda sock, _r, data=answer: sock.sendall(data))
                    with self.assertRaises(AnswerTooLarge) as caught:
                        self.Link._call("fetch_events", after=0, limit=10)
                    self.assertIn("larger than 1 MiB", str(caught.exception))

    def test_round_counts_the_failure_and_link_turns_amber(self):
        self.assertEqual(self.Link.status()["level"], "green")
        self.serve(lambda sock, _request: sock.sendall(http_answer({"not": "a list"})))
        stats = self.Link._run(commit=False)
        self.assertIn("a list of events was expected", stats["error"])
        status = self.Link.status()
        self.assertEqual((status["level"], status["failures"]), ("amber", 1))
        self.assertIn("a list of events was expected", status["last_error"])
        # the next round, once the answer is right again, clears it
        self.serve(lambda sock, request: sock.sendall(http_answer(
            {"pending": 0} if request["path"].endswith("/status") else [])))
        self.link.next_attempt = False
        self.assertEqual(self.Link._run(commit=False)["error"], "")
        self.assertEqual(self.Link.status()["level"], "green")

    def test_keep_alive_reused_and_a_closed_one_replaced(self):
        """One connection carries the calls of a round; one the server closed meanwhile is replaced."""
        connections = []

        def answer(sock, request):
            connections.append(sock.fileno())
            sock.sendall(http_answer([]))
            if len(connections) == 1:
                # keep the first connection open for a second call
                self.assertEqual(sock.recv(1 << 16)[:4], b"POST")
                sock.sendall(http_answer([]))

        self.serve(answer)
        self.assertEqual(self.Link._call("fetch_events", after=0, limit=1), [])
        self.assertEqual(self.Link._call("fetch_events", after=0, limit=1), [])  # on the same connection
        self.assertEqual(self.Link._call("fetch_events", after=0, limit=1), [])  # that one closed: a new one
        self.assertEqual(len(connections), 2)

    def test_large_answers_fetched_fewer_at_a_time(self):
        asked = []

        def call(_self, method, commit=False, **kwargs):
            asked.append((method, kwargs.get("limit")))
            if method == "fetch_events" and kwargs["limit"] > 25:
                raise AnswerTooLarge("too large")
            return [] if method == "fetch_events" else 0

        with patch.object(type(self.Link), "_call", call):
            self.Link._pull_all({"pulled": 0, "refused": 0}, time.monotonic(), commit=False)
        self.assertEqual(asked, [("fetch_events", 100), ("fetch_events", 50), ("fetch_events", 25)])


@tagged("post_install", "-at_install")
class TestPoisonEvents(HotlineExchangeCommon):
    """An event that is no event is refused on its own, kept as a dead letter with its reason and acknowledged
    exactly as sent; the events behind it apply, nothing applies twice."""

    def setUp(self):
        super().setUp()
        self.set_role("center")
        self.case = self.new_case(confidential=True)
        self.Link = self.env["hotline.exchange.link"]
        self.Link._get_link().write({"failures": 0, "last_error": False, "last_success": fields.Datetime.now()})
        self.env["hotline.exchange.event"].sudo().search([("state", "=", "pending")]).write({"state": "sent"})
        self.env["hotline.exchange.inbox"].sudo().search([("dead_letter", "=", True)]).unlink()

    def unit_event(self, kind="accept", payload=None, **kw):
        return self.event(kind, payload or {}, kw.pop("case_ref", self.case.id), kw.pop("sequence", 1),
                          unit_code="HXW", actor=kw.pop("actor", "HX Water Member"), **kw)

    def apply(self, events):
        stats = {"pulled": 0, "refused": 0}
        uids = self.Link._apply_unit_events(events, stats)
        self.commit_point()
        return uids, stats

    def test_poison_events_dead_lettered_the_rest_applies(self):
        long_id = "f" * 69
        poison = [
            self.unit_event(uid=long_id),
            self.unit_event(case_ref=2 ** 40),
            self.unit_event(sequence=-1),
            self.unit_event(actor="HX\x00Member"),
            self.unit_event("message", {"body": "<p>a\x00b</p>"}),
            self.unit_event(uid="bad\x00id"),
            dict(self.unit_event(), checksum="z" * 5000),
            dict(self.unit_event(), case_ref=True),
        ]
        valid = self.unit_event()
        uids, stats = self.apply([*poison, valid])
        self.assertEqual(stats, {"pulled": 1, "refused": len(poison)})
        self.assertEqual(self.case.state, "processing", "the step behind the poison applied")
        # acknowledged exactly as sent: none comes back cut to the column's size
        self.assertEqual(uids, [event["uid"] for event in [*poison, valid]])
        dead = self.inbox().filtered("dead_letter")
        self.assertEqual(len(dead), len(poison))
        self.assertTrue(all(len(row.uid) <= 64 for row in dead))
        reasons = "\n".join(dead.mapped("reason"))
        for expected in ("The event id is not valid", "case_ref is not a number", "sequence is not a number",
                         "NUL character", "checksum does not match"):
            self.assertIn(expected, reasons)
        self.assertEqual(self.inbox().filtered(lambda row: not row.dead_letter).result, "applied")
        # the link is amber and says why
        status = self.Link.status()
        self.assertEqual((status["level"], status["dead_letters"]), ("amber", len(poison)))
        self.assertTrue(status["dead_letter_reason"])
        # sent again (an acknowledgement lost): nothing new recorded, nothing applied twice
        uids_again, stats = self.apply([*poison, valid])
        self.assertEqual(stats, {"pulled": 0, "refused": 0})
        self.assertEqual(uids_again, uids)
        self.assertEqual(len(self.inbox()), len(poison) + 1)
        self.assertEqual(len(self.case.log_ids.filtered(lambda log: log.action == "accept")), 1)

    def test_poison_refused_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.apply([self.unit_event(uid="x" * 70, lang="zh_CN")])
        self.assertIn("事件编号无效", self.inbox().reason)

    def test_error_applying_one_event_is_its_own(self):
        """A value the database refuses, raised while applying one event: that event is a dead letter, its
        savepoint rolled back; a concurrency error is no fault of the event: the delivery is retried."""
        real = type(self.Link)._apply_unit_event
        first, second = self.unit_event(), self.unit_event(sequence=2)

        def apply(link, event):
            if event["uid"] == first["uid"]:
                link.env["hotline.case"].browse(self.case.id).write({"description": "half-done"})
                link.env.cr.execute("SELECT 2147483648::int4")
            return real(link, event)

        with patch.object(type(self.Link), "_apply_unit_event", apply), \
                mute_logger("odoo.sql_db", "odoo.addons.hotline_exchange.models.hotline_exchange_inbox"):
            _uids, stats = self.apply([first, second])
        self.assertEqual(stats, {"pulled": 1, "refused": 1})
        self.assertNotEqual(self.case.description, "half-done")
        dead = self.inbox().filtered("dead_letter")
        self.assertEqual(dead.uid, first["uid"])
        self.assertIn("could not be applied", dead.reason)
        self.assertIn("out of range", dead.reason)

        def busy(link, event):
            raise psycopg2.errors.SerializationFailure("could not serialize access")

        with patch.object(type(self.Link), "_apply_unit_event", busy), \
                self.assertRaises(psycopg2.errors.SerializationFailure):
            self.apply([self.unit_event(sequence=3)])


@tagged("post_install", "-at_install")
class TestDeadLetterAccess(HotlineExchangeCommon):
    """The dead letters are the center's administrators' and managers' to read; no other role reads them."""

    def test_who_reads_dead_letters(self):
        letter = self.env["hotline.exchange.inbox"].sudo().create({
            "uid": "dead-1", "result": "refused", "reason": "The event contains a NUL character.",
            "dead_letter": True})
        manager = new_test_user(self.env, "hx_manager", groups="base.group_user,hotline_case.group_manager")
        for user in (manager, self.env.ref("base.user_admin")):
            found = self.env["hotline.exchange.inbox"].with_user(user).search([("dead_letter", "=", True)])
            self.assertIn(letter, found, user.login)
        for user in (self.agent, self.dispatcher, self.reviewer, self.portal, self.peer):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["hotline.exchange.inbox"].with_user(user).search_read([("dead_letter", "=", True)],
                                                                               ["reason"])
