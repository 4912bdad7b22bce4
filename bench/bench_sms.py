"""SMS benchmark: citizen texts through the local stand-in of Aliyun's SMS API (signature checked on every
request, the real SDK as the client), next to the same number of plain ``sms.sms`` records sent through Odoo's
own queue and IAP client (answered by a local stand-in of the IAP endpoint) in the same run; then survey
replies received in the gateway's push batches and matched.

* intake texts: made for cases (template, code, project id), handed to Odoo's SMS queue, sent by
  ``sms.sms._send`` in the cron's batches of 500 — texts/s (goal >= 200/s);
* baseline: plain ``sms.sms`` through Odoo's IAP path, same count, same batches;
* replies: pushed in batches of 100 (Aliyun's SmsUp batch), each matched to the latest survey of its number
  (full-width digits and extra words in a third of them) — replies/s (goal >= 200/s).

Everything runs in one transaction rolled back at the end: the database is left as it was.

    .venv/bin/python bench/bench_sms.py [--count 10000] [--db ht_sms]
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ODOO_SRC = Path(os.environ.get("ODOO_SRC", ROOT / ".odoo/root/usr/lib/python3/dist-packages"))
sys.path.insert(0, str(ROOT))
from bench.bench_case import boot_odoo  # noqa: E402

BATCH = 500  # sms.session.batch.size, the SMS cron's batch


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000, help="texts, baseline SMS and replies (each)")
    parser.add_argument("--db", default="ht_sms", help="a database with hotline_sms installed")
    return parser.parse_args()


class _IapHandler(BaseHTTPRequestHandler):
    """IAP's /api/sms/3/send answered locally: every number 'success' (Odoo's own client, unchanged)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall per request)

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        numbers = [n for message in body["params"]["messages"] for n in message["numbers"]]
        self.server.count += len(numbers)
        data = json.dumps({"jsonrpc": "2.0", "id": body.get("id"),
                           "result": [{"uuid": n["uuid"], "state": "success"} for n in numbers]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def send_all(env, sms):
    for start in range(0, len(sms), BATCH):
        batch = sms[start:start + BATCH]
        batch.with_context(sms_skip_msg_notification=True)._send(unlink_sent=True, unlink_failed=False)


def main():
    args = parse_args()
    odoo, registry = boot_odoo(args.db)
    from odoo import api  # noqa: PLC0415
    from odoo.addons.hotline_sms.tests import gateway  # noqa: PLC0415 - the stand-in needs Odoo's addons path

    aliyun = gateway.AliyunGateway().start()
    iap = ThreadingHTTPServer(("127.0.0.1", 0), _IapHandler)
    iap.count = 0
    threading.Thread(target=iap.serve_forever, daemon=True).start()

    count = args.count
    print(f"bench_sms: {count} texts, {count} plain SMS, {count} replies; database {args.db}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.company
        env["ir.config_parameter"].set_param("sms.endpoint", f"http://127.0.0.1:{iap.server_address[1]}")
        # an IAP account with a token, made in this transaction: Odoo's client then needs no other cursor
        env["iap.account"].sudo().create({"service_id": env.ref("sms.iap_service_sms").id, "account_token": "bench"})
        cases = env["hotline.case"].search([], limit=200)
        if not cases:
            sys.exit(f"no case in {args.db}")
        messages_model = env["hotline.sms.message"]

        # --- baseline: plain sms.sms through Odoo's own queue (IAP path, local endpoint)
        company.sudo().hotline_sms_provider = "none"
        plain = env["sms.sms"].create([{"number": f"139{i:08d}", "body": f"基准短信 {i}"} for i in range(count)])
        t0 = time.perf_counter()
        send_all(env, plain)
        baseline = time.perf_counter() - t0

        # --- intake texts through the Aliyun stand-in
        company.sudo().write({"hotline_sms_provider": "aliyun", "hotline_sms_endpoint": aliyun.endpoint,
                              "hotline_sms_sign_name": "12319热线", "hotline_sms_access_key": gateway.ACCESS_KEY,
                              "hotline_sms_access_secret": gateway.ACCESS_SECRET,
                              "hotline_sms_quiet_start": 0, "hotline_sms_quiet_end": 0})
        template = env.ref("hotline_sms.template_intake")
        t0 = time.perf_counter()
        made = messages_model.create([{
            "case_id": cases[i % len(cases)].id, "company_id": company.id, "kind": "intake",
            "round": 1000 + i, "number": f"138{i:08d}", "template_code": template.template_code,
            "body": template._render({"case": cases[i % len(cases)].name, "code": "123456"}),
            "params": json.dumps({"case": cases[i % len(cases)].name, "code": "123456"}, ensure_ascii=False),
            "date_due": odoo.fields.Datetime.now(),
        } for i in range(count)])
        made._enqueue()
        queued = time.perf_counter() - t0
        sms = env["sms.sms"].search([("hotline_message_id", "in", made.ids)], order="id")
        t0 = time.perf_counter()
        send_all(env, sms)
        sent_time = time.perf_counter() - t0
        sent = made.filtered(lambda message: message.state == "sent")
        ids = aliyun.ids_sent()
        print(f"  texts via Aliyun stand-in : queued {count / queued:7.0f}/s, sent {count / sent_time:7.0f}/s "
              f"({sent_time:.1f} s), {len(sent)} sent, {len(ids) - len(set(ids))} sent twice, "
              f"{aliyun.bad_signatures} bad signatures")
        print(f"  baseline plain sms.sms    : sent {count / baseline:7.0f}/s ({baseline:.1f} s) through Odoo's "
              f"IAP client, {iap.count} received")

        # --- replies: each number got a survey; replies in push batches of 100
        surveys = messages_model.create([{
            "case_id": cases[i % len(cases)].id, "company_id": company.id, "kind": "survey",
            "round": 1000 + i, "number": f"137{i:08d}", "template_code": "SMS_3", "body": "回访",
            "params": "{}", "state": "sent", "date_sent": odoo.fields.Datetime.now(), "provider_ref": f"b{i}",
        } for i in range(count)])
        texts = ["1", "我选２，谢谢", "3 基本满意吧"]
        replies = [{"number": f"137{i:08d}", "content": texts[i % 3]} for i in range(count)]
        t0 = time.perf_counter()
        for start in range(0, count, 100):
            env["hotline.sms.reply"]._receive(company, replies[start:start + 100])
        reply_time = time.perf_counter() - t0
        matched = env["hotline.sms.reply"].search_count([("message_id", "in", surveys.ids)])
        closed = env["hotline.sms.reply"].search_count([("message_id", "in", surveys.ids),
                                                        ("outcome", "=", "evaluated")])
        print(f"  replies matched           : {count / reply_time:7.0f}/s ({reply_time:.1f} s), {matched} matched, "
              f"{closed} closed a case (the others' cases were not awaiting a callback)")
        cr.rollback()
    aliyun.stop()
    iap.shutdown()


if __name__ == "__main__":
    main()
