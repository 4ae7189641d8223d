# Two commands do everything on a fresh clone: `make plan` and `make test`.
# Every target creates or refreshes the uv environment from uv.lock first.

PYTHON ?= python3
# uv from PATH, else the copy `python3 -m pip install uv` puts next to the interpreter.
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
# Sync once per change of the lock (a stamp), then run without re-checking the environment:
# with compile-bytecode on, every implicit sync re-verifies ~20k files (about a second).
VENV_STAMP := .venv/.synced
RUN := $(UV) run --no-sync

STACK ?= dev
FORMAT ?= text
CONFIG ?=
PLAN_TARGET := $(if $(CONFIG),--config $(CONFIG),--stack $(STACK))

.DEFAULT_GOAL := help
.PHONY: help bootstrap plan test lint format bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

bootstrap: $(VENV_STAMP) ## install uv with pip when it is missing, then the locked environment

$(VENV_STAMP): pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --locked
	@touch $@

plan: bootstrap ## offline plan of a stack: STACK=dev|staging|prod or CONFIG=path, FORMAT=text|json
	@$(RUN) python -m planner $(PLAN_TARGET) --format $(FORMAT)

test: bootstrap ## lint, then the whole test suite
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) pytest

lint: bootstrap ## ruff lint and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: bootstrap ## apply ruff fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

bench: bootstrap ## wall time and peak memory of the offline plan per stack
	$(RUN) python bench/plan_bench.py

# Post-deploy check (delivery/verify.py): needs AWS credentials for the stack's account.
VERIFY_ARGS ?=
.PHONY: verify
verify: bootstrap ## check a deployed stack against its plan: STACK=dev|staging|prod or CONFIG=path
	@$(RUN) python -m delivery.verify --stack-file $(if $(CONFIG),$(CONFIG),stacks/Pulumi.$(STACK).yaml) $(VERIFY_ARGS)

# The README's prod cost floor, deploy time and Mermaid component diagram (planner/readme.py).
.PHONY: diagram
diagram: bootstrap ## regenerate the prod cost floor and component diagram in README.md
	$(RUN) python -m planner.readme
