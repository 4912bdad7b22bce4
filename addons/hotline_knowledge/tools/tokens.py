"""Chinese text as index terms without a database extension.

PostgreSQL's 'simple' parser keeps a run of Chinese characters as one word, so the documents are cut into
overlapping character bigrams (SQL function hotline_knowledge_bigrams, created by hotline.knowledge.item's
init) and the queries the same way here: a query of n Chinese characters is n-1 bigrams that must all be
present. Traditional characters are folded to simplified on both sides, and pinyin initials of titles and
keywords are indexed as `py` + initials bigrams so that `gjj` finds 公积金.
"""
import re

try:
    import opencc
    _T2S = opencc.OpenCC("t2s")
except ImportError:  # the manifest lists it; keep the module importable for the registry check
    _T2S = None
try:
    from pypinyin import Style, lazy_pinyin
except ImportError:
    lazy_pinyin = None

# one run of Chinese characters, or one run of latin letters and digits (the same classes as the SQL function)
RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
PINYIN_PREFIX = "py"

# The SQL twin of document_terms' tokenisation, used for documents (items and closed cases, backfill included).
BIGRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION hotline_knowledge_bigrams(doc text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(
        CASE WHEN run ~ '^[a-z0-9]+$' OR length(run) = 1 THEN run
             ELSE (SELECT string_agg(substr(run, i, 2), ' ') FROM generate_series(1, length(run) - 1) AS i)
                  || ' ' || right(run, 1)
        END, ' '), '')
    FROM regexp_matches(lower(coalesce(doc, '')), '[㐀-䶿一-鿿]+|[a-z0-9]+', 'g') AS m(parts),
         LATERAL (SELECT parts[1] AS run) AS r
$$;
"""


def to_simplified(text):
    text = text or ""
    return _T2S.convert(text) if _T2S and text else text


def run_terms(run):
    """Query terms of one run: a latin word as is, Chinese as bigrams (one character alone stays itself)."""
    if not CJK.match(run) or len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def document_terms(text):
    """Python twin of the SQL function (tests check they agree). A Chinese run also gives its last character
    alone, so that a one-character query (a prefix search) finds every place the character occurs."""
    terms = []
    for run in RUN.findall(to_simplified(text).lower()):
        terms.extend(run_terms(run))
        if len(run) > 1 and CJK.match(run):
            terms.append(run[-1])
    return terms


def pinyin_initials(text):
    """公积金提取 -> gjjtq: the first letters of the Chinese characters only."""
    if not lazy_pinyin:
        return ""
    chars = "".join(CJK.findall(to_simplified(text)))
    return "".join(lazy_pinyin(chars, style=Style.FIRST_LETTER)).lower() if chars else ""


def pinyin_terms(text):
    """Initials bigrams of each phrase (title, keyword), as `py` + two letters."""
    terms = []
    for phrase in re.split(r"[\s,，;；、/]+", text or ""):
        initials = pinyin_initials(phrase)
        if len(initials) >= 2:
            terms.extend(PINYIN_PREFIX + initials[i:i + 2] for i in range(len(initials) - 1))
    return terms


def _quote(term):
    return "'" + term.replace("'", "''").replace("\\", "\\\\") + "'"


def query_tsquery(query, match_all=True):
    """A tsquery text for what the agent typed, or '' when nothing is searchable.

    Each Chinese run must have all its bigrams (a phrase); with match_all every run is required (search box),
    otherwise any run ranks (suggestions from a long description). A latin run of letters may also be pinyin
    initials: the word itself OR all its initials bigrams.
    """
    groups = []
    for run in RUN.findall(to_simplified(query).lower()):
        terms = run_terms(run)
        if len(terms) == 1 and len(run) == 1 and CJK.match(run):
            groups.append(_quote(run) + ":*")  # bigrams starting with it, and the run-final character
            continue
        group = " & ".join(_quote(t) for t in terms)
        if len(terms) > 1:
            group = f"({group})"
        if run.isalpha() and run.isascii() and len(run) >= 2:
            initials = " & ".join(_quote(PINYIN_PREFIX + run[i:i + 2]) for i in range(len(run) - 1))
            group = f"({group} | ({initials}))"
        groups.append(group)
    if not groups:
        return ""
    if match_all:
        return " & ".join(groups)
    # suggestions: every bigram of the description counts on its own, the best covered items rank first
    terms = []
    for run in RUN.findall(to_simplified(query).lower()):
        terms.extend(run_terms(run))
    return " | ".join(_quote(t) for t in dict.fromkeys(terms))
