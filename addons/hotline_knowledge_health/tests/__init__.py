from . import test_knowledge_health
