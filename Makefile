# foresight: two commands do everything on a fresh Debian machine with Python 3.11.
#   make book   install the pinned environment and build the site into _build/html
#   make test   install if needed, then every check
SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
PYTHON       ?= python3.11
VENV         ?= .venv
BIN          := $(abspath $(VENV))/bin
PY           := $(BIN)/python
LOCK         := .ci/requirements.lock
BOOTSTRAP    := pip==26.3 setuptools==84.2.1 wheel==0.48.0
CHROMIUM     ?= /usr/bin/chromium
# A fingerprint of what is installed: changes to the lock or pyproject reinstall.
INSTALLED    := $(VENV)/.installed-$(shell cat $(LOCK) pyproject.toml | sha256sum | cut -c1-16)
JB_FLAGS     := -W -n --keep-going

# Deterministic, offline execution; src/ of *this* checkout first on the path.
# The site's dates ("Last updated", the copyright year) come from the date of
# the last commit: the same for every build of one commit, and current.
export PYTHONHASHSEED   := 0
export TZ               := UTC
export SOURCE_DATE_EPOCH := $(shell git -C $(CURDIR) log -1 --format=%ct 2>/dev/null || echo 1700000000)
# Single-threaded BLAS: faster for this package's small dense problems on a
# 2-core machine, and the same floating-point reduction order on every run.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS  := 1
export PYTHONPATH       := $(CURDIR)/src
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: book test install browser pdftools execute bench unit notebooks fragile site site-tests clean help pdf mutation

# Each stage of `make test` appends "<stage> <seconds>" here; `make test` prints the table.
STAGES       := $(abspath $(VENV))/.stage-times
# $(call timed,stage,command): run command, then record its wall-clock seconds.
timed = start=$$(date +%s.%N); $(2); echo "$(1) $$(awk "BEGIN { print $$(date +%s.%N) - $$start }")" >> $(STAGES)

help:
	@echo "make book     install (if needed) and build the site and its PDF into _build/html"
	@echo "make test     install (if needed) and run every check"
	@echo "make execute  re-execute every chapter in place (refresh committed outputs)"
	@echo "make pdf      make book, then check the whole-book PDF (_build/html/foresight.pdf)"
	@echo "make bench    run the benchmarks in benchmarks/"
	@echo "make fragile  re-run every chapter as on other machines; report glued values that move"
	@echo "make mutation mutation-test the verdict-deciding modules (long; report in benchmarks/results)"
	@echo "make clean    remove _build (keeps .venv)"

# SKIP_INSTALL=1 uses the environment in VENV as it is (the stale-results test
# builds a copy of the repository with the already-installed environment).
ifeq ($(SKIP_INSTALL),1)
install: ;
else
install: $(INSTALLED)
endif

$(INSTALLED): $(LOCK) pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check $(BOOTSTRAP)
	$(PY) -m pip install -q --disable-pip-version-check -c $(LOCK) -e ".[book,test]"
	$(PY) -m pip check
	rm -f $(VENV)/.installed-*
	touch $@

# Headless Chromium for the site test: Debian's package (browser downloads do not work here).
browser:
	@if ! test -x $(CHROMIUM); then \
	  echo "installing Debian chromium"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@$(CHROMIUM) --version

# The site, and the whole book as one A4 PDF that every page links (_build/html/foresight.pdf):
# the single-page HTML build (the same sources and execution cache as the site), printed by
# headless Chromium through the print stylesheet in foresight.css (hence `browser`).
# BOOK_PDF=0 builds the site alone (the stale-results test does; its pages then link no PDF).
BOOK_PDF     ?= 1
book: install browser
	$(PY) -m foresight.book prepare-build _build
	@# Notebooks not yet in the execution cache run two at a time (one per core) first.
	$(PY) -m foresight.book warm-cache _build
	@# On failure, drop Sphinx's saved environment: otherwise a rerun finds every page
	@# "up to date", re-emits no warning and reports a failed build as green.
	$(BIN)/jupyter-book build . $(JB_FLAGS) || { rm -rf _build/.doctrees; exit 1; }
	@test -f _build/html/index.html
ifneq ($(BOOK_PDF),0)
	$(BIN)/jupyter-book build . --builder singlehtml $(JB_FLAGS) || { rm -rf _build/.doctrees; exit 1; }
	$(PY) -m foresight.book pdf _build/singlehtml _build/html/foresight.pdf
endif

# `make book`, then the checks of the PDF (tests/website/test_pdf.py): collapsed sections
# printed, no caption left alone, no header split inside a word, few half-empty pages.
# They read the PDF with poppler's pdftotext and pdftoppm (Debian's poppler-utils).
pdf: book pdftools
	$(BIN)/pytest -q -p no:cacheprovider -m pdf tests/website/test_pdf.py

