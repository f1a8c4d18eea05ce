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
DEMO ?= demo

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(TMP)/collections
export ANSIBLE_HOME := $(TMP)/ansible-home
export ANSIBLE_LOCAL_TEMP := $(TMP)/ansible-local
export PATH := $(VBIN):$(PATH)

.PHONY: help setup test units integration sanity lint build importer demo emulator bench clean distclean

help:
	@echo "make demo         set everything up, start the emulator and run the demo gate playbook (DEMO=fault: a failing one)"
	@echo "make test         the whole suite: units, integration, sanity, lint, build, galaxy-importer"
	@echo "make units | integration | sanity | lint | build | importer | emulator | bench | clean | distclean"

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

test: lint sanity importer
	$(PYTEST) tests

units: setup
	$(PYTEST) tests --ignore=tests/integration

integration: setup
	$(PYTEST) tests/integration

# ansible-test needs the collection under ansible_collections/<ns>/<name>: test a copy of
# what git would commit (tracked and untracked files that are not ignored).
sanity: setup
	rm -rf $(TMP)/sanity && mkdir -p $(SANITY_ROOT)
	git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c 'test ! -e "{}" || echo "{}"' \
		| tar -cf - -T - | tar -xf - -C $(SANITY_ROOT)
	cd $(SANITY_ROOT) && git init --quiet && git add --all
	pip_version=$$(sed -n "s/^ *pip='\(.*\)',/\1/p" $(VENV)/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py); \
		mkdir -p $(ANSIBLE_TEST_HOME)/.ansible/test/cache; \
		cp tools/ansible_test_get_pip.py $(ANSIBLE_TEST_HOME)/.ansible/test/cache/get_pip_$${pip_version//./_}.py
	cd $(SANITY_ROOT) && HOME=$(ANSIBLE_TEST_HOME) $(VBIN)/ansible-test sanity --venv --python 3.11 --color no

lint: setup
	$(VBIN)/ansible-lint --profile production --offline --nocolor

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
