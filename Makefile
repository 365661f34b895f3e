# plsafepy: built with PGXS against Debian's CPython 3.11 (never the pyenv one on PATH)

MODULE_big = plsafepy
EXTENSION = plsafepy
DATA = plsafepy--1.0.sql
PGFILEDESC = "plsafepy - trusted sandboxed Python procedural language"

PYTHON_CONFIG ?= /usr/bin/python3-config
PY_CFLAGS := $(shell $(PYTHON_CONFIG) --includes)
PY_LIBS := $(shell $(PYTHON_CONFIG) --embed --ldflags)
# the interpreter of the same version, to compile the embedded helpers
PLS_PYTHON ?= $(shell $(PYTHON_CONFIG) --prefix)/bin/python$(shell $(PYTHON_CONFIG) --embed --libs | sed -n 's/.*-lpython\([0-9.]*\).*/\1/p')

# The testing flavour (make PLSAFEPY_TESTING=1; test/kernel.sh): src/testing.c's
# superuser-only settings, the testing worker installed as plsafepy-worker,
# and test programs installed beside it for plsafepy.testing_worker_path.  Never for
# production: a default build has none of it.
PLSAFEPY_TESTING ?=
ifeq ($(PLSAFEPY_TESTING),1)
FLAVOUR = testing
else
FLAVOUR = production
endif

