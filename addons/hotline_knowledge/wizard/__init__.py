from . import hotline_knowledge_wizards