pdftools:
	@if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  echo "installing Debian poppler-utils"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null; \
	fi
	@pdftotext -v 2>&1 | sed -n 1p

execute: install
	$(PY) -m foresight.book execute

unit: install
	@$(call timed,unit,$(BIN)/pytest -q -p no:cacheprovider -m "not slow" tests)

# Strict nbval (decimal numbers compared at six significant digits, see
# foresight.nbcompare), twice: with the machine's own BLAS kernel and SIMD
# loops, then with a generic OpenBLAS kernel and numpy's AVX2 loops switched
# off, so that a pass here means the committed outputs hold on other machines.
NBVAL        := $(BIN)/pytest -q -p no:cacheprovider --nbval chapters \
                --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env
ARCH         := $(shell uname -m)
SECOND_BLAS  := $(if $(filter aarch64 arm64,$(ARCH)),ARMV8,Prescott)
SECOND_SIMD  := $(if $(filter x86_64,$(ARCH)),NPY_DISABLE_CPU_FEATURES=X86_V3,)

# The two passes are independent and single-threaded, so they run side by side (one per
# core); each one's output is printed after both finish, and either failing fails the target.
notebooks: install
	@start=$$(date +%s.%N); first=$$(mktemp); second=$$(mktemp); ra=0; rb=0; \
	echo "$(NBVAL)"; \
	echo "OPENBLAS_CORETYPE=$(SECOND_BLAS) $(SECOND_SIMD) $(NBVAL)"; \
	$(NBVAL) > $$first 2>&1 & a=$$!; \
	OPENBLAS_CORETYPE=$(SECOND_BLAS) $(SECOND_SIMD) $(NBVAL) > $$second 2>&1 & b=$$!; \
	wait $$a || ra=$$?; wait $$b || rb=$$?; \
	echo "== the machine's own BLAS kernel"; cat $$first; \
	echo "== again with OPENBLAS_CORETYPE=$(SECOND_BLAS) $(SECOND_SIMD)"; cat $$second; \
	rm -f $$first $$second; \
	echo "notebooks $$(awk "BEGIN { print $$(date +%s.%N) - $$start }")" >> $(STAGES); \
	test $$ra -eq 0 && test $$rb -eq 0

# Every chapter re-run as on another machine (another BLAS kernel, two threads, inputs
# perturbed at 1e-13): any glued value that moves under the comparison rule is named.
# FRAGILE_VARIANTS=kernel threads perturb all runs each simulation separately.
FRAGILE_VARIANTS ?= all
fragile: install
	@$(call timed,fragile,$(PY) -m foresight.fragile $(foreach v,$(FRAGILE_VARIANTS),--variant $(v)))

# The site tests spend most of their time waiting for pages: their files run in parallel.
# `site` builds the book first; `site-tests` (what `make test` runs after its own book
# stage) tests the site already built.
site: install browser book site-tests
site-tests: install browser pdftools
	@$(call timed,site,$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile -m slow tests)

# The unit tests, the notebook passes and the fragile-output check share nothing, so they
# run together (output grouped per target); then the site is built and tested. The time of
# each stage is printed at the end.
test: install browser pdftools
	@rm -f $(STAGES); start=$$(date +%s.%N); rc=0; \
	{ $(MAKE) --no-print-directory -j2 --output-sync=target unit notebooks fragile && \
	  { s=$$(date +%s.%N); $(MAKE) --no-print-directory book; b=$$?; \
	    echo "book $$(awk "BEGIN { print $$(date +%s.%N) - $$s }")" >> $(STAGES); test $$b -eq 0; } && \
	  $(MAKE) --no-print-directory site-tests; } || rc=$$?; \
	echo "== make test: seconds per stage (unit, notebooks and fragile run side by side)"; \
	test -f $(STAGES) && awk '{ printf "  %-10s %6.0f s\n", $$1, $$2 }' $(STAGES); \
	echo "  total      $$(awk "BEGIN { printf \"%6.0f\", $$(date +%s.%N) - $$start }") s (install excluded)"; \
	exit $$rc

bench: install
	@for b in benchmarks/[!_]*.py; do \
	  case $$b in benchmarks/mutation.py) continue;; esac; echo "== $$b"; $(PY) $$b; done

# Mutation testing of the verdict-deciding modules (about an hour or more on two cores):
# benchmarks/results/mutation.{json,md}. MUTATION_ARGS="--sample 30" for a quick estimate.
MUTATION_ARGS ?=
mutation: install
	$(PY) benchmarks/mutation.py $(MUTATION_ARGS)

clean:
	rm -rf _build