SRCS = $(filter-out $(if $(filter testing,$(FLAVOUR)),,src/testing.c),$(sort $(wildcard src/*.c)))
# the channel is shared with the worker program (src/worker/channel.h)
OBJS = $(SRCS:.c=.o) src/worker/channel.o
# src/sandbox/*.py run in this order, in two namespaces (names.py says why)
SANDBOX_PY = builtins names guards safetypes moduleguards records logbridge facades policy lockdown setup reach
PY_EMBED = $(sort $(wildcard src/*.py)) $(SANDBOX_PY:%=src/sandbox/%.py)

# Nothing interposes the library's own functions: calls within a file may be
# inlined and bound directly, as in an executable (the call path is short).
PG_CFLAGS = -fno-semantic-interposition
# the directories zoneinfo searches for time-zone files (src/zone_data.c)
PLS_TZPATH := $(shell $(PLS_PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("TZPATH") or "")')
PG_CPPFLAGS = -Isrc $(PY_CFLAGS) $(if $(filter testing,$(FLAVOUR)),-DPLSAFEPY_TESTING) \
	-DPLS_TZPATH='"$(PLS_TZPATH)"'
# libseccomp: the name of the system call a worker was refused (worker_pool.c);
# libexpat, pyexpat's own: a document's entities counted (xml_entities.c)
SHLIB_LINK = $(PY_LIBS) -lseccomp -lexpat

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=plsafepy

EXTRA_CLEAN = src/embedded_py.h src/spiexceptions.h \
	$(WORKER) $(WORKER_TESTING) src/worker/preload.h $(WORKER_TEST_PROGS) \
	$(WORKER_PYCORE) src/worker/core test/value_link_test \
	src/flavour.stamp test/fake_worker

# plsafepy-worker (docs/isolation.md): the process a backend runs a role's
# Python in, installed next to the library.  Explicit rules: PGXS's PROGRAM
# cannot be used together with MODULE_big.
WORKER = src/worker/plsafepy-worker
WORKER_TESTING = src/worker/plsafepy-worker-testing
WORKER_SRCS = src/worker/main.c src/worker/call.c src/worker/request.c src/worker/srf.c \
	src/worker/trigger.c src/worker/confine.c \
	src/worker/seccomp.c src/worker/watchdog.c src/worker/channel.c src/wire.c src/wire_records.c \
	src/worker/spi_worker.c
WORKER_HDRS = src/worker/worker.h src/worker/channel.h src/worker/preload.h \
	src/wire.h src/door.h src/json_tokens.h src/spi_host.h
# The Python side's core (src/pyhost.h), compiled for the worker without
# PostgreSQL's headers, with the worker's host hooks, as an archive: the
# worker links what it calls of it.
# Values (encode.c, value_py.c: pyvalue.h) are part of it too.
PYVALUE_SRCS = src/encode.c src/value_py.c src/json_py.c
PYVALUE_HDRS = src/pyvalue.h src/pyhost.h src/door.h src/json_tokens.h
# plpy's SPI types and functions (spi_host.h) too.
PYCORE_SRCS = src/pybuild.c src/pycompile.c src/sandbox.c src/sandbox_loader.c src/audit.c \
	src/whitelist.c src/plpy.c src/pyerror.c src/pystrings.c src/pycall.c \
	src/spi_execute.c src/spi_result.c src/spi_plan.c src/spi_cursor.c \
	src/spi_subxact.c src/spi_xact.c src/pymemory.c src/xml_entities.c \
	$(PYVALUE_SRCS)
PYCORE_HDRS = src/pyhost.h src/sandbox_int.h src/embedded_py.h \
	src/plpy_host.h src/pycall.h src/spi_host.h src/spi_py.h $(PYVALUE_HDRS)
WORKER_PYCORE = src/worker/libpycore.a
WORKER_PYCORE_OBJS = $(PYCORE_SRCS:src/%.c=src/worker/core/%.o) \
	src/worker/core/pyhost_worker.o
WORKER_CPPFLAGS = -D_GNU_SOURCE -Isrc $(PY_CFLAGS) \
	-DPLS_PYTHON_HOME='"$(shell $(PYTHON_CONFIG) --prefix)"'
WORKER_LDFLAGS = -pie -Wl,-z,relro -Wl,-z,now
WORKER_LIBS = $(PY_LIBS) -lseccomp -lexpat -lpthread
# test-only programs, never installed (make worker-tests)
LAUNCH_SRCS = src/worker_launch.c src/worker/channel.c src/wire.c src/wire_records.c
LAUNCH_HDRS = src/worker_launch.h src/worker/channel.h src/wire.h src/door.h \
	src/json_tokens.h
WORKER_TEST_PROGS = test/worker_driver test/wire_test bench/channel test/pycore_test

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Trusted Python helpers are compiled into the library as bytecode.
src/embedded_py.h: $(PY_EMBED) tools/embed_py.py
	$(PLS_PYTHON) tools/embed_py.py $(PY_EMBED) > $@

# plpy.spiexceptions is generated from PostgreSQL's own errcodes.h.
src/spiexceptions.h: tools/gen_spiexceptions.sh
	PG_CONFIG=$(PG_CONFIG) sh tools/gen_spiexceptions.sh > $@

$(OBJS) $(OBJS:.o=.bc): src/plsafepy.h src/pyhost.h src/pyvalue.h src/sandbox_int.h src/embedded_py.h src/spiexceptions.h src/spi_host.h src/spi_py.h src/plpy_int.h src/wire.h src/wire_int.h src/json_tokens.h src/door.h src/worker/channel.h src/process_spi_rows.h

# The worker program (the testing flavour's: the testing worker).
INSTALLED_WORKER = $(if $(filter testing,$(FLAVOUR)),$(WORKER_TESTING),$(WORKER))
all: $(INSTALLED_WORKER)

# Objects that differ between the flavours are rebuilt when it changes.
src/flavour.stamp: FORCE
	@echo $(FLAVOUR) | cmp -s - $@ || echo $(FLAVOUR) > $@
FORCE:
src/worker_pool.o src/call_process.o src/worker_pool.bc src/call_process.bc: src/flavour.stamp

src/worker/preload.h: src/worker/gen_preload.py $(SANDBOX_PY:%=src/sandbox/%.py)
	$(PLS_PYTHON) src/worker/gen_preload.py $(SANDBOX_PY:%=src/sandbox/%.py) > $@

src/worker/core/%.o: src/%.c $(PYCORE_HDRS)
	@mkdir -p src/worker/core
	$(CC) $(CFLAGS) -fPIE $(WORKER_CPPFLAGS) -c $< -o $@

src/worker/core/pyhost_worker.o: src/worker/pyhost_worker.c $(PYCORE_HDRS) $(WORKER_HDRS)
	@mkdir -p src/worker/core
	$(CC) $(CFLAGS) -fPIE $(WORKER_CPPFLAGS) -c $< -o $@

$(WORKER_PYCORE): $(WORKER_PYCORE_OBJS)
	rm -f $@
	$(AR) crs $@ $(WORKER_PYCORE_OBJS)

$(WORKER): $(WORKER_SRCS) $(WORKER_HDRS) $(WORKER_PYCORE)
	$(CC) $(CFLAGS) -fPIE $(WORKER_CPPFLAGS) $(WORKER_SRCS) $(WORKER_PYCORE) $(WORKER_LDFLAGS) $(WORKER_LIBS) -o $@

# The same with EXEC (full Python), for test/worker.sh only.
$(WORKER_TESTING): $(WORKER_SRCS) src/worker/testing.c $(WORKER_HDRS) $(WORKER_PYCORE)
	$(CC) $(CFLAGS) -fPIE $(WORKER_CPPFLAGS) -DPLS_WORKER_TESTING $(WORKER_SRCS) src/worker/testing.c $(WORKER_PYCORE) $(WORKER_LDFLAGS) $(WORKER_LIBS) -o $@

install: install-worker
install-worker: $(INSTALLED_WORKER) installdirs
	$(INSTALL_PROGRAM) $(INSTALLED_WORKER) '$(DESTDIR)$(pkglibdir)/plsafepy-worker'

# The transforms' extensions (docs/transforms.md): a control file and a
# script each in transforms/NAME/; their functions are the library's
# (src/transform.c), so they build nothing.
TRANSFORMS = jsonb_plsafepy hstore_plsafepy
TRANSFORM_FILES = $(foreach t,$(TRANSFORMS),transforms/$(t)/$(t).control transforms/$(t)/$(t)--1.0.sql)
install: install-transforms
install-transforms: installdirs
	$(INSTALL_DATA) $(TRANSFORM_FILES) '$(DESTDIR)$(datadir)/extension/'
uninstall: uninstall-transforms
uninstall-transforms:
	rm -f $(addprefix '$(DESTDIR)$(datadir)/extension'/,$(notdir $(TRANSFORM_FILES)))

uninstall: uninstall-worker
uninstall-worker:
	rm -f '$(DESTDIR)$(pkglibdir)/plsafepy-worker' \
		'$(DESTDIR)$(pkglibdir)/plsafepy-fake-worker' \
		'$(DESTDIR)$(pkglibdir)/plsafepy-worker-production'

# The testing flavour also installs, for plsafepy.testing_worker_path, the
# fake worker of test/fuzz_backend.sh (no Python, no walls) and the
# production worker (test/kernel.sh: it refuses full Python).
ifeq ($(FLAVOUR),testing)
all: test/fake_worker $(WORKER)
install: install-test-workers
install-test-workers: test/fake_worker $(WORKER) installdirs
	$(INSTALL_PROGRAM) test/fake_worker '$(DESTDIR)$(pkglibdir)/plsafepy-fake-worker'
	$(INSTALL_PROGRAM) $(WORKER) '$(DESTDIR)$(pkglibdir)/plsafepy-worker-production'
endif

test/fake_worker: test/fake_worker.c src/worker/channel.c src/wire.c src/wire_records.c \
		src/worker/channel.h src/wire.h src/door.h src/json_tokens.h
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Isrc test/fake_worker.c src/worker/channel.c src/wire.c src/wire_records.c -o $@

# Test programs: the driver of test/worker.sh and the channel benchmark.
test/worker_driver: test/worker_driver.c $(LAUNCH_SRCS) $(LAUNCH_HDRS)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Isrc test/worker_driver.c $(LAUNCH_SRCS) -lseccomp -o $@

test/value_link_test: test/value_link_test.c $(PYVALUE_SRCS) $(PYVALUE_HDRS)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Isrc $(PY_CFLAGS) test/value_link_test.c $(PYVALUE_SRCS) $(PY_LIBS) -o $@

# The wire's encoding and fragmenting against hostile bytes, under the
# sanitizers (test/worker.sh runs it).
test/wire_test: test/wire_test.c src/wire.c src/wire_records.c src/wire.h src/wire_int.h src/door.h \
		src/json_tokens.h \
		src/worker/channel.c src/worker/channel.h
	$(CC) $(CFLAGS) -O1 -g -fno-omit-frame-pointer \
		-fsanitize=address,undefined -fno-sanitize-recover=all \
		-D_GNU_SOURCE -Isrc test/wire_test.c src/wire.c src/wire_records.c src/worker/channel.c -o $@

bench/channel: bench/channel.c $(LAUNCH_SRCS) $(LAUNCH_HDRS)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Isrc bench/channel.c $(LAUNCH_SRCS) -o $@

# The core linked without PostgreSQL (its test stands in for the channel's
# side of the worker's hooks): test/worker.sh runs it.
test/pycore_test: test/pycore_test.c $(WORKER_PYCORE) $(WORKER_HDRS)
	$(CC) $(CFLAGS) -fPIE $(WORKER_CPPFLAGS) test/pycore_test.c $(WORKER_PYCORE) $(WORKER_LDFLAGS) $(WORKER_LIBS) -o $@

worker-tests: $(WORKER) $(WORKER_TESTING) test/worker_driver test/pycore_test \
	test/wire_test

bench-channel: bench/channel $(WORKER)
	bench/channel $(WORKER)

.PHONY: install-worker uninstall-worker install-transforms uninstall-transforms install-test-workers worker-tests bench-channel FORCE
