from odoo import api, models

# a Chinese word and the index terms it must produce (see hotline_knowledge/tools/tokens.py)
PROBE_WORD = "燃气过户"
PROBE_TERMS = ("燃气", "气过", "过户")


class HotlineHealthCheck(models.Model):
    _inherit = "hotline.health.check"

    @api.model
    def _probes(self):
        return [*super()._probes(), self._probe_knowledge_search]

    @api.model
    def _probe_knowledge_search(self):
        """The database keeps a Chinese bigram as one text-search term (character type), and the indexes exist."""
        cr = self.env.cr
        cr.execute("SHOW lc_ctype")
        ctype = cr.fetchone()[0]
        try:
            with cr.savepoint():
                cr.execute("SELECT array_to_string(tsvector_to_array(to_tsvector('simple', "
                           "hotline_knowledge_bigrams(%s))), ' ')", [PROBE_WORD])
                terms = cr.fetchone()[0].split()
        except Exception as error:  # noqa: BLE001 — any failure of the search function is the row's fact
            terms, failure = [], str(error).splitlines()[0][:200]
        else:
            failure = ""
        cr.execute("""SELECT count(*) FROM pg_indexes WHERE indexname IN
                      ('hotline_knowledge_item_search_vector_idx', 'hotline_case_knowledge_vector_idx')""")
        indexes = cr.fetchone()[0]
        missing = [term for term in PROBE_TERMS if term not in terms]
        if failure or missing:
            state = "red"
            fact = self.env._("“%(word)s” gives the index terms %(terms)s, not %(expected)s (lc_ctype %(ctype)s) "
                              "%(failure)s: Chinese search finds nothing", word=PROBE_WORD,
                              terms=" ".join(terms) or "-", expected=" ".join(PROBE_TERMS), ctype=ctype,
                              failure=failure)
        elif indexes < 2:
            state = "amber"
            fact = self.env._("a search index is missing (%(count)s of 2): searches read whole tables",
                              count=indexes)
        else:
            state = "green"
            fact = self.env._("“%(word)s” gives the index terms %(terms)s (lc_ctype %(ctype)s)", word=PROBE_WORD,
                              terms=" ".join(terms), ctype=ctype)
        return [{"key": "knowledge_search", "sequence": 70, "name": self.env._("Knowledge search (Chinese)"),
                 "state": state, "fact": fact}]
