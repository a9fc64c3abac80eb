# ShopDesk - the two commands first:
#   make run    install what is missing, start the local cloud, provision template.yaml,
#               seed the demo shop, serve the admin UI and API on http://127.0.0.1:8000
#   make test   install what is missing and run the whole suite
# Everything installs itself on a fresh Debian machine (root or sudo for apt packages).

SHELL := bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY_VERSION_OK := $(shell python3 -c 'import sys; print(int(sys.version_info >= (3, 11)))' 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := openjdk-17-jre-headless chromium fonts-wqy-microhei
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1
export SAM_CLI_TELEMETRY := 0

.PHONY: help run test test-python test-frontend test-e2e lint audit lock bench fuzz deploy setup \
        system-packages python-deps node-deps frontend clean-data stop backup restore redrive types

help:
	@echo "make run     - the whole system at http://127.0.0.1:$(PORT) (demo logins printed)"
	@echo "make test    - the whole test suite (unit, integration, contract, frontend, browser)"
	@echo "make lint    - ruff, mypy, cfn-lint, sam validate --lint, vue-tsc, dependency audit"
	@echo "make lock    - re-lock requirements/*.txt (with hashes) from requirements/*.in"
	@echo "make types   - regenerate frontend/src/api/schema.d.ts from the API's OpenAPI document"
	@echo "make bench   - benchmarks (ratios against a baseline measured in the same run)"
	@echo "make fuzz    - the deeper API fuzz pass, all roles (FUZZ_ARGS='--examples 50')"
	@echo "make deploy  - sam build + sam deploy to your AWS account (see docs/deploy.md)"
	@echo "make stop    - stop a 'make run' started elsewhere"
	@echo "make backup  - every record, upload, key and login of the local shop in one archive (stopped)"
	@echo "make restore ARCHIVE=... - put an archive back (the current data folder is kept aside)"
	@echo "make redrive - run again the stream batches that failed past their retries (docs/security.md)"

# ---------------------------------------------------------------- installing what is missing
system-packages:
	@missing=""
	command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])' || missing="$$missing openjdk-17-jre-headless"
	command -v chromium >/dev/null || missing="$$missing chromium"
	fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy' || missing="$$missing fonts-wqy-microhei"
	command -v node >/dev/null || missing="$$missing nodejs npm"
	if [ -n "$$missing" ]; then
	  echo "Installing Debian packages:$$missing"
	  $(SUDO) apt-get update -qq
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null
	fi

