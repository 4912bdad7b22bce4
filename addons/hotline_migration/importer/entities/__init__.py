"""The legacy entities, one class each (convert, write, count), in the order of the import: a row refers
only to entities before it."""

from .attachment import Attachments
from .base import Entity, Rejected, Skipped, text  # noqa: F401
from .call import Calls
from .case import Cases
from .caller import Callers
from .log import Logs
from .reference import Agents, Categories, Districts, Streets, Types, Units

ENTITIES = (Units, Categories, Types, Districts, Streets, Agents, Callers, Cases, Logs, Attachments, Calls)
