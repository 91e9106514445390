# traceaudit: PGXS build.  `make && make install`, then `make installcheck`
# against a running server (./run.sh test does all of it on a scratch cluster).

EXTENSION  = traceaudit
EXTVERSION = 0.1

MODULE_big = traceaudit
# pure C (no PostgreSQL headers): unit tested and fuzzed under tests/
CORE_OBJS  = src/gser.o src/geodesy.o src/jumps.o src/fixpack.o src/fingerprint.o src/realism.o src/mobility.o \
             src/dataset.o
OBJS       = $(CORE_OBJS) src/srid.o src/geom.o src/trace_agg.o src/jumps_fmgr.o \
             src/fingerprint_fmgr.o src/realism_fmgr.o \
             src/mobility_fmgr.o src/progress.o src/dataset_fmgr.o src/evidence.o src/arena.o

# the install script is built from one piece per concept under src/sql/
SQL_PIECES = $(sort $(wildcard src/sql/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql

# real-data tests read ../shared/data/real; skipped in a clone without it
SHARED_DATA = ../shared/data/real
ALL_TESTS  = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
ifeq ($(wildcard $(SHARED_DATA)),)
REGRESS    = $(filter-out real_%,$(ALL_TESTS))
else
REGRESS    = $(ALL_TESTS)
endif
REGRESS_OPTS = --load-extension=postgis --load-extension=$(EXTENSION)

PG_CPPFLAGS = -Isrc
# -ffp-contract=off: no fused multiply-add where a function's target has
# FMA (the AVX-512 leg lengths), so every vector width gives the scalar
# code's bits, as tests/unit checks with the same flag
PG_CFLAGS   = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -ffp-contract=off

EXTRA_CLEAN = tests/unit/build tests/fuzz/build

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track header dependencies
$(OBJS): $(wildcard src/*.h)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PIECES)
	cat $^ > $@

.PHONY: unit fuzz
unit:
	$(MAKE) -C tests/unit run

fuzz:
	$(MAKE) -C tests/fuzz run
