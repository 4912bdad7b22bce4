from . import test_knowledge_portal