# requirements/*.in say what we ask for; requirements/*.txt are the locks (`make lock`): every
# package pinned with the sha256 of each of its files on PyPI, installed with --require-hashes
# (a file that differs from the one locked is refused, whichever index or mirror served it), and
# --no-deps: the lock is the whole closure, and pip would otherwise take a dependency asked for
# with extras (boto3[crt]) as a second, unpinned requirement.
$(VENV)/.installed: requirements/runtime.txt requirements/dev.txt
	@[ "$(PY_VERSION_OK)" = 1 ] || { echo "Python 3.11+ is needed (python3)"; exit 1; }
	[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade "pip<26.3"  # chalice 1.34 requires pip<26.3
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.txt
	touch $@

python-deps: $(VENV)/.installed

LOCK := $(VENV)/bin/uv pip compile --universal --python-version 3.11 --generate-hashes --quiet \
        --custom-compile-command "make lock"
lock:
	[ -x $(VENV)/bin/uv ] || { [ -x $(PY) ] || python3 -m venv $(VENV); $(PY) -m pip install -q "$$(grep '^uv==' requirements/dev.in)"; }
	$(LOCK) requirements/runtime.in -o requirements/runtime.txt
	$(LOCK) requirements/dev.in -c requirements/runtime.txt -o requirements/dev.txt
	$(LOCK) requirements/sam.in -o requirements/sam.txt

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	(cd frontend && npm ci --no-audit --no-fund --loglevel=error)
	touch $@

infra/localcloud/node_modules/.installed: infra/localcloud/package.json infra/localcloud/package-lock.json
	(cd infra/localcloud && npm ci --no-audit --no-fund --loglevel=error)
	touch $@

node-deps: frontend/node_modules/.installed infra/localcloud/node_modules/.installed

FRONTEND_SOURCES := $(shell find frontend/src frontend/public frontend/index.html frontend/vite.config.ts -type f 2>/dev/null)
frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent

frontend: frontend/dist/index.html

setup: system-packages python-deps node-deps frontend

# ---------------------------------------------------------------- the two commands
run: setup
	$(PY) -m infra.run --port $(PORT)

test: setup
	$(MAKE) --no-print-directory test-python test-frontend test-e2e

test-python: python-deps frontend/node_modules/.installed
	$(PY) -m pytest -p no:cacheprovider tests/unit tests/contract tests/integration

test-frontend: frontend/node_modules/.installed
	cd frontend && npx vitest run

# Browser tests against a fresh system of their own (temporary data folder, free port).
test-e2e: setup
	$(PY) -m infra.with_system -- bash -c 'cd frontend && npx playwright test'

stop:
	@pid=$$(cat .data/localcloud.lock 2>/dev/null | tr -dc 0-9); \
	if [ -n "$$pid" ] && kill -0 $$pid 2>/dev/null; then kill -INT $$pid && echo "stopping ShopDesk (pid $$pid)"; \
	else echo "ShopDesk is not running"; fi

# One archive of the local shop: every table, every uploaded file, the keys and the logins
# (infra/backup.py; docs/security.md, 15.). ShopDesk must be stopped: `make stop` first.
backup: python-deps
	$(PY) -m infra.backup create $(if $(OUT),--out "$(OUT)")

restore: python-deps
	@if [ -z "$(ARCHIVE)" ]; then echo "Usage: make restore ARCHIVE=.data/backups/shopdesk-<time>.tar.gz"; \
	  ls -1t .data/backups/*.tar.gz 2>/dev/null | head -5 | sed 's/^/  /'; exit 2; fi
	$(PY) -m infra.backup restore "$(ARCHIVE)"

# The failed stream batches of the running local system (REDRIVE_ARGS="--aws --stack NAME" for AWS).
redrive: python-deps
	$(PY) -m infra.redrive $(REDRIVE_ARGS)

clean-data:
	@echo "This deletes every record, upload and login of the local shop in .data/."
	@read -p "Type yes to continue: " ok && [ "$$ok" = yes ] && rm -rf .data && echo deleted

# ---------------------------------------------------------------- quality, speed, deploy
$(VENV)-sam/bin/sam: requirements/sam.txt
	[ -x $(VENV)-sam/bin/python ] || python3 -m venv $(VENV)-sam
	$(VENV)-sam/bin/pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements/sam.txt
	touch $@

lint: python-deps node-deps $(VENV)-sam/bin/sam
	$(VENV)/bin/ruff check shared functions infra tests
	$(VENV)/bin/mypy shared
	$(VENV)/bin/cfn-lint template.yaml
	$(VENV)-sam/bin/sam validate --lint --region us-east-1
	(cd frontend && npx vue-tsc --noEmit)
	$(MAKE) --no-print-directory audit

# Known advisories: pip-audit on the locks, npm audit on the shipped npm packages. Both need
# their advisory service; where it cannot be reached (this machine's registries proxy allows
# installs only) the step says so and the last full audit stands (docs/security.md, 14.).
audit: python-deps node-deps
	$(PY) -m infra.audit

# The SPA's TypeScript types of the API, from the OpenAPI document (a contract test checks them).
types: python-deps frontend/node_modules/.installed
	$(PY) -m infra.openapi_types

bench: setup
	$(PY) -m tests.bench.run $(BENCH_ARGS)

# The API fuzzed from its OpenAPI document as every built-in role, on a system of its own
# (docs/api.md#fuzzing); `make test` runs a bounded pass of the same.
fuzz: setup
	$(PY) -m tests.fuzz.deep $(FUZZ_ARGS)

# --language-extensions: the template's Fn::ForEach (docs/architecture.md); CAPABILITY_AUTO_EXPAND
# lets CloudFormation run its transforms.
deploy: $(VENV)-sam/bin/sam frontend
	SHOPDESK_ROOT=$(CURDIR) $(VENV)-sam/bin/sam build --language-extensions
	$(VENV)-sam/bin/sam deploy --guided --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND
	@echo "Then upload frontend/dist to the stack's AdminSiteBucketName (docs/deploy.md)."
