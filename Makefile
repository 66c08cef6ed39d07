# Two entry points for a fresh machine with Python 3.11+ and make:
#   make demo   -- set up .venv, install cellguard with all extras, run a real example and write a report
#   make test   -- same set-up, then the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cellguard-installed
OUT    := out

.PHONY: demo test fuzz test-latest constraints lint format bench clean venv sarif-validator

venv: $(STAMP)

PY_CHECK := import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cellguard needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")

# The C walker (optional; built when a compiler is present) is rebuilt when its source changes.
# Versions come from constraints.txt, so CI installs what the suite last passed with.
$(STAMP): pyproject.toml setup.py constraints.txt $(wildcard cellguard/assessments/faulttree/_cudd_*.[ch])
	@$(PYTHON) -c '$(PY_CHECK)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[pulumi,dev]'
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/cellguard validate examples/rag-support-assistant.yaml examples/org examples/saas-finetune.yaml examples/vllm-single-zone.yaml examples/cell-multi-region.yaml
	$(BIN)/cellguard graph examples/rag-support-assistant.yaml --format mermaid -o $(OUT)/rag-support-assistant.mmd --force
	$(BIN)/cellguard graph examples/org --format dot -o $(OUT)/org.dot --force
	$(BIN)/cellguard assess examples/rag-support-assistant.yaml --format json -o $(OUT)/rag-support-assistant.json --force
	$(BIN)/cellguard assess examples/rag-support-assistant.yaml -o $(OUT)/rag-support-assistant.txt --force
	$(BIN)/cellguard assess examples/org -f table -o $(OUT)/org.txt -f html -o $(OUT)/org.html --force
	$(BIN)/cellguard plan examples/rag-support-assistant.yaml -o $(OUT)/rag-target.yaml --plan-output $(OUT)/rag-plan.md --force
	@echo "demo: wrote $(OUT)/rag-support-assistant.txt (the assessment), its JSON, $(OUT)/org.txt and the review report $(OUT)/org.html, the plan $(OUT)/rag-plan.md with its target, and the graphs"
	@sed -n '1,20p' $(OUT)/rag-support-assistant.txt

test: $(STAMP) sarif-validator
	$(BIN)/python -m pytest

# Structure-aware fuzzing of the CLI at length (tests/fuzz; `make test` runs a bounded,
# derandomised 300 cases). CELLGUARD_FUZZ_EXAMPLES sets the number of cases, CELLGUARD_FUZZ_SEED
# another seed; known failures fail too (CELLGUARD_FUZZ_KNOWN=report only lists them);
# findings.jsonl and reproducers go to $(OUT)/fuzz/.
fuzz: $(STAMP)
	rm -rf $(OUT)/fuzz
	CELLGUARD_FUZZ_EXAMPLES=$${CELLGUARD_FUZZ_EXAMPLES:-10000} CELLGUARD_FUZZ_ARTIFACTS=$(OUT)/fuzz \
		CELLGUARD_FUZZ_KNOWN=$${CELLGUARD_FUZZ_KNOWN:-fail} \
		$(BIN)/python -m pytest tests/fuzz -p no:cacheprovider -q

# The suite on the newest versions pyproject.toml allows (a separate .venv-latest, constraints
# ignored), so that a new release of a dependency breaks our run before it breaks a user's.
LATEST := .venv-latest
test-latest: sarif-validator
	@$(PYTHON) -c '$(PY_CHECK)'
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[pulumi,dev]'
	$(LATEST)/bin/python -m pip freeze --exclude-editable | diff constraints.txt - | grep '^[<>] [A-Za-z]' || true
	$(LATEST)/bin/python -m pytest -p no:cacheprovider

# Rewrite constraints.txt from the newest allowed versions (run test-latest first; commit both).
constraints:
	@test -x $(LATEST)/bin/python || { echo "run 'make test-latest' first"; exit 2; }
	{ sed -n '/^#/p' constraints.txt; $(LATEST)/bin/python -m pip freeze --exclude-editable | grep -iv '^cellguard'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

# Microsoft's SARIF validator for tests/reports/test_sarif.py, into .tools/ (needs npm; the
# test skips with a notice where it is missing). Invoke the binary itself: the npm bin wrapper
# runs through a shell, which splits --rule-kind "Gh;Sarif" at the semicolon.
SARIF_TOOL := .tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
sarif-validator:
	@if [ -x $(SARIF_TOOL) ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-save --prefix .tools @microsoft/sarif-multitool-linux@5 && chmod u+x $(SARIF_TOOL) \
		|| echo "notice: could not install the SARIF validator; its test will be skipped"; \
	else echo "notice: npm not found; the SARIF validator test will be skipped"; fi

lint: $(STAMP)
	$(BIN)/ruff check cellguard tests benchmarks
	$(BIN)/ruff format --check cellguard tests benchmarks
	$(BIN)/mypy --strict cellguard
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_loader.py
	$(BIN)/python benchmarks/assess_scale.py
	$(BIN)/python benchmarks/aralia.py
	$(BIN)/python benchmarks/blueprint_scale.py

format: $(STAMP)
	$(BIN)/ruff format cellguard tests benchmarks
	$(BIN)/ruff check --fix cellguard tests benchmarks

clean:
	rm -rf $(VENV) $(LATEST) $(OUT) .pytest_cache .mypy_cache .ruff_cache .hypothesis build
	find cellguard -name '*.so' -delete
