# Copyright: (c) 2026, upgradegate.azure contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every target bootstraps what it needs: a fresh machine needs only python3 and make.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VBIN := $(CURDIR)/$(VENV)/bin
VPY := $(VBIN)/python
STAMP := $(VENV)/.requirements.stamp
TMP := $(CURDIR)/.tmp
COLLECTION_LINK := $(TMP)/collections/ansible_collections/upgradegate/azure
SANITY_ROOT := $(TMP)/sanity/ansible_collections/upgradegate/azure
# ansible-test keeps its virtualenvs and caches under $HOME: keep them in .tmp.
ANSIBLE_TEST_HOME := $(TMP)/home
DIST := $(TMP)/dist
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := $(DIST)/upgradegate-azure-$(VERSION).tar.gz
PYTEST_WORKERS ?= 2
PYTEST := $(VPY) -m pytest -n $(PYTEST_WORKERS)
SCENARIO ?= upgradegate_emulator/scenarios/demo.yaml
# The ansible-core matrix: the oldest release meta/runtime.yml admits and the newest on the package index, each in its
# own virtualenv under .tmp/matrix on a Python it supports (found on PATH or under pyenv; tools/matrix_venv.sh).
ANSIBLE_OLDEST ?= 2.16
ANSIBLE_OLDEST_PYTHON ?= 3.10
ANSIBLE_NEWEST ?= 2.21
ANSIBLE_NEWEST_PYTHON ?= 3.13
# Modules run on the managed host's Python, which may be older than the controller's.
MODULE_PYTHON ?= 3.9
MATRIX := $(TMP)/matrix
# The integration smoke set run on every ansible-core of the matrix: info modules, the gate, the role and the playbooks.
SMOKE ?= tests/integration/test_info_modules.py tests/integration/test_wait_for_upgrade.py \
	tests/integration/test_role_and_playbooks.py tests/integration/test_role_connection.py
# The pip package (pyproject.toml), built from a copy of what git would commit and installed into a fresh virtualenv.
PIP_ROOT := $(TMP)/pip-package
PIP_VENV := $(PIP_ROOT)/venv
DEMO ?= demo

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(TMP)/collections
export ANSIBLE_HOME := $(TMP)/ansible-home
export ANSIBLE_LOCAL_TEMP := $(TMP)/ansible-local
export PATH := $(VBIN):$(PATH)

.PHONY: help setup test units integration sanity lint lint-clone build importer changelog pip-package matrix matrix-venvs \
	demo emulator bench clean distclean

help:
	@echo "make demo         set everything up, start the emulator and run the demo gate playbook (DEMO=fault: a failing one)"
	@echo "make test         the whole suite: lint (here and in a fresh clone), sanity, build, galaxy-importer, changelog,"
	@echo "                  the pip package, units and integration, and the integration smoke set on the oldest and the"
	@echo "                  newest ansible-core ($(ANSIBLE_OLDEST) on Python $(ANSIBLE_OLDEST_PYTHON), $(ANSIBLE_NEWEST) on Python $(ANSIBLE_NEWEST_PYTHON))"
	@echo "make units | integration | sanity | lint | lint-clone | build | importer | changelog | pip-package | matrix"
	@echo "make emulator | bench | clean | distclean"

# The virtualenv is created once and refreshed only when a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The repository is the collection: link it where Ansible looks for upgradegate.azure.
$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

setup: $(STAMP) $(COLLECTION_LINK)

# Everything, in one pytest run for the main virtualenv: the pip-installed commands are checked there
# (UPGRADEGATE_PIP_VENV), and a test whose tool was not prepared fails rather than skips (UPGRADEGATE_FULL_SUITE).
test: lint lint-clone sanity importer changelog pip-package matrix-venvs
	@echo "== unit and integration tests: $$($(VBIN)/ansible --version | sed -n 1p) on $$($(VPY) -V) =="
	UPGRADEGATE_PIP_VENV=$(PIP_VENV) UPGRADEGATE_MODULE_PYTHON=$(MATRIX)/module-python/bin/python UPGRADEGATE_FULL_SUITE=1 \
		$(PYTEST) tests
	$(MAKE) --no-print-directory matrix

units: setup
	$(PYTEST) tests --ignore=tests/integration

integration: setup
	$(PYTEST) tests/integration

