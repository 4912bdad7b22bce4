import secrets

from . import controllers, models


def _post_init_hook(env):
    """Cases taken before this module get a retrieval code of their own (the column default gives one to all)."""
    env.cr.execute("SELECT id FROM hotline_case")
    ids = [row[0] for row in env.cr.fetchall()]
    for start in range(0, len(ids), 10000):
        chunk = ids[start:start + 10000]
        codes = [f"{secrets.randbelow(10 ** 6):06d}" for _id in chunk]
        env.cr.execute(
            "UPDATE hotline_case c SET hotline_retrieval_code = v.code "
            "FROM unnest(%s::int[], %s::varchar[]) AS v(id, code) WHERE c.id = v.id", (chunk, codes))
