# 12319 hotline: the two commands a newcomer needs are `make run` and `make test`.
DB ?= hotline
PORT ?= 8069
ODOO := scripts/odoo

.PHONY: setup run test test-odoo test-e2e lint bench pbx-rig ami-bridge demo-floor import backup clean-db help

help:
	@echo "make run    set up, create/update database '$(DB)' with demo data, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   set up, run every test on fresh databases, print 'N passed, N failed'"
	@echo "make lint   ruff and pylint-odoo over the Python sources"
	@echo "make test-odoo ADDON=hotline_case   one addon's Odoo tests"
	@echo "make test-e2e                        the end-to-end suite under tests/"
	@echo "make import FROM=<folder|workbook|db url> [MAPPING=file.toml] [SOURCE=code] [ARGS=--dry-run]"
	@echo "make backup  base backup + file store + logical dump of DB (scripts/backup.sh, docs/backup.md)"
	@echo "make pbx-rig | ami-bridge | bench | clean-db"

setup:
	@scripts/setup.sh

run: setup
	@DB=$(DB) PORT=$(PORT) scripts/run.sh

test: setup
	@.venv/bin/python scripts/run_tests.py

test-odoo: setup
	@.venv/bin/python scripts/run_tests.py --stage odoo $(if $(ADDON),--addon $(ADDON))

test-e2e: setup
	@.venv/bin/python scripts/run_tests.py --stage pytest

lint: setup
	@.venv/bin/ruff check . && .venv/bin/pylint --rcfile=.pylintrc addons

bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; .venv/bin/python $$b || exit 1; done

pbx-rig: setup
	@scripts/pbx-rig.sh start

ami-bridge: setup
	@$(ODOO) hotline_ami -d $(DB)

# A demo database's floor played live (calls, answers, pauses, bursts) through the AMI ingestion; the demo's
# scheduled job plays it every minute anyway, this every few seconds.
demo-floor: setup
	@$(ODOO) hotline_demo_floor -d $(DB)

# Legacy migration (hotline_migration): install the addon, then import; ARGS=--dry-run validates only.
MAPPING ?= addons/hotline_migration/examples/legacy_12319.toml
SOURCE ?= legacy
import: setup
	@test -n "$(FROM)" || { echo "make import FROM=<CSV/XLSX folder, .xlsx workbook or mysql://... URL>"; exit 2; }
	@$(ODOO) -d $(DB) -i hotline_migration --stop-after-init --http-port $(PORT) --log-level=warn
	@$(ODOO) hotline_import -d $(DB) --from "$(FROM)" --mapping "$(MAPPING)" --source $(SOURCE) \
		--report migration-report/$(SOURCE) $(ARGS)

# Backups (docs/backup.md): BACKUP_DIR=/var/backups/hotline by default; PGHOST/PGPORT pick the cluster.
backup:
	@HOTLINE_DB=$(DB) FILESTORE=$${FILESTORE:-.odoo/data/filestore/$(DB)} scripts/backup.sh all

clean-db:
	dropdb --if-exists $(DB)