# ansible-test needs the collection under ansible_collections/<ns>/<name>: test a copy of
# what git would commit (tracked and untracked files that are not ignored). Sanity runs on the newest ansible-core.
sanity: setup matrix-venvs
	rm -rf $(TMP)/sanity && mkdir -p $(SANITY_ROOT)
	git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c 'test ! -e "{}" || echo "{}"' \
		| tar -cf - -T - | tar -xf - -C $(SANITY_ROOT)
	cd $(SANITY_ROOT) && git init --quiet && git add --all
	pip_version=$$(sed -n "s/^ *pip='\(.*\)',/\1/p" $(MATRIX)/newest/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py); \
		mkdir -p $(ANSIBLE_TEST_HOME)/.ansible/test/cache; \
		cp tools/ansible_test_get_pip.py $(ANSIBLE_TEST_HOME)/.ansible/test/cache/get_pip_$${pip_version//./_}.py
	@echo "== ansible-test sanity: $$($(MATRIX)/newest/bin/ansible --version | sed -n 1p) on Python $(ANSIBLE_NEWEST_PYTHON) =="
	cd $(SANITY_ROOT) && PATH=$(MATRIX)/newest/bin:$$PATH HOME=$(ANSIBLE_TEST_HOME) \
		$(MATRIX)/newest/bin/ansible-test sanity --venv --python $(ANSIBLE_NEWEST_PYTHON) --color no

lint: setup
	$(VBIN)/ansible-lint --profile production --offline --nocolor

# ansible-lint as its GitHub Action runs it: a fresh clone at ansible_collections/upgradegate/azure, nothing set up,
# no .tmp/collections link, offline.
lint-clone: setup
	rm -rf $(TMP)/lint-clone && mkdir -p $(TMP)/lint-clone/ansible_collections/upgradegate/azure
	git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c 'test ! -e "{}" || echo "{}"' \
		| tar -cf - -T - | tar -xf - -C $(TMP)/lint-clone/ansible_collections/upgradegate/azure
	cd $(TMP)/lint-clone/ansible_collections/upgradegate/azure && git init --quiet && git add --all && \
		env -u ANSIBLE_CONFIG -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_HOME HOME=$(TMP)/lint-clone/home \
		$(VBIN)/ansible-lint --profile production --offline --nocolor

# antsibull-changelog's own checks on the fragments, then a release on a copy: the changelog it writes must be clean.
changelog: setup
	$(VBIN)/antsibull-changelog lint
	$(VPY) tools/changelog_release_check.py

# The pip package: a wheel built from a copy of what git would commit, installed with its dependencies into a fresh
# virtualenv (the commands are then tested by tests/packaging against the installed emulator command).
pip-package: setup
	rm -rf $(PIP_ROOT) && mkdir -p $(PIP_ROOT)/src $(PIP_ROOT)/dist
	git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c 'test ! -e "{}" || echo "{}"' \
		| tar -cf - -T - | tar -xf - -C $(PIP_ROOT)/src
	$(VPY) -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir $(PIP_ROOT)/dist $(PIP_ROOT)/src
	$(PYTHON) -m venv $(PIP_ROOT)/empty
	$(PYTHON) -m venv $(PIP_VENV)
	$(PIP_VENV)/bin/python -m pip install --quiet --disable-pip-version-check $(PIP_ROOT)/dist/*.whl
	@echo "== pip package: $$(cd $(PIP_ROOT)/dist && ls *.whl), $$(du -sk $(PIP_ROOT)/dist/*.whl | cut -f1) kB;" \
		"installed with its dependencies: $$(( $$(du -sk $(PIP_VENV) | cut -f1) - $$(du -sk $(PIP_ROOT)/empty | cut -f1) )) kB" \
		"more than an empty virtualenv =="

# One virtualenv per ansible-core of the matrix, and one with the modules' dependencies on the oldest managed-host Python.
matrix-venvs:
	tools/matrix_venv.sh $(MATRIX)/oldest $(ANSIBLE_OLDEST) $(ANSIBLE_OLDEST_PYTHON) requirements.txt tests/requirements-matrix.txt
	tools/matrix_venv.sh $(MATRIX)/newest $(ANSIBLE_NEWEST) $(ANSIBLE_NEWEST_PYTHON) requirements.txt tests/requirements-matrix.txt
	tools/matrix_venv.sh $(MATRIX)/module-python none $(MODULE_PYTHON) requirements.txt
	@newest=$$($(MATRIX)/newest/bin/python -m pip index versions ansible-core 2>/dev/null | sed -n 's/^ansible-core (\(.*\))$$/\1/p'); \
		case "$$newest" in ""|$(ANSIBLE_NEWEST).*) ;; *) echo "make: WARNING: ansible-core $$newest is on the package index:" \
		"raise ANSIBLE_NEWEST (now $(ANSIBLE_NEWEST)) so that make test covers it";; esac

# The integration smoke set on the oldest and the newest ansible-core, each from its own virtualenv.
matrix: setup matrix-venvs
	@for name in oldest newest; do \
		venv=$(MATRIX)/$$name; \
		echo "== integration smoke set: $$($$venv/bin/ansible --version | sed -n 1p) on $$($$venv/bin/python -V) =="; \
		$$venv/bin/python -m pytest -q -n $(PYTEST_WORKERS) -p no:cacheprovider $(SMOKE) || exit 1; \
	done

build: setup
	rm -rf $(DIST) && mkdir -p $(DIST)
	$(VBIN)/ansible-galaxy collection build --force --output-path $(DIST) .

importer: build
	$(VPY) tools/galaxy_import.py $(TARBALL)

# make demo             a scale set and a fleet update run that complete: every gate opens (exit 0)
# make demo DEMO=fault  the rolling upgrade faults and a fleet member fails: the gate stops the pipeline
demo: setup
	$(VPY) tools/demo.py --scenario $(DEMO)

emulator: setup
	$(VPY) -m upgradegate_emulator --scenario $(SCENARIO) --port $${PORT:-0} --state-dir $(TMP)/emulator

# make bench: fan-out, throttled fan-out, gate and per-task figures against the emulator, about 15 minutes on 2 cores (not part of make test).
# The table goes to stdout, the JSON to bench/results/; BENCH_ARGS="--help" lists the knobs.
bench: setup
	@$(VPY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(filter-out $(ANSIBLE_TEST_HOME),$(wildcard $(TMP)/*)) .ansible tests/output .pytest_cache .hypothesis
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
