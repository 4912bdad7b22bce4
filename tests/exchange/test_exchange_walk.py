"""The exchange between the center and the unit server, end to end on the two-server rig (issue 12).

The center's exchange loop (`scripts/odoo hotline_exchange`) runs as its own process; units act on the unit
server's portal as a browser does; the center's staff act over /json/2. Faults are real: servers and the loop
are stopped or killed -9.
"""

import base64
import html
import io
import re
import subprocess
import time
import uuid

import pytest
import requests
from PIL import Image

from ..conftest import login
from .servers import UNITS_SOCKET_DIR

PORTAL_PASSWORD = "unit-portal-pw-1"
CASE_URL = "/my/hotline/cases"


def wait_for(what, probe, timeout=90, interval=0.2):
    """Poll `probe()` until it returns something true; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@pytest.fixture
def rig(two_servers, tmp_path):
    assert two_servers.exchange_installed, "hotline_exchange is not installed on the two-server rig"
    loop = two_servers.exchange_loop(tmp_path / "exchange-loop.log", "--log-level=info", interval=0.2)
    loop.start()
    two_servers.loop = loop
    yield two_servers
    loop.stop()


class Center:
    """The center's staff over /json/2 (the administrator holds every hotline role)."""

    def __init__(self, side):
        self.side = side

    def call(self, model, method, ids=None, **kwargs):
        return self.side.json2(model, method, ids=ids, **kwargs)

    def first(self, model, domain=()):
        return self.call(model, "search", domain=list(domain), limit=1)[0]

    def new_case(self, unit_code, secret_name, secret_phone, dispatch=True):
        unit = self.first("hotline.unit", [("code", "=", unit_code)])
        case_id = self.call("hotline.case", "create", vals_list=[{
            "caller_name": secret_name, "caller_phone": secret_phone, "confidential": True,
            "type_id": self.first("hotline.case.type"), "category_id": self.first("hotline.category"),
            "address": "临江市滨河路 8 号", "description": "自来水管爆裂，路面积水", "unit_id": unit,
        }])[0]
        if dispatch:
            self.call("hotline.case", "action_self_dispatch", ids=[case_id])
        return case_id

    def case(self, case_id, *fields):
        return self.call("hotline.case", "read", ids=[case_id], fields=list(fields or ("state",)))[0]

    def outbox_pending(self):
        return self.side.sql("select count(*) from hotline_exchange_event where state = 'pending'")[0][0]


class Unit:
    """The unit server: its database (what an attacker on that host reads) and its portal."""

    def __init__(self, side):
        self.side = side

    def copy(self, center_id):
        rows = self.side.sql("select id, state, unit_id, exchange_seq from hotline_case where exchange_ref = %s",
                             (center_id,))
        return dict(zip(("id", "state", "unit_id", "seq"), rows[0], strict=True)) if rows else None

    def copy_in_state(self, center_id, state):
        copy = self.copy(center_id)
        return copy if copy and copy["state"] == state else None

    def member(self, unit_code):
        """A portal user of the unit, made by the unit server's administrator (users are the unit server's)."""
        login_name = f"unit_{unit_code.lower()}_{uuid.uuid4().hex[:6]}"
        unit_id = wait_for(f"unit {unit_code} on the unit server",
                           lambda: (self.side.sql("select id from hotline_unit where code = %s", (unit_code,))
                                    or [[None]])[0][0])
        portal = self.side.xmlid("base.group_portal")
        user_id = self.side.json2("res.users", "create", vals_list=[{
            "name": f"单位办理人 {login_name}", "login": login_name, "password": PORTAL_PASSWORD,
            "group_ids": [(6, 0, [portal])], "lang": "zh_CN"}], context={"no_reset_password": True})[0]
        self.side.json2("hotline.unit", "write", ids=[unit_id], vals={"member_ids": [(4, user_id)]})
        return login(self.side.url, login_name, PORTAL_PASSWORD)

    def post(self, session, copy_id, step, files=None, **data):
        page = session.get(f"{self.side.url}{CASE_URL}/{copy_id}", timeout=30)
        assert page.status_code == 200, page.status_code
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        reply = session.post(f"{self.side.url}{CASE_URL}/{copy_id}/{step}", data={"csrf_token": token, **data},
                             files=files, timeout=60, allow_redirects=False)
        assert reply.status_code == 303, f"{step}: {reply.status_code} {reply.text[-500:]}"
        return reply


def demo_unit_code(center):
    return center.call("hotline.unit", "search_read", domain=[("member_ids", "!=", False)], fields=["code"],
                       limit=1, order="id")[0]["code"]


