"""Health words kept as facts.

The every-minute job must not write sentences: it runs in no one's language and in UTC, so what it wrote
read English with UTC times until someone pressed 立即检查. A message is stored as its English source,
its addon and its arguments (moments in UTC, durations in seconds, other messages), and worded when read:
in the reader's language, with times in the reader's (else the center's) time zone."""

import pytz

from odoo import fields
from odoo.tools.translate import get_translated_module, get_translation


def _lt(source, /, *args, **kwargs):
    """A message to store, not a translation yet (named `_lt` so that its source is exported for translation)."""
    return {"msg": source, "module": get_translated_module(2), "args": list(args) or kwargs}


def at(value):
    """A moment, worded in the reader's time zone."""
    return {"at": fields.Datetime.to_string(value)} if value else ""


def seconds(value):
    """A duration, worded in the reader's units ("90 s", "5 min", "3 h")."""
    return {"seconds": value}


def record(value, field="name"):
    """A record's (translatable) name, worded in the reader's language."""
    return {"model": value._name, "id": value.id, "field": field}


def render(env, message, tz):
    """The message in `env`'s language, its moments in `tz` (a pytz zone)."""
    if not message:
        return ""
    if not isinstance(message, dict):
        return str(message)
    args = message.get("args") or ()
    if isinstance(args, dict):
        args = {key: _argument(env, value, tz) for key, value in args.items()}
    else:
        args = tuple(_argument(env, value, tz) for value in args)
    return get_translation(message["module"], env.lang or "en_US", message["msg"], args)


def _argument(env, value, tz):
    if not isinstance(value, dict):
        return value
    if "at" in value:
        moment = fields.Datetime.to_datetime(value["at"])
        return pytz.utc.localize(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if moment else ""
    if "seconds" in value:
        return env["hotline.health.check"]._duration(value["seconds"])
    if "model" in value:
        found = env[value["model"]].sudo().with_context(active_test=False).browse(value["id"]).exists()
        return found[value["field"]] if found else ""
    return render(env, value, tz)
