# opsplan - build, deps, test, demo, bench, fuzz, install.
#
#   make            build bin/opsplan
#   make deps       install the Debian packages the build and tests need
#   make test       deps + build + every test suite (SAN=1: ASan+UBSan build)
#   make demo       the Patroni hot fix against a sandbox namespace
#   make bench      throughput and latency against baselines measured in the same run
#   make fuzz       a short libFuzzer run of loader+lint over the corpus
#   make test-crash the default plan killed after every journal record, then resumed (long; JOBS=2)

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS     := yaml-0.1 libcurl jansson libpcre2-8
OPT      ?= -O2 -g

ifeq ($(SAN),1)
BUILD    := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      := -O1 -g
else
BUILD    := build
SANFLAGS :=
endif

BIN      := $(if $(filter 1,$(SAN)),$(BUILD)/bin/opsplan,bin/opsplan)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl is not linked: runtime/curl_lazy.c loads it on first use, so the
# compiler commands start without its ~35 shared libraries.
PKG_LIBS   = $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null)
CFLAGS   ?=
CFLAGS   += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) -Wall -Wextra -Werror \
	    -Wno-missing-field-initializers $(PKG_CFLAGS) $(SANFLAGS) \
	    -DOPSPLAN_DATADIR='"$(PREFIX)/share/opsplan"'
LDFLAGS  += $(SANFLAGS)
LDLIBS   += $(PKG_LIBS) -lm

# Three rooms, one static library each, linked cli -> runtime -> compiler:
# each room sees only its own headers and those below it (-I), and the link
# order refuses a call upwards, so a forbidden include or call fails the
# build (docs/hacking.md).
COMPILER_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard compiler/*.c)))
RUNTIME_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard runtime/*.c)))
CLI_OBJ      := $(patsubst %.c,$(BUILD)/%.o,$(filter-out cli/main.c,$(sort $(wildcard cli/*.c))))
LIBS         := $(BUILD)/libcli.a $(BUILD)/libruntime.a $(BUILD)/libcompiler.a
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

export OPSPLAN := $(abspath $(BIN))

.PHONY: all deps test test-unit test-suites test-crash demo bench fuzz install clean
all: $(BIN)

$(BUILD)/compiler/%.o: compiler/%.c $(wildcard compiler/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icompiler -c -o $@ $<
$(BUILD)/runtime/%.o: runtime/%.c $(wildcard compiler/*.h runtime/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iruntime -Icompiler -c -o $@ $<
$(BUILD)/cli/%.o: cli/%.c $(wildcard compiler/*.h runtime/*.h cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icli -Iruntime -Icompiler -c -o $@ $<

# The default plan's installed path is compiled in: rebuild what uses it
# whenever PREFIX changes (make install PREFIX=/opt/opsplan).
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
$(BUILD)/cli/cli_run.o: $(BUILD)/prefix.stamp
.PHONY: FORCE
FORCE:

$(BUILD)/libcompiler.a: $(COMPILER_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/libruntime.a: $(RUNTIME_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/libcli.a: $(CLI_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/cli/main.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icli -Iruntime -Icompiler $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS) -lcmocka

# Debian packages: build, tests (cmocka, kubectl's peers, Patroni, PostgreSQL),
# ajv (npm) for the schema agreement test, chromium and tidy for the HTML report (suite 47).
DEB_PKGS := build-essential pkg-config libyaml-dev libcurl4-openssl-dev libjansson-dev \
	    libpcre2-dev libcmocka-dev clang libclang-rt-14-dev valgrind patroni \
	    postgresql-15 python3-kubernetes python3-yaml python3-psycopg2 openssl graphviz \
	    procps iproute2 psmisc jq chromium tidy
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	else echo "deps: all Debian packages present"; fi
	@command -v npm >/dev/null || { echo "deps: installing nodejs npm"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	@command -v kubectl >/dev/null || { echo "deps: kubectl missing (apt-get install kubectl)"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq kubectl >/dev/null || true; }
	@[ -x tests/node_modules/.bin/ajv ] || (cd tests && npm install --no-audit --no-fund --silent >/dev/null 2>&1) || echo "deps: npm install of ajv-cli failed (schema test will fail)"

test: deps
	$(MAKE) all test-unit
	$(MAKE) test-suites

test-unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

test-suites: $(BIN)
	@OPSPLAN=$(abspath $(BIN)) SAN=$(SAN) bash tests/run-suites.sh

# Not in `make test`: every record of a reference run of the default plan is a
# kill point, each case a fresh run killed there and resumed (most of an hour).
test-crash: $(BIN)
	@OPSPLAN=$(abspath $(BIN)) JOBS=$(or $(JOBS),1) bash tests/crash/every-record.sh

demo: deps all
	bash tests/e2e/demo.sh

bench: deps all
	bash bench/run.sh

fuzz: deps
	bash tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/opsplan/plans \
		$(DESTDIR)$(PREFIX)/share/opsplan/schema $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/opsplan
	install -m 0644 plans/*.yaml $(DESTDIR)$(PREFIX)/share/opsplan/plans/
	install -m 0644 schema/*.json $(DESTDIR)$(PREFIX)/share/opsplan/schema/
	[ ! -f docs/opsplan.1 ] || install -m 0644 docs/opsplan.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build build-san bin
