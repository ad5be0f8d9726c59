# Postern: convenience wrapper around CMake. See README.md.
#   make deps     install build and test dependencies (Debian 12, as root)
#   make          build into build/
#   make run      build, create ./run if absent, run it in the foreground
#   make test     unit, fuzz-corpus and integration tests, then the same
#                 under ASan+UBSan, then a short fuzzing pass
#   make fuzz     fuzz each target for FUZZ_SECONDS (clang, libFuzzer)
#   make install  PREFIX=/usr/local DESTDIR=
#   make bench    SMTP benchmark against Postfix (+ Dovecot LMTP) on loopback;
#                 installs them first; not part of make test (bench/README.md)

BUILD       ?= build
ASAN_BUILD  ?= build-asan
FUZZ_BUILD  ?= build-fuzz
PREFIX      ?= /usr/local
DESTDIR     ?=
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 5
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
INSTANCE    ?= run

# CI builds treat warnings as errors.
WERROR := $(if $(CI),ON,OFF)

DEPS := build-essential cmake pkg-config libssl-dev libsasl2-dev \
	libsasl2-modules liblmdb-dev lmdb-utils libpcre2-dev libcrypt-dev \
	clang libclang-rt-14-dev python3 swaks curl openssl passwd \
	pflogsumm cyrus-clients libdigest-hmac-perl sieve-connect fetchmail \
	dovecot-lmtpd isync

.PHONY: all deps build run test unit-test asan-test fuzz-test fuzz install clean

all: build

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build:
	cmake -S . -B $(BUILD) -DPOSTERN_WERROR=$(WERROR) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: deps build
	@[ -f $(INSTANCE)/etc/main.cf ] || $(BUILD)/bin/postern init $(INSTANCE) --demo
	@cat $(INSTANCE)/demo-users.txt 2>/dev/null || true
	$(BUILD)/bin/postern -c $(INSTANCE) start -f

test: deps unit-test asan-test fuzz-test

unit-test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

asan-test:
	cmake -S . -B $(ASAN_BUILD) -DPOSTERN_ASAN=ON -DPOSTERN_WERROR=$(WERROR) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

$(FUZZ_BUILD)/CMakeCache.txt:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DPOSTERN_FUZZ=ON >/dev/null

fuzz-test: $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	tests/fuzz/run-fuzzers $(FUZZ_BUILD)/fuzz $(TEST_FUZZ_SECONDS)

fuzz: deps $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	tests/fuzz/run-fuzzers $(FUZZ_BUILD)/fuzz $(FUZZ_SECONDS)

install: deps
	cmake -S . -B $(BUILD)-install -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_INSTALL_PREFIX=$(PREFIX) \
		-DPOSTERN_DAEMON_DIR=$(PREFIX)/libexec/postern >/dev/null
	cmake --build $(BUILD)-install -j $(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)-install

# The SMTP benchmark (bench/README.md). BENCH_ARGS are passed on, e.g.
# BENCH_ARGS="--messages 500 --sessions 5" for a smoke run.
BENCH_ARGS ?=
.PHONY: bench
bench: deps build
	bench/run-smtp-bench --build $(BUILD) $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(BUILD)-install
