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


def query_tsquery(query):
    """A tsquery text for what the agent typed in a search box, or '' when nothing is searchable.

    Each Chinese run must have all its bigrams (a phrase) and every run is required. A latin run of letters may
    also be pinyin initials: the word itself OR all its initials bigrams.
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
    return " & ".join(groups)


# Bigrams of what callers say around their question: in most descriptions and many items, they would make
# every item a candidate. Left out of the suggestions (not of the search box).
STOP_BIGRAMS = frozenset("""
市民 民来 来电 电反 反映 反应 请问 问一 一下 什么 怎么 么办 办理 需要 要什 哪里 多少 少钱 我们 你们 他们 现在
已经 没有 不是 可以 能否 希望 处理 尽快 问题 情况 相关 部门 家里 家中 今天 昨天 晚上 上午 下午 这个 那个 一个
咨询 想问 知道 告诉 谢谢 你好 您好 如何 为什 为何 是否 时候 什么 的话 然后 但是 因为 所以 还是 或者 就是
""".split())
MAX_SUGGEST_BIGRAMS = 48


def suggest_tsqueries(description):
    """(candidates, ranking) tsquery texts for suggestions from a description, or ('', '').

    A candidate shares a three-character phrase with the description (two consecutive bigrams: far fewer rows
    than any single bigram); candidates are ranked on every bigram of the description. Filler bigrams are left
    out; a description of single words (no phrase of three characters) falls back to any bigram.
    """
    pairs, singles = [], []
    for run in RUN.findall(to_simplified(description).lower()):
        terms = [t for t in run_terms(run) if len(t) > 1 or not CJK.match(t)]
        kept = [t if t not in STOP_BIGRAMS else None for t in terms]
        singles.extend(t for t in kept if t)
        pairs.extend((a, b) for a, b in zip(kept, kept[1:], strict=False) if a and b)
    singles = list(dict.fromkeys(singles))[-MAX_SUGGEST_BIGRAMS:]
    pairs = list(dict.fromkeys(pairs))[-MAX_SUGGEST_BIGRAMS:]
    if not singles:
        return "", ""
    ranking = " | ".join(_quote(t) for t in singles)
    candidates = " | ".join(f"({_quote(a)} & {_quote(b)})" for a, b in pairs) if pairs else ranking
    return candidates, ranking


def as_id(value, default=0):
    """A record id or a count from an RPC argument: a positive int, else `default` (a malformed argument is
    treated as absent rather than raising a server error)."""
    if isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if 0 < number <= 2**31 - 1 else default
