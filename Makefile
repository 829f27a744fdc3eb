# spikedv: the two commands of the README are `make regress` (main job) and `make test`.
PYTHON ?= python3
JOBS   ?= auto
SETUP_STAMP := .setup.stamp

.PHONY: setup regress test lint coverage clean

$(SETUP_STAMP): scripts/setup.sh scripts/install_speech_tools.sh pyproject.toml
	bash scripts/setup.sh
	touch $@

setup: $(SETUP_STAMP)

# Main job: the regression of both designs (the test files their testplans name, long
# tests included), then synthesis, formal, benchmarks and the signoff report.
regress: $(SETUP_STAMP)
	$(PYTHON) -m spikedv.cli regress --jobs $(JOBS)

# Test command (CI): every test (tooling included) except those marked long, both simulators.
test: $(SETUP_STAMP)
	$(PYTHON) -m pytest -n $(JOBS)

lint: $(SETUP_STAMP)
	$(PYTHON) -m pytest tests/test_lint.py -q

clean:
	rm -rf sim_build reports $(SETUP_STAMP)

# Code and functional coverage of the last runs (after `make regress` or pytest --coverage).
coverage: $(SETUP_STAMP)
	$(PYTHON) -m spikedv.cli coverage
