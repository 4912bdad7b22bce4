from . import hotline_knowledge_wizards
from . import hotline_knowledge_import
