import io
import json
import threading
import xmlrpc.client
import zipfile
from datetime import datetime, timedelta
from unittest.mock import patch

from PIL import Image

from odoo import Command
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import HttpCase, TransactionCase, new_test_user
from odoo.tests.common import JsonRpcException


def sample_file(extension):
    """Small real content of a file type (a unit's photo or document, or what must never go with a result)."""
    if extension in ("jpg", "png"):
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "JPEG" if extension == "jpg" else "PNG")
        return buffer.getvalue()
    if extension == "docx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                                                    'openxmlformats.org/package/2006/content-types"/>')
            archive.writestr("word/document.xml", "<w:document/>")
        return buffer.getvalue()
    return {
        "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200,
        "sh": b"#!/bin/sh\nrm -rf /\n",
        "html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    }[extension]


def at_once(*calls, timeout=120):
    """Run `calls` at the same moment, each in a thread of its own (HTTP requests to the server the tests run,
    which answers each in a real transaction of its own, unlike HttpCase's shared test cursor): their results
    in order, an exception in place of the result of a call that raised one."""
    results = [None] * len(calls)
    start = threading.Barrier(len(calls), timeout=timeout)

    def run(index, call):
        start.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - handed back to the test, which asserts on it
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    # the main thread holds the registry lock while it runs the tests: lifted as Odoo's own test cursors lift
    # it, else the server's request threads would wait for it forever
    with patch.object(Registry, "_lock", DummyRLock()):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError("a concurrent call did not finish")
    return results


class HotlineCaseCommon(TransactionCase):
    """Base data, users of every role and two units, independent of the shipped demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # A working-time calendar in UTC keeps deadline arithmetic readable: Mon-Fri 8-12, 13-17.
        cls.calendar = env["resource.calendar"].create({
            "name": "Hotline test calendar",
            "tz": "UTC",
            "attendance_ids": [
                Command.create({"name": f"{day} {period}", "dayofweek": str(day), "hour_from": start,
                                "hour_to": end, "day_period": period})
                for day in range(5)
                for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
            ],
        })
        env.company.resource_calendar_id = cls.calendar
        # settings of the center as shipped, whatever the demo data set
        env.company.write({"hotline_default_area_code": False, "hotline_duplicate_window_days": 3,
                           "hotline_near_deadline_hours": 24})

        cls.industry = env["hotline.industry"].create({"name": "供水", "code": "T_WATER"})
        cls.type_complaint = env["hotline.case.type"].create({"name": "投诉", "code": "T_COMPLAINT"})
        cls.type_consult = env["hotline.case.type"].create({"name": "咨询", "code": "T_CONSULT"})
        cls.cat_water = env["hotline.category"].create({"name": "供水", "industry_id": cls.industry.id})
        cls.cat_no_water = env["hotline.category"].create({"name": "停水", "parent_id": cls.cat_water.id})
        cls.cat_road = env["hotline.category"].create({"name": "道路破损"})
        cls.district = env["hotline.district"].create({"name": "测试区", "code": "T01"})
        cls.district2 = env["hotline.district"].create({"name": "东城测试区", "code": "T02"})
        cls.street = env["hotline.street"].create({"name": "和平街道", "district_id": cls.district.id})

        cls.agent = new_test_user(env, "hc_agent", groups="hotline_case.group_agent", name="受理员甲")
        cls.dispatcher = new_test_user(env, "hc_dispatcher", groups="hotline_case.group_dispatcher",
                                       name="分理员甲")
        cls.reviewer = new_test_user(env, "hc_reviewer", groups="hotline_case.group_reviewer", name="审核员甲")
        cls.manager = new_test_user(env, "hc_manager", groups="hotline_case.group_manager", name="管理员甲")
        cls.unit_user_a = new_test_user(env, "hc_unit_a", groups="hotline_case.group_unit_user", name="水务甲")
        cls.unit_user_b = new_test_user(env, "hc_unit_b", groups="hotline_case.group_unit_user", name="路政乙")
        cls.portal_a = new_test_user(env, "hc_portal_a", groups="base.group_portal", name="水务门户")

        cls.unit_a = env["hotline.unit"].create({
            "name": "自来水公司", "code": "T_UA",
            "member_ids": [Command.set([cls.unit_user_a.id, cls.portal_a.id])],
        })
        cls.unit_b = env["hotline.unit"].create({
            "name": "市政道路处", "code": "T_UB", "member_ids": [Command.set([cls.unit_user_b.id])],
        })
        env["hotline.routing.rule"].create([
            {"category_id": cls.cat_water.id, "unit_id": cls.unit_b.id, "sequence": 1},
            {"category_id": cls.cat_no_water.id, "unit_id": cls.unit_a.id, "sequence": 5},
            {"category_id": cls.cat_road.id, "unit_id": cls.unit_b.id},
            {"category_id": cls.cat_road.id, "district_id": cls.district2.id, "unit_id": cls.unit_a.id,
             "sequence": 50},
        ])
        # Neutralise shipped rules: tests define their own.
        env["hotline.deadline.rule"].search([]).active = False
        cls.rule_default = env["hotline.deadline.rule"].create({
            "sequence": 10, "sign_hours": 8, "finish_amount": 10, "finish_unit": "working_days",
        })

    @classmethod
    def _new_case(cls, user=None, **vals):
        values = {
            "caller_phone": "13812345678",
            "caller_name": "陈先生",
            "type_id": cls.type_complaint.id,
            "category_id": cls.cat_no_water.id,
            "district_id": cls.district.id,
            "street_id": cls.street.id,
            "address": "和平路1号",
            "description": "小区停水两天，无人通知。",
        }
        values.update(vals)
        return cls.env["hotline.case"].with_user(user or cls.agent).create(values)

    def _dispatched_case(self, unit=None, **vals):
        case = self._new_case(unit_id=(unit or self.unit_a).id, **vals)
        case.with_user(self.agent).action_self_dispatch()
        return case

    def _processing_case(self, **vals):
        case = self._dispatched_case(**vals)
        case.with_user(self.unit_user_a).action_accept()
        return case

    def _submitted_case(self, **vals):
        case = self._processing_case(**vals)
        case.with_user(self.unit_user_a).action_submit(note="已恢复供水。")
        return case

    def _callback_case(self, **vals):
        case = self._submitted_case(**vals)
        case.with_user(self.reviewer).action_review_approve()
        return case

    @staticmethod
    def _dt(*args):
        return datetime(*args)


class RpcDenied(Exception):
    """The server refused an RPC call (access error, user error...): the message it answered."""


class HotlineAttackCommon(HttpCase, HotlineCaseCommon):
    """HotlineCaseCommon over HTTP, to test access as an attacker would: every RPC channel a logged-in user has.

    `_rpc(channel, user, model, method, ids, **kwargs)` calls `model.browse(ids).method(**kwargs)` as `user`
    through the web client's session (`call_kw`), `/json/2` with an API key, or XML-RPC with that key.
    """

    CHANNELS = ("call_kw", "json2", "xmlrpc")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        expiry = datetime.now() + timedelta(days=1)
        cls.api_keys = {
            user.id: cls.env["res.users.apikeys"].with_user(user)._generate("rpc", "attack", expiry)
            for user in (cls.agent, cls.dispatcher, cls.reviewer, cls.manager, cls.unit_user_a, cls.unit_user_b,
                         cls.portal_a)
        }

    def _rpc(self, channel, user, model, method, ids=None, **kwargs):
        args = [ids] if ids is not None else []
        if channel == "call_kw":
            self.authenticate(user.login, user.login)
            try:
                return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", {
                    "model": model, "method": method, "args": args, "kwargs": kwargs,
                })
            except JsonRpcException as error:
                raise RpcDenied(str(error)) from error
        if channel == "json2":
            body = dict(kwargs)
            if ids is not None:
                body["ids"] = ids
            if getattr(self, "session", None):
                self.logout()  # the key alone authenticates, as for a script
            response = self.url_open(f"/json/2/{model}/{method}", data=json.dumps(body), headers={
                "Authorization": f"Bearer {self.api_keys[user.id]}", "Content-Type": "application/json",
            })
            if response.status_code != 200:
                raise RpcDenied(f"{response.status_code} {response.text[:300]}")
            return response.json()
        if channel == "xmlrpc":
            try:
                return self.xmlrpc_object.execute_kw(
                    self.env.cr.dbname, user.id, self.api_keys[user.id], model, method, args, kwargs)
            except xmlrpc.client.Fault as error:
                raise RpcDenied(error.faultString[-300:]) from error
        raise ValueError(channel)

    def assertRpcDenied(self, user, model, method, ids=None, **kwargs):
        """The call fails on every channel."""
        for channel in self.CHANNELS:
            with self.subTest(channel=channel, model=model, method=method), self.assertRaises(RpcDenied):
                self._rpc(channel, user, model, method, ids, **kwargs)

    def _jsonrpc_as(self, user, route, params):
        """A JSON route of the web client (chatter...) as `user`; RpcDenied if the server answers an error."""
        self.authenticate(user.login, user.login)
        try:
            return self.make_jsonrpc_request(route, params)
        except JsonRpcException as error:
            raise RpcDenied(str(error)) from error
