# crmkit — one GNU Makefile.  `make` builds lib/libcrm.a and the tools into build/;
# `make demo` and `make test` first run scripts/setup-deps (idempotent).

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O3 -g
B       ?= build

STD  = -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes -Wmissing-prototypes

PKG_CONFIG  ?= pkg-config
ZLIB_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags zlib 2>/dev/null)
ZLIB_LIBS   ?= $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null || echo -lz)
CMOCKA_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   ?= $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
CSV_LIBS    ?= -lcsv
XLSX_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags xlsxwriter 2>/dev/null)
XLSX_LIBS   ?= $(shell $(PKG_CONFIG) --libs xlsxwriter 2>/dev/null || echo -lxlsxwriter)

ALL_CFLAGS = $(STD) $(WARN) $(CFLAGS) -Ilib $(ZLIB_CFLAGS) $(XLSX_CFLAGS)
LIBS       = $(CSV_LIBS) $(XLSX_LIBS) $(ZLIB_LIBS) -lm -lpthread

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
LIB_HDR  := $(sort $(wildcard lib/*/*.h))
# NO_XLSX=1 (make static without a static libxlsxwriter): xlsx output fails with a message
# naming the fix (lib/text/none/xlsx_none.c); CSV and TSV are unchanged.
ifeq ($(NO_XLSX),1)
LIB_SRC  := $(filter-out lib/text/xlsx.c,$(LIB_SRC)) lib/text/none/xlsx_none.c
endif
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
LIBCRM   := $(B)/libcrm.a
CLI_OBJ  := $(patsubst cmd/%.c,$(B)/cmd/%.o,$(sort $(wildcard cmd/cli*.c)))
TOOL_SRC := $(sort $(wildcard cmd/crm-*.c))
TOOLS    := $(TOOL_SRC:cmd/%.c=$(B)/bin/%)
TEST_SRC := $(sort $(wildcard tests/*_test.c))
TESTS    := $(TEST_SRC:tests/%.c=$(B)/tests/%)
HELPER_SRC := $(sort $(wildcard scripts/*.c))
HELPERS  := $(HELPER_SRC:scripts/%.c=$(B)/scripts/%)
MANS     := $(sort $(wildcard man/*.1))

.PHONY: all test check check-unit check-cli check-real check-docs check-san demo bench fuzz \
        install uninstall clean deps test-deps fuzz-build check-fuzz check-valgrind check-tsan \
        check-layers check-campaign check-engine static check-static check-fault \
        check-spreadsheet check-basket
.DELETE_ON_ERROR:

all: $(TOOLS) $(HELPERS)

# Every object depends on the compiler and flags it was built with: `make CFLAGS=...` or
# an edited default rebuilds everything instead of mixing old and new objects.
FLAGS_LINE := $(CC) $(ALL_CFLAGS) | $(LDFLAGS) | $(LIBS)
$(B)/flags: FORCE | $(B)/lib
	@echo '$(FLAGS_LINE)' | cmp -s - $@ || echo '$(FLAGS_LINE)' > $@
.PHONY: FORCE
FORCE:

$(B)/lib/%.o: lib/%.c $(LIB_HDR) $(B)/flags | $(B)/lib
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBCRM): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/cmd/%.o: cmd/%.c cmd/cli.h $(LIB_HDR) $(B)/flags | $(B)/cmd
	$(CC) $(ALL_CFLAGS) -Icmd -c -o $@ $<

$(B)/bin/%: $(B)/cmd/%.o $(CLI_OBJ) $(LIBCRM) | $(B)/bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_OBJ) $(LIBCRM) $(LIBS)

$(B)/scripts/%: scripts/%.c $(LIBCRM) $(B)/flags | $(B)/scripts
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBCRM) $(LIBS)

$(B)/tests/%: tests/%.c tests/testutil.h tests/teststore.h $(LIBCRM) $(B)/flags | $(B)/tests
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Itests -Wno-conversion $(LDFLAGS) -o $@ $< \
	    $(LIBCRM) $(CMOCKA_LIBS) $(LIBS)

$(B)/lib $(B)/cmd $(B)/bin $(B)/tests $(B)/scripts:
	mkdir -p $@

deps:
	@scripts/setup-deps

test-deps:
	@scripts/setup-deps --test

# check: every test against the current build (no set-up).
check: check-layers check-unit check-cli check-real check-docs check-campaign check-engine \
       check-fault check-spreadsheet check-basket

check-unit: $(TESTS) $(TOOLS) $(HELPERS)
	@B=$(B) tests/run unit

check-cli: $(TOOLS) $(HELPERS)
	@B=$(B) tests/run cli

check-real: $(TOOLS) $(HELPERS)
	@B=$(B) tests/run real

check-docs: $(TOOLS) $(HELPERS)
	@B=$(B) tests/run docs

# crm-campaign: stable groups and simulated campaigns (tests/campaign/*.sh)
check-campaign: $(TOOLS) $(HELPERS)
	@B=$(B) tests/run campaign
# SPEC §18 on real engines (tests/engine/*.sh, 20-40 s): a Dask cluster (scheduler + 2
# workers on 127.0.0.1) running the partitioned path through python/crmkit_scale.py, once
# with a worker killed mid-way; a single-node Slurm cluster running the job-array recipe
# with a failed task re-run; GNU parallel -S over an sshd of the test's own. Each skips
# when its packages are missing (scripts/setup-deps --test installs them).
check-engine: $(TOOLS)
	@B=$(B) tests/run engine

# Static binaries for cluster nodes without libcsv (docs/SCALE.md): libcsv, zlib, libm and
# glibc linked in (Debian ships libcsv.a, libz.a, libc.a). Debian ships no
# libxlsxwriter.a: give one built from source as STATIC_XLSX=/path/libxlsxwriter.a; without
# it the static tools are built with NO_XLSX=1 (xlsx output refused with that advice). check-static: no NEEDED entry in any binary, and the tools run the
# partitioned path with libcsv hidden in a mount namespace (tests/static/static.sh).
STATIC_XLSX ?= $(shell f=$$($(CC) -print-file-name=libxlsxwriter.a); [ -f "$$f" ] && echo "$$f")
static:
	@$(MAKE) --no-print-directory B=build/static LDFLAGS="-static $(LDFLAGS)" \
	    XLSX_LIBS="$(STATIC_XLSX)" NO_XLSX=$(if $(STATIC_XLSX),0,1) \
	    $(TOOL_SRC:cmd/%.c=build/static/bin/%)

check-static: static
	@B=$(B) tests/run static
# tests/fault/*.sh: files and concurrency that cannot lose data (SPEC §13.3, docs/RELIABILITY.md)
check-fault: $(TOOLS) $(HELPERS)
	@B=$(B) tests/run fault

# Spreadsheet-safe output (SPEC §13.2): every kind of xlsx opened with Python's standard
# library, CSV escaping, and LibreOffice headless reading xlsx, --bom and --decimal-comma
# CSV back (skipped, recorded as such, without soffice).
check-spreadsheet: $(TOOLS)
	@B=$(B) tests/run spreadsheet
# Line items and crm-basket on hand-made data (tests/basket/*.sh).
check-basket: $(TOOLS) $(HELPERS)
	@B=$(B) tests/run basket

# The folder graph of lib/README.md: no upward include, no private header used outside its
# folder (scripts/check-layers), and the check itself failing on planted offences.
check-layers:
	@B=$(B) tests/run layers

# Sanitizer build of the library, tools and tests in its own directory.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
check-san:
	@$(MAKE) --no-print-directory B=build/san CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    all $(TEST_SRC:tests/%.c=build/san/tests/%)
	@B=build/san ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run unit cli real

# test: set-up, optimised build + every test, then the sanitizer build, a short fuzz run of
# every target, the golden cases under valgrind and the threads under ThreadSanitizer; one
# summary line.
test: test-deps
	@$(MAKE) --no-print-directory all $(TESTS)
	@rm -f build/test-results
	@RESULTS=$(CURDIR)/build/test-results $(MAKE) --no-print-directory check || true
	@RESULTS=$(CURDIR)/build/test-results $(MAKE) --no-print-directory check-static || true
	@RESULTS=$(CURDIR)/build/test-results $(MAKE) --no-print-directory check-san || true
	@RESULTS=$(CURDIR)/build/test-results $(MAKE) --no-print-directory check-fuzz || true
	@RESULTS=$(CURDIR)/build/test-results $(MAKE) --no-print-directory check-valgrind || true
	@RESULTS=$(CURDIR)/build/test-results $(MAKE) --no-print-directory check-tsan || true
	@tests/run summary build/test-results

demo: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) scripts/demo

bench: all
	@B=$(B) scripts/bench

fuzz:
	@B=$(B) scripts/fuzz

# ---- reliability (docs/RELIABILITY.md) ----
# Fuzz targets tests/fuzz/fuzz_*.c (clang + libFuzzer) link against a libcrm built with the
# fuzzer's coverage instrumentation and ASan+UBSan in build/fuzz. `make fuzz` runs each
# target long (FUZZ_TIME seconds); check-fuzz replays the saved crash inputs and seeds and
# fuzzes each target for a few seconds. check-valgrind runs a subset of the CLI golden
# cases under valgrind (the optimised build; scripts/valgrind-cli alone runs them all).
# Both skip, recorded as such, when the tool is missing.
FUZZ_CC    ?= clang
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_FLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=all
fuzz-build:
	@$(MAKE) --no-print-directory B=build/fuzz CC=$(FUZZ_CC) \
	    CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" LDFLAGS="$(FUZZ_FLAGS)" \
	    $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/fuzzers/%)

$(B)/fuzzers/%: tests/fuzz/%.c tests/fuzz/fuzzutil.h $(LIBCRM) | $(B)/fuzzers
	$(CC) $(ALL_CFLAGS) -Itests/fuzz $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LIBCRM) $(LIBS)

$(B)/fuzzers:
	mkdir -p $@

check-fuzz: all
	@B=$(B) scripts/fuzz --smoke

check-valgrind: all
	@B=$(B) scripts/valgrind-cli --quick

# The threaded paths of every tool built with ThreadSanitizer (build/tsan), on generated
# orders: any data race fails its case (scripts/tsan-threads).
check-tsan: all
	@B=$(B) scripts/tsan-threads

COMPDIR = $(PREFIX)/share/bash-completion/completions

install: $(TOOLS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(COMPDIR)
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	$(if $(MANS),install -m 644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/)
	for t in $(TOOLS:$(B)/bin/%=%); do \
	    install -m 644 scripts/crmkit-completion.bash $(DESTDIR)$(COMPDIR)/$$t || exit 1; done

uninstall:
	rm -f $(TOOLS:$(B)/bin/%=$(DESTDIR)$(PREFIX)/bin/%) \
	      $(MANS:man/%=$(DESTDIR)$(PREFIX)/share/man/man1/%) \
	      $(TOOLS:$(B)/bin/%=$(DESTDIR)$(COMPDIR)/%)

clean:
	rm -rf build demo-out
