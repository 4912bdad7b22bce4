from odoo.tests import tagged

from ..tools import tokens
from .common import KnowledgeCommon


@tagged("post_install", "-at_install")
class TestKnowledgeSearch(KnowledgeCommon):
    """Known answers of the bigram search: what an agent types finds the right item, and only it."""

    def test_chinese_queries_of_two_three_four_characters(self):
        self.assertEqual(self._search_names("燃气"), ["燃气过户需要哪些材料"])
        self.assertEqual(self._search_names("公积金"), ["住房公积金提取条件"])
        self.assertEqual(self._search_names("阶梯水价"), ["居民阶梯水价标准"])
        # the bigrams must all be there: 水价 and 阶梯 are both in the item, 阶价 is not a word of it
        self.assertEqual(self._search_names("梯价"), [])
        self.assertEqual(self._search_names("供暖"), [])

    def test_words_anywhere_answer_and_keywords(self):
        # 营业厅 only in the answer, 租房提取 only in the keywords
        self.assertEqual(self._search_names("营业厅"), ["燃气过户需要哪些材料"])
        self.assertEqual(self._search_names("租房提取"), ["住房公积金提取条件"])
        # two words typed: both required
        self.assertEqual(self._search_names("水价 第二阶梯"), ["居民阶梯水价标准"])
        self.assertEqual(self._search_names("水价 公积金"), [])

    def test_one_character_query(self):
        # 价 ends 水价 in the title: the run-final character is indexed for one-character queries
        self.assertIn("居民阶梯水价标准", self._search_names("价"))
        self.assertNotIn("住房公积金提取条件", self._search_names("价"))

    def test_traditional_characters(self):
        self.assertEqual(self._search_names("燃氣過戶"), ["燃气过户需要哪些材料"])
        self.assertEqual(self._search_names("公積金"), ["住房公积金提取条件"])

    def test_pinyin_initials(self):
        self.assertEqual(self._search_names("gjj"), ["住房公积金提取条件"])
        self.assertEqual(self._search_names("jtsj"), ["居民阶梯水价标准"])
        self.assertEqual(self._search_names("rqgh"), ["燃气过户需要哪些材料"])
        self.assertEqual(self._search_names("xyz"), [])

    def test_only_items_valid_today(self):
        self.assertEqual(self._search_names("停水"), [], "the expired and the future items are not suggested")
        # the editor sees them in the list, yet the suggestions are what is valid today for everybody
        self.assertEqual(self._search_names("停水", user=self.editor), [])
        self.item_expired.sudo().date_end = self.today
        self.assertEqual(self._search_names("停水"), ["旧版停水通知规定"])

    def test_ranking_and_category_boost(self):
        # suggestions from a description: the items sharing a three-character phrase with it, filler left out
        description = "市民来电反映，想问一下燃气过户怎么办理，水费也要交吗"
        self.assertEqual(self._search_names(description, match_all=False), ["燃气过户需要哪些材料"])
        self.assertEqual(self._search_names("市民来电反映请问怎么办理", match_all=False), [], "filler only")
        # words of two characters only: any of them; one bigram each, in title or keywords: the item of the case's
        # category (or of its parent's) first
        self.assertEqual(set(self._search_names("水费 过户", match_all=False)),
                         {"居民阶梯水价标准", "燃气过户需要哪些材料"})
        for category in (self.cat_water, self.cat_no_water):
            boosted = self._search_names("水费 过户", match_all=False, case_category_id=category.id)
            self.assertEqual(boosted, ["居民阶梯水价标准", "燃气过户需要哪些材料"])
        self.assertEqual(self._search_names("水费 过户", match_all=False, case_category_id=self.cat_road.id)[0],
                         "燃气过户需要哪些材料")
        # more of the description's bigrams in an item rank it higher
        names = self._search_names("阶梯水价标准 水费", match_all=False)
        self.assertEqual(names, ["居民阶梯水价标准"])
        # nothing typed yet: the category alone suggests its items
        self.assertEqual(self._search_names("", match_all=False, case_category_id=self.cat_water.id),
                         ["居民阶梯水价标准"])
        self.assertEqual(self._search_names("", match_all=False), [])

    def test_screen_pop_from_the_callers_previous_cases(self):
        """Before any category is chosen, the categories of the caller's last cases suggest their items."""
        previous = self._new_case(category_id=self.cat_no_water.id)
        partner = previous.partner_id
        self.assertTrue(partner)
        self.assertEqual(self._search_names("", match_all=False, partner_id=partner.id), ["居民阶梯水价标准"])
        # a chosen category wins over the caller's history
        self.assertEqual(self._search_names("", match_all=False, partner_id=partner.id,
                                            case_category_id=self.cat_road.id), [])
        self.assertEqual(self._search_names("", match_all=False, partner_id=self.agent.partner_id.id), [])
        # a unit user learns nothing of a caller's cases through it
        self.assertEqual(self._search_names("", match_all=False, partner_id=partner.id, user=self.unit_user_a), [])

    def test_candidates_cap(self):
        """Past CANDIDATES matches the ranking is over the first ones found, the case's category first."""
        from ..models import hotline_knowledge_item as module  # noqa: PLC0415

        self.assertEqual(len(self._search_names("元")), 2, "元 ends a run in two answers")
        self.patch(module, "CANDIDATES", 1)
        self.assertEqual(len(self._search_names("元")), 1)
        for _i in range(3):
            boosted = self._search_names("水费 过户", match_all=False, case_category_id=self.cat_water.id)
            self.assertIn("居民阶梯水价标准", boosted, "the category's candidates are taken first")

    def test_changes_are_indexed_on_write(self):
        self.item_fund.with_user(self.editor).write({"keywords": "公积金提取,离职提取"})
        self.assertEqual(self._search_names("离职"), ["住房公积金提取条件"])
        self.assertEqual(self._search_names("租房提取"), [], "the old keyword is gone")
        self.assertEqual(self._search_names("租房自住"), ["住房公积金提取条件"], "in the answer")
        self.item_fund.with_user(self.editor).write({"answer": "请到公积金中心咨询。"})
        self.assertEqual(self._search_names("租房自住"), [])

    def test_sql_and_python_tokenisers_agree(self):
        text = "燃气过户，需带ID卡 12319 热线；公積金"
        self.env.cr.execute("SELECT hotline_knowledge_bigrams(%s)", [tokens.to_simplified(text)])
        self.assertEqual(self.env.cr.fetchone()[0].split(), tokens.document_terms(text))
        self.env.cr.execute("SELECT to_tsvector('simple', hotline_knowledge_bigrams('燃气过户'))::text")
        self.assertEqual(self.env.cr.fetchone()[0], "'户':4 '气过':2 '燃气':1 '过户':3",
                         "the database's character type keeps a Chinese bigram as one term")

    def test_queries_without_result_are_logged(self):
        Item = self.env["hotline.knowledge.item"].with_user(self.agent)
        Item.search_knowledge("违章建筑", log=True)
        Item.search_knowledge("公积金", log=True)
        Item.search_knowledge("公积金")  # suggestions are not logged
        logs = self.env["hotline.knowledge.search.log"].search([("user_id", "=", self.agent.id)])
        self.assertEqual(sorted(logs.mapped(lambda log: (log.query, log.result_count))),
                         [("公积金", 1), ("违章建筑", 0)])

    def test_nonsense_input(self):
        self.assertEqual(self._search_names("！！  ，。"), [])
        self.assertEqual(self._search_names("'&|!():*"), [])
        self.assertEqual(self._search_names("a'b"), [])