def test_walk_across_two_servers(rig):
    """dispatch → sign → extension → submit with a file → reject → re-dispatch → sign → submit → approve."""
    center, unit = Center(rig.center), Unit(rig.unit)
    code = demo_unit_code(center)
    secret = f"保密人{uuid.uuid4().hex[:4]}"
    case_id = center.new_case(code, secret, "13700001111")
    copy = wait_for("the dispatch on the unit server", lambda: unit.copy_in_state(case_id, "dispatched"))
    session = unit.member(code)
    page = session.get(f"{unit.side.url}{CASE_URL}/{copy['id']}", timeout=30).text
    assert secret not in page and "13700001111" not in page

    unit.post(session, copy["id"], "accept")
    wait_for("the sign-for on the center", lambda: center.case(case_id)["state"] == "processing")
    unit.post(session, copy["id"], "extension", days="3", reason="需要更换主管道")
    wait_for("the extension request on the center",
             lambda: center.case(case_id, "extension_state")["extension_state"] == "requested")
    center.call("hotline.case", "action_approve_extension", ids=[case_id])
    wait_for("the extension decision on the unit server", lambda: unit.side.sql(
        "select extension_state from hotline_case where exchange_ref = %s", (case_id,))[0][0] == "approved")

    # a real photo (the center checks a result's files by content), made unique by bytes after its end
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(image, "PNG")
    photo = image.getvalue() + uuid.uuid4().hex.encode()
    unit.post(session, copy["id"], "submit", note="已更换主管道，恢复供水", result="partly_resolved",
              files={"attachments": ("after.png", photo, "image/png")})
    wait_for("the result on the center", lambda: center.case(case_id)["state"] == "submitted")
    result = center.case(case_id, "result_note", "result_attachment_ids", "handling_result")
    assert (result["result_note"], result["handling_result"]) == ("已更换主管道，恢复供水", "partly_resolved")
    files = center.call("ir.attachment", "read", ids=result["result_attachment_ids"], fields=["name", "datas"])
    assert [(f["name"], base64.b64decode(f["datas"])) for f in files] == [("after.png", photo)]

    center.call("hotline.case", "action_review_reject", ids=[case_id], note="现场照片不清晰，请补充")
    wait_for("the rejection on the unit server", lambda: unit.copy_in_state(case_id, "pool"))
    center.call("hotline.case", "action_dispatch", ids=[case_id])
    wait_for("the re-dispatch on the unit server", lambda: unit.copy_in_state(case_id, "dispatched"))
    unit.post(session, copy["id"], "accept")
    wait_for("the second sign-for", lambda: center.case(case_id)["state"] == "processing")
    unit.post(session, copy["id"], "submit", note="已补充照片", result="resolved",
              files={"attachments": ("after2.png", photo + b"2", "image/png")})
    wait_for("the second result", lambda: center.case(case_id)["state"] == "submitted")
    center.call("hotline.case", "action_review_approve", ids=[case_id])
    wait_for("the approval on the unit server", lambda: unit.copy_in_state(case_id, "callback"))

    # one history on both sides: the unit's steps under the unit's user on the center, the same lines on the copy
    center_log = center.call("hotline.case.log", "search_read", domain=[("case_id", "=", case_id)],
                             fields=["action", "exchange_actor", "unit_id"], order="id")
    unit_steps = [line for line in center_log if line["action"] in ("accept", "request_extension", "submit")]
    assert len(unit_steps) == 5 and all("单位办理人" in line["exchange_actor"] for line in unit_steps)
    copy_log = unit.side.sql("select action from hotline_case_log where case_id = %s order by exchange_ref",
                             (copy["id"],))
    assert [row[0] for row in copy_log] == [line["action"] for line in center_log if line["unit_id"]]
    assert unit.copy(case_id)["id"] == copy["id"], "the case was copied twice"
    wait_for("the center's outbox emptied", lambda: center.outbox_pending() == 0)


def test_refused_step_shown_on_the_unit_page(rig):
    """The unit signs for a case the center recalls meanwhile: the center refuses, the unit sees why."""
    center, unit = Center(rig.center), Unit(rig.unit)
    code = demo_unit_code(center)
    case_id = center.new_case(code, "保密人丙", "13700002222")
    copy = wait_for("the dispatch", lambda: unit.copy_in_state(case_id, "dispatched"))
    session = unit.member(code)
    rig.loop.stop()
    center.call("hotline.case", "action_cancel", ids=[case_id], reason="重复来电，已合并处理")
    unit.post(session, copy["id"], "accept")
    assert unit.copy_in_state(case_id, "processing"), "the unit's step shows at once on its server"
    rig.loop.start()
    wait_for("the center's state back on the unit server", lambda: unit.copy_in_state(case_id, "cancelled"))
    refusal = unit.side.sql("select state, refusal_reason from hotline_exchange_event where case_id = %s"
                            " and kind = 'accept'", (copy["id"],))[0]
    assert refusal[0] == "refused" and refusal[1]
    page = html.unescape(session.get(f"{unit.side.url}{CASE_URL}/{copy['id']}", timeout=30).text)
    assert "o_hotline_exchange_refused" in page
    assert refusal[1] in page
    assert center.case(case_id)["state"] == "cancelled"


