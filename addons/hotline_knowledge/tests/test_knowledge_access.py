from odoo.tests import tagged

from .common import KnowledgeAttackCommon


@tagged("post_install", "-at_install")
class TestKnowledgeAccess(KnowledgeAttackCommon):
    """Every role over the web client (call_kw), /json/2 and XML-RPC, each attack with its positive control."""

    def setUp(self):
        super().setUp()
        self.draft = self.env["hotline.knowledge.item"].with_user(self.unit_user_a).create({
            "name": "水表迁移办理", "category_id": self.kcat_water.id, "unit_id": self.unit_a.id,
            "answer": "携带身份证到营业厅申请。"})

    def _ids_read(self, user, ids, channel):
        rows = self._rpc(channel, user, "hotline.knowledge.item", "search_read", domain=[("id", "in", ids)],
                         fields=["name"])
        return {row["id"] for row in rows}

    def test_agents_read_only_valid_published_items(self):
        ids = [self.item_price.id, self.item_expired.id, self.item_future.id, self.draft.id]
        for channel in self.CHANNELS:
            with self.subTest(channel=channel):
                self.assertEqual(self._ids_read(self.agent, ids, channel), {self.item_price.id})
                # positive control: the editor reads them all
                self.assertEqual(self._ids_read(self.editor, ids, channel), set(ids))
                # the unit's knowledge manager reads its own items (draft, expired) besides the valid ones
                self.assertEqual(self._ids_read(self.unit_user_a, ids, channel), set(ids))
                self.assertEqual(self._ids_read(self.unit_user_b, ids, channel), {self.item_price.id})
                found = self._rpc(channel, self.agent, "hotline.knowledge.item", "search_knowledge",
                                  query="停水")
                self.assertEqual(found, [], "an expired item is not suggested over any channel")
        self.assertRpcDenied(self.agent, "hotline.knowledge.item", "read", [self.draft.id], fields=["answer"])
        # portal users read their own unit's items only, not the rest of the knowledge base
        other = self._published_item("路灯报修电话", self.kcat_water, "路灯", "拨打市政热线报修。", unit=self.unit_b)
        for channel in ("json2", "xmlrpc"):
            self.assertEqual(self._ids_read(self.portal_a, [other.id, self.item_price.id], channel),
                             {self.item_price.id})
            self.assertEqual(self._ids_read(self.unit_user_a, [other.id], channel), {other.id},
                             "an internal unit user reads the valid items (positive control)")
            self.assertEqual(self._rpc(channel, self.portal_a, "hotline.knowledge.item", "search_knowledge",
                                       query="路灯"), [])
        self.assertRpcDenied(self.plain_user, "hotline.knowledge.item", "search_knowledge", query="水价")
        # malformed arguments are ignored, not a server error
        for channel in self.CHANNELS:
            found = self._rpc(channel, self.agent, "hotline.knowledge.item", "search_knowledge", query="水价",
                              limit="many", case_category_id="x", match_all=True)
            self.assertEqual([row["id"] for row in found], [self.item_price.id])
            self.assertEqual(self._rpc(channel, self.agent, "hotline.case", "search_similar_cases", query="水价",
                                       limit=[1], exclude_id="y"), [])
        self.assertRpcDenied(self.plain_user, "hotline.knowledge.item", "search_read", fields=["name"])

    def test_nobody_but_editors_publishes(self):
        self.draft.with_user(self.unit_user_a).action_submit()
        for user in (self.agent, self.dispatcher, self.reviewer, self.unit_user_a, self.unit_user_b, self.portal_a,
                     self.plain_user):
            self.assertRpcDenied(user, "hotline.knowledge.item", "action_approve", [self.draft.id])
            self.assertRpcDenied(user, "hotline.knowledge.item", "write", [self.draft.id],
                                 vals={"state": "published"})
        self.assertEqual(self.draft.state, "pending")
        self.assertRpcDenied(self.editor, "hotline.knowledge.item", "action_send_back", [self.draft.id],
                             reason=["not", "text"])
        # positive control over /json/2: the editor approves
        self._rpc("json2", self.editor, "hotline.knowledge.item", "action_approve", [self.draft.id])
        self.assertEqual(self.draft.state, "published")

    def test_units_write_only_their_drafts(self):
        for user in (self.unit_user_b, self.agent, self.plain_user):
            self.assertRpcDenied(user, "hotline.knowledge.item", "write", [self.draft.id], vals={"answer": "篡改"})
            self.assertRpcDenied(user, "hotline.knowledge.item", "create", vals_list=[{
                "name": "冒充自来水公司", "category_id": self.kcat_water.id, "unit_id": self.unit_a.id,
                "answer": "x"}])
        self.assertRpcDenied(self.unit_user_a, "hotline.knowledge.item", "write", [self.item_price.id],
                             vals={"answer": "直接改已发布的答复"})
        self.assertRpcDenied(self.portal_a, "hotline.knowledge.item", "write", [self.draft.id],
                             vals={"origin_id": self.item_price.id})
        # positive controls: the internal and the portal knowledge managers edit the draft
        for channel, user in (("json2", self.unit_user_a), ("xmlrpc", self.portal_a)):
            self._rpc(channel, user, "hotline.knowledge.item", "write", [self.draft.id], vals={"keywords": "水表移位"})
        self.assertEqual(self.draft.keywords, "水表移位")

    def test_case_links_usage_and_logs(self):
        case = self._new_case()
        for user in (self.unit_user_a, self.portal_a, self.plain_user):
            self.assertRpcDenied(user, "hotline.case", "action_use_knowledge", [case.id], item_id=self.item_price.id)
        self.assertRpcDenied(self.agent, "hotline.case", "write", [case.id],
                             vals={"knowledge_item_ids": [[4, self.item_expired.id]]})
        self.assertRpcDenied(self.agent, "hotline.case", "action_use_knowledge", [case.id],
                             item_id=self.item_expired.id)
        self.assertRpcDenied(self.agent, "hotline.knowledge.search.log", "search_read", fields=["query"])
        self.assertRpcDenied(self.unit_user_a, "hotline.knowledge.usage", "search_read", fields=["item_id"])
        self.assertRpcDenied(self.agent, "hotline.knowledge.usage", "create",
                             vals_list=[{"item_id": self.item_price.id, "case_id": case.id,
                                         "user_id": self.agent.id, "kind": "inserted"}])
        self.assertRpcDenied(self.agent, "hotline.knowledge.kpi", "compute", date_from="2000-01-01",
                             date_to="2100-01-01")
        # positive control
        result = self._rpc("json2", self.agent, "hotline.case", "action_use_knowledge", [case.id],
                           item_id=self.item_price.id)
        self.assertEqual(result["resolution_note"], self.item_price.answer)
        self.assertEqual(case.knowledge_item_ids, self.item_price)
