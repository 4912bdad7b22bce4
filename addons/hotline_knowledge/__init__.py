from . import models
from . import wizard


def post_init_hook(env):
    env["hotline.case"]._knowledge_backfill()