def test_unit_server_down_then_backlog_delivered(rig):
    """The unit server is down: the center keeps working; when it returns, everything arrives, once."""
    center, unit = Center(rig.center), Unit(rig.unit)
    code = demo_unit_code(center)
    rig.unit.kill()
    cases = [center.new_case(code, f"保密人{n}", f"1370000{n:04d}") for n in range(6)]
    center.call("hotline.case", "action_urge", ids=cases[:3], note="请尽快处理")
    assert all(center.case(c)["state"] == "dispatched" for c in cases)
    wait_for("a failed delivery recorded", lambda: rig.center.sql(
        "select failures from hotline_exchange_link where failures > 0 and last_error is not null"))
    assert center.outbox_pending() >= len(cases)
    rig.unit.start()
    wait_for("the backlog delivered", lambda: center.outbox_pending() == 0, timeout=180)
    for case_id in cases:
        assert unit.copy_in_state(case_id, "dispatched")
    urged = unit.side.sql("select exchange_ref, urge_count from hotline_case where exchange_ref = any(%s)",
                          (cases[:3],))
    assert sorted(count for _ref, count in urged) == [1, 1, 1]
    copies = unit.side.sql("select count(*), count(distinct exchange_ref) from hotline_case"
                           " where exchange_ref = any(%s)", (cases,))[0]
    assert copies == (len(cases), len(cases))


def test_center_down_units_keep_working(rig):
    """The center (server and loop) is killed: units read their cases and act; the actions wait and arrive."""
    center, unit = Center(rig.center), Unit(rig.unit)
    code = demo_unit_code(center)
    case_id = center.new_case(code, "保密人丁", "13700003333")
    copy = wait_for("the dispatch", lambda: unit.copy_in_state(case_id, "dispatched"))
    session = unit.member(code)
    rig.loop.kill()
    rig.center.kill()
    assert session.get(f"{unit.side.url}{CASE_URL}/{copy['id']}", timeout=30).status_code == 200
    unit.post(session, copy["id"], "accept")
    waiting = unit.side.sql("select count(*) from hotline_exchange_event where case_id = %s and kind = 'accept'"
                            " and state = 'pending'", (copy["id"],))[0][0]
    assert waiting == 1
    rig.center.start()
    rig.loop.start()
    wait_for("the waiting action applied", lambda: center.case(case_id)["state"] == "processing")
    wait_for("the unit server's outbox acknowledged", lambda: unit.side.sql(
        "select state from hotline_exchange_event where case_id = %s and kind = 'accept'",
        (copy["id"],))[0][0] == "sent")
    accepts = rig.center.sql("select count(*) from hotline_case_log where case_id = %s and action = 'accept'",
                             (case_id,))[0][0]
    assert accepts == 1


