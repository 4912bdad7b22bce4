import base64
import uuid

from odoo.tests import TransactionCase, new_test_user

from ..models.hotline_exchange_event import canonical, event_checksum

SECRET_NAME = "欧阳保密人"
SECRET_PHONE = "13912345678"
INTERNAL_NOTE = "内部备注：该市民情绪激动"
INTERNAL_FILE = b"center-only recording transcript"


class HotlineExchangeCommon(TransactionCase):
    """Center staff, a unit, a portal member of it and the exchange account; helpers to run a case through the
    center's workflow, to read the outbox as it would travel and to build events as the other side sends them.

    Both sides run in this one database: the role parameter says which side is speaking."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True, mail_create_nolog=False))
        env = cls.env
        cls.agent = new_test_user(env, "hx_agent", groups="base.group_user,hotline_case.group_agent")
        cls.dispatcher = new_test_user(env, "hx_dispatcher", groups="base.group_user,hotline_case.group_dispatcher")
        cls.reviewer = new_test_user(env, "hx_reviewer", groups="base.group_user,hotline_case.group_reviewer")
        cls.portal = new_test_user(env, "hx_portal", groups="base.group_portal", name="HX Water Member")
        cls.peer = new_test_user(env, "hx_peer", groups="hotline_exchange.group_exchange_peer")
        cls.unit = env["hotline.unit"].create({"name": "HX Water", "code": "HXW",
                                               "member_ids": [(6, 0, cls.portal.ids)]})
        cls.unit_b = env["hotline.unit"].create({"name": "HX Gas", "code": "HXG"})
        cls.category = env["hotline.category"].create({"name": "HX Outage", "code": "HXO"})
        cls.case_type = env["hotline.case.type"].create({"name": "HX Repair", "code": "HXR"})

    def setUp(self):
        super().setUp()
        # only what the test itself queues or receives counts (the database may hold other rows)
        self.cr.execute("SELECT COALESCE(MAX(id), 0) FROM hotline_exchange_event")
        self.outbox_floor = self.cr.fetchone()[0]
        self.cr.execute("SELECT COALESCE(MAX(id), 0) FROM hotline_exchange_inbox")
        self.inbox_floor = self.cr.fetchone()[0]

    def set_role(self, role):
        self.env["ir.config_parameter"].sudo().set_param("hotline_exchange.role", role)

    def commit_point(self):
        """What a commit does first: run the precommit hooks (the outbox is written there)."""
        self.env.cr.flush()

    def new_case(self, confidential=True, unit=None, dispatch=True):
        case = self.env["hotline.case"].with_user(self.agent).create({
            "caller_name": SECRET_NAME, "caller_phone": SECRET_PHONE, "confidential": confidential,
            "type_id": self.case_type.id, "category_id": self.category.id, "address": "HX Road 1",
            "description": "Pipe burst near the school", "unit_id": (unit or self.unit).id,
        })
        # the center's own notes and files, never for the unit
        note = case.message_post(body=INTERNAL_NOTE, subtype_xmlid="mail.mt_note", attachments=[
            ("transcript.txt", INTERNAL_FILE)])
        self.assertTrue(note.is_internal or note.subtype_id.internal)
        if dispatch:
            case.action_self_dispatch()
        self.commit_point()
        return case.with_user(self.env.user)

    def outbox(self, **domain):
        return self.env["hotline.exchange.event"].sudo().search(
            [("id", ">", self.outbox_floor)] + [(key, "=", value) for key, value in domain.items()], order="id")

    def inbox(self):
        return self.env["hotline.exchange.inbox"].sudo().search([("id", ">", self.inbox_floor)], order="id")

    def wire_text(self):
        """Everything the center's outbox would send, as it travels."""
        return canonical(self.outbox()._wire())

    def event(self, kind, payload, case_ref, sequence=1, unit_code="", actor="", uid=None, lang="en_US"):
        """An event as the other side sends it (well-formed and checksummed unless the test alters it)."""
        uid = uid or uuid.uuid4().hex
        return {"uid": uid, "kind": kind, "case_ref": case_ref, "sequence": sequence, "payload": payload,
                "checksum": event_checksum(uid, kind, case_ref, sequence, payload), "unit_code": unit_code,
                "actor": actor, "lang": lang}

    @staticmethod
    def b64(data):
        return base64.b64encode(data).decode()
