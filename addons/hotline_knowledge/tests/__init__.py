from . import test_knowledge_search
from . import test_knowledge_workflow
from . import test_knowledge_case
from . import test_knowledge_access
from . import test_knowledge_tour
from . import test_knowledge_import
