# Two commands do everything on a fresh clone: `make plan` and `make test`.
# Every target first makes the locked environment ready (bin/bootstrap): uv from PATH, else a
# private copy in .tools/uv-venv (bin/bootstrap-uv, PEP 668-safe), then `uv sync --locked` once
# per change of uv.lock or pyproject.toml. Set-up output goes to stderr, and recipes are not
# echoed, so stdout carries only what a target prints (`make plan FORMAT=json > plan.json`).

PYTHON ?= python3
export PYTHON
# Python caches the bytecode of what it imports (the environment's and pytest's rewritten test
# modules) from the second run on, even where the shell sets PYTHONDONTWRITEBYTECODE (.venv and
# __pycache__ are git-ignored).
unexport PYTHONDONTWRITEBYTECODE
# uv's path: the `bootstrap` prerequisite has made sure there is one before any recipe expands this.
UV = $(shell bin/bootstrap-uv)
RUN = $(UV) run --no-sync

STACK ?= dev
FORMAT ?= text
CONFIG ?=
# REGISTRY=empty plans a first deploy: no model family has an approved version yet.
REGISTRY ?=
# Quoted: a CONFIG path may hold spaces (a stack name may not: Pulumi refuses it).
PLAN_TARGET := $(if $(CONFIG),--config "$(CONFIG)",--stack "$(STACK)")$(if $(REGISTRY), --registry "$(REGISTRY)")

.DEFAULT_GOAL := help
.PHONY: help bootstrap plan test lint typecheck format bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

bootstrap: ## install uv when it is missing (into .tools/uv-venv), then the locked environment
	@bin/bootstrap >/dev/null

# Exits non-zero on a mandatory policy violation or an invalid stack file (make reports any failure
# as 2); bin/plan, which this runs, exits with the planner's own 0 / 1 / 2 / 3.
plan: ## offline plan of a stack: STACK=<name> or CONFIG=path, FORMAT=text|json|mermaid|loop, REGISTRY=empty
	@bin/plan $(PLAN_TARGET) --format "$(FORMAT)"

# The suite runs on every core (pytest-xdist); each stack document is recorded once per run, by
# whichever worker needs it first (tests/recorded.py). `worksteal` rebalances the tail: a few
# tests take seconds, most milliseconds. PYTEST_ARGS adds options (`make test PYTEST_ARGS=-x`).
# pytest's own settings (plugins left out, tmp_path retention) are pyproject.toml's
# [tool.pytest.ini_options]: plain `pytest` runs with them too.
PYTEST_ARGS ?=
test: bootstrap ## lint, then the whole test suite
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) pytest -n auto --dist worksteal $(PYTEST_ARGS)

lint: bootstrap ## ruff lint and format check, then the type check
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

# mypy with the [tool.mypy] settings of pyproject.toml (the product packages). Not part of `make
# test`: a cold run analyses the installed SDKs for minutes; warm (.mypy_cache) it takes seconds.
typecheck: bootstrap ## mypy type check of the product packages (settings: pyproject.toml [tool.mypy])
	$(RUN) mypy

format: bootstrap ## apply ruff fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

# bench/run.py: each figure of issue 18 (plan warm/cold, 200 endpoints, and bench/suite_bench.py,
# bench/setup_bench.py when present) with its spread and target; QUICK=1 skips the slow figures.
QUICK ?=
BENCH_ARGS ?=
bench: bootstrap ## speed figures against their targets (QUICK=1: skip the slow ones), then malformed stack files
	$(RUN) python bench/run.py $(if $(QUICK),--quick) $(BENCH_ARGS)
	$(RUN) python bench/malformed_bench.py

.PHONY: package package-sizes
package: bootstrap ## build the distribution other teams install (wheel and sdist in dist/)
	$(UV) build --no-build-isolation --out-dir dist

package-sizes: bootstrap ## installed size of the package's base install and of each extra
	$(RUN) python bench/package_sizes.py

# Post-deploy check (delivery/verify.py): needs AWS credentials for the stack's account.
VERIFY_ARGS ?=
.PHONY: verify
verify: bootstrap ## check a deployed stack against its plan: STACK=<name> or CONFIG=path
	@$(RUN) python -m delivery.verify --stack-file "$(if $(CONFIG),$(CONFIG),stacks/Pulumi.$(STACK).yaml)" $(VERIFY_ARGS)

# docs/cost.md: the prod cost floor, deploy time and Mermaid component diagram; README.md: the
# prod MLOps loop (planner/readme.py).
.PHONY: diagram
diagram: bootstrap ## regenerate the prod cost floor and diagrams in docs/cost.md and the README's loop
	$(RUN) python -m planner.readme