def test_delivery_cut_midway(rig):
    """The loop is killed -9 in the middle of delivering a backlog: on restart nothing is lost and nothing is
    applied twice (the unit server answers 'duplicate' for what it had already applied)."""
    center, unit = Center(rig.center), Unit(rig.unit)
    code = demo_unit_code(center)
    first = center.new_case(code, "保密人戊", "13700010000")
    wait_for("the unit on the unit server", lambda: unit.copy(first))
    unit.member(code)  # so that each dispatch is announced to someone, once
    rig.loop.stop()
    rig.center.set_param("hotline_exchange.batch_size", "4")
    try:
        cases = [center.new_case(code, f"保密人戊{n}", f"1370001{n:04d}") for n in range(20)]
        uids = [row[0] for row in rig.center.sql(
            "select uid from hotline_exchange_event where state = 'pending' and case_id = any(%s)", (cases,))]
        before = unit.side.sql("select count(*) from hotline_exchange_inbox")[0][0]
        rig.loop.start()
        wait_for("part of the backlog delivered", lambda: unit.side.sql(
            "select count(*) from hotline_exchange_inbox where uid = any(%s)", (uids,))[0][0] >= 4, interval=0.02)
        rig.loop.kill()
        sent = rig.center.sql("select count(*) from hotline_exchange_event where uid = any(%s) and state = 'sent'",
                              (uids,))[0][0]
        assert sent < len(uids), "the loop finished before it could be cut"
        rig.loop.start()
        wait_for("the rest delivered", lambda: center.outbox_pending() == 0, timeout=180)
    finally:
        rig.center.set_param("hotline_exchange.batch_size", "100")  # the default
    applied = unit.side.sql("select count(*), count(distinct uid) from hotline_exchange_inbox where uid = any(%s)",
                            (uids,))[0]
    assert applied == (len(uids), len(uids)), "an event was lost or applied twice"
    assert unit.side.sql("select count(*) from hotline_exchange_inbox")[0][0] - before == len(uids)
    copies = unit.side.sql("select count(*), count(distinct exchange_ref) from hotline_case"
                           " where exchange_ref = any(%s)", (cases,))[0]
    assert copies == (len(cases), len(cases))
    notices = unit.side.sql("select count(*) from mail_message m join hotline_case c on c.id = m.res_id"
                            " where m.model = 'hotline.case' and c.exchange_ref = any(%s)"
                            " and m.message_type = 'comment'", (cases,))[0][0]
    assert notices == len(cases), "a dispatch was announced twice (or not at all)"


def test_attacker_on_the_unit_server_finds_nothing(rig, tmp_path):
    """From the unit server's database (every table, every row) and its files and API: no confidential caller,
    no internal note or file of the center, no call record."""
    center, unit = Center(rig.center), Unit(rig.unit)
    code = demo_unit_code(center)
    marker = uuid.uuid4().hex[:8]
    secret_name, secret_phone = f"绝密来电人{marker}", "13955550123"
    note, note_file = f"内部备注{marker}：来电人情绪激动", f"center-only-recording-{marker}".encode()
    case_id = center.new_case(code, secret_name, secret_phone, dispatch=False)
    center.call("hotline.case", "message_post", ids=[case_id], body=note, subtype_xmlid="mail.mt_note",
                attachments=[["transcript.txt", note_file.decode()]])
    center.call("hotline.case", "action_self_dispatch", ids=[case_id])
    center.call("hotline.case", "message_post", ids=[case_id], body=f"请尽快处理 {marker}",
                message_type="comment", subtype_xmlid="mail.mt_comment")
    wait_for("the case and the center's message on the unit server", lambda: unit.side.sql(
        "select 1 from mail_message m join hotline_case c on c.id = m.res_id and m.model = 'hotline.case'"
        " where c.exchange_ref = %s and m.body like %s", (case_id, f"%{marker}%")))
    # what the center has that must never cross: it is there, on the center
    assert rig.center.sql("select count(*) from hotline_case where caller_name = %s", (secret_name,))[0][0] == 1

    dump = subprocess.run(["pg_dump", "-h", UNITS_SOCKET_DIR, "-p", str(unit.side.pg_port), "--data-only",
                           unit.side.db], capture_output=True, text=True, check=True).stdout
    assert f"请尽快处理 {marker}" in dump, "the dump does not hold the unit's data: the check would prove nothing"
    for secret in (secret_name, secret_phone, secret_phone[-8:], note, f"内部备注{marker}", "transcript.txt",
                   note_file.decode()):
        assert secret not in dump, f"{secret!r} is in the unit server's database"
    tables = {row[0] for row in unit.side.sql("select tablename from pg_tables where schemaname = 'public'")}
    assert not {t for t in tables if t.startswith("hotline_call") or t.startswith("hotline_agent")}
    filestore = rig.unit.data_dir / "filestore" / unit.side.db
    leaked = subprocess.run(["grep", "-rl", note_file.decode(), str(filestore)], capture_output=True, text=True)
    assert leaked.stdout == "", f"the center's internal file is in the unit server's file store: {leaked.stdout}"

    # the API: the exchange account reads no case, the unit's member reads it masked
    reply = requests.post(f"{unit.side.url}/json/2/hotline.case/search_read", timeout=30, json={
        "domain": [], "fields": ["caller_name", "caller_phone"]},
        headers={"Authorization": f"bearer {rig.exchange_key}", "X-Odoo-Database": unit.side.db})
    assert reply.status_code in (403, 422) or secret_name not in reply.text
    session = unit.member(code)
    copy = unit.copy(case_id)
    page = session.get(f"{unit.side.url}{CASE_URL}/{copy['id']}", timeout=30).text
    assert center.case(case_id, "name")["name"] in page  # the case page itself (its chatter loads apart)
    assert secret_name not in page and secret_phone not in page and note not in page
