# Shared build of the tinysense dynamic native modules (.mpy).
#
# A module's Makefile sets
#   MOD     module name, e.g. tinysense_fft
#   SRC     its C glue (defines mpy_init; linked first, see below)
# and includes this file; the module's C++ sources (shim + kernels) come from
# modules.mk. This file includes MicroPython's py/dynruntime.mk and adds what
# it lacks: a C++ rule, the pre-link of all C++ objects into one, a libm, the
# libgcc for soft-float targets, and the output location.
#
#   make -C bindings/micropython/tinysense_fft ARCH=armv7emsp MPY_DIR=/path/to/micropython
#
# writes build/mpy/<ARCH>/<MOD>.mpy (objects under build/mpy/obj/<ARCH>/<MOD>/).
# ARCH: x64, armv6m, armv7m, armv7emsp, rv32imc (toolchains from Debian:
# gcc-x86-64-linux-gnu / g++, gcc-arm-none-eabi + libnewlib-arm-none-eabi +
# libstdc++-arm-none-eabi-newlib, gcc-riscv64-unknown-elf + picolibc).
# xtensawin (ESP32) needs Espressif's xtensa-esp32-elf toolchain: see
# bindings/micropython/README.md.
#
# Why each piece is here (MicroPython 1.29 natmod loader, tools/mpy_ld.py):
# - C++: dynruntime.mk only compiles C. The kernels are built with the
#   library's own constraints (no exceptions, RTTI, thread-safe statics or
#   atexit) plus -fpic, and must not have writable initialised data,
#   function-local statics or global constructors: the loader runs no
#   constructors and rejects .data. The pre-link step fails if any
#   .init_array/.ctors section appears.
# - Pre-link: all C++ objects (and the libm below) are merged with `ld -r`
#   into one object, so identical inline functions (COMDAT) emitted by several
#   objects become one (mpy_ld.py would report duplicate symbols), and with
#   --gc-sections only code reachable from the shim's exported entry points is
#   kept (everything else is compiled with -fvisibility=hidden; the shim
#   exports ts_*).
# - Link order: the glue (which defines mpy_init) comes first.
# - libm: the init code of the kernels uses double-precision libm (sin/cos
#   for twiddles and windows, log/exp/pow for mel bands, expm1 for the sound
#   level meter) and a few float functions (logf, log10f). The toolchains'
#   own libm cannot be loaded: newlib's wrappers (sqrtf, logf, log, ...) keep
#   _LIB_VERSION in .data and set errno through reentrancy data, picolibc's
#   set a thread-local errno, and glibc's static libm (x64) selects sin/cos/
#   exp/log through IFUNC resolvers; mpy_ld.py rejects or cannot relocate all
#   three. So every arch links the functions it needs from MicroPython's own
#   portable libm ($(MPY_DIR)/lib/libm_dbl + lib/libm: musl/fdlibm, no errno,
#   the code MicroPython's bare-metal ports use for `math`), compiled here
#   into the build directory. Nothing from it is kept in this repository.
# - libgcc: soft-float (armv6m, armv7m, rv32imc) and soft-double (armv7emsp,
#   single-precision FPU) arithmetic comes from the toolchain's libgcc.a,
#   which mpy_ld.py links (the same file LINK_RUNTIME=1 would add, without
#   the toolchain libm). mpy_ld.py reads archives with the module `ar` (PyPI,
#   not in Debian): tools/ar.py provides the part of its API mpy_ld.py uses.

TS_MP_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TS_ROOT := $(abspath $(TS_MP_DIR)/../..)

ifeq ($(MPY_DIR),)
$(error MPY_DIR is not set: point it at a MicroPython source tree with mpy-cross built)
endif

ARCH ?= x64
BUILD ?= $(TS_ROOT)/build/mpy/obj/$(ARCH)/$(MOD)
OUT_DIR ?= $(TS_ROOT)/build/mpy/$(ARCH)
# Optimisation of the C++ kernels (the glue uses dynruntime.mk's -Os).
TS_OPT ?= -O2
# mpy_ld.py needs pyelftools: Debian's python3-pyelftools is for /usr/bin/python3.
TS_PYTHON ?= /usr/bin/python3
# GCC 12 libstdc++ headers for the rv32 toolchain (see cmake/toolchains/rv32imc.cmake).
TS_RV_CXX_HEADERS ?= /usr/include/newlib/c++/12.2.1

include $(TS_MP_DIR)/modules.mk
TS_CXX ?= $(TS_CXX_$(MOD))
ifeq ($(TS_CXX),)
$(error no C++ sources listed for $(MOD) in bindings/micropython/modules.mk)
endif

CFLAGS += -I$(TS_MP_DIR)/shim -MMD -MP

include $(MPY_DIR)/py/dynruntime.mk

# dynruntime.mk sets PYTHON = python3 unconditionally; this wins at expansion time.
PYTHON = $(TS_PYTHON)

CXX = $(CROSS)g++
TS_CXXFLAGS = $(CFLAGS_ARCH) -std=c++17 $(TS_OPT) -DNDEBUG \
	-fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit \
	-fno-math-errno -ffunction-sections -fdata-sections -fvisibility=hidden \
	-Wall -Wextra -Wconversion -Wshadow -Werror \
	-I$(TS_ROOT)/include -I$(TS_MP_DIR)/shim
ifeq ($(ARCH),rv32imc)
TS_CXXFLAGS += -isystem $(TS_RV_CXX_HEADERS) -isystem $(TS_RV_CXX_HEADERS)/arm-none-eabi/thumb/v6-m/nofp
endif

TS_CXX_OBJ = $(addprefix $(BUILD)/cxx/,$(TS_CXX:.cpp=.o))
TS_CXX_LINKED = $(BUILD)/$(MOD)_cxx.o

$(BUILD)/cxx/%.o: $(TS_ROOT)/%.cpp Makefile $(TS_MP_DIR)/natmod.mk
	$(ECHO) "CXX $*.cpp"
	$(Q)$(MKDIR) -p $(dir $@)
	$(Q)$(CXX) $(TS_CXXFLAGS) -MMD -MP -c -o $@ $<

-include $(TS_CXX_OBJ:.o=.d)
# dynruntime.mk's C rule lists no headers: the glue also depends on what -MMD found.
-include $(SRC_O:.o=.d)

# MicroPython's portable libm (see the header comment), for every arch.
TS_LIBM_DBL = sin cos __sin __cos __rem_pio2 __rem_pio2_large scalbn floor ceil exp expm1 log log10 pow sqrt
TS_LIBM_DIR ?= $(TS_ROOT)/build/mpy/obj/$(ARCH)/libm
TS_LIBM_FLT = math ef_sqrt
TS_LIBM_OBJ = $(addprefix $(TS_LIBM_DIR)/,$(addsuffix .o,$(TS_LIBM_DBL) $(addprefix f_,$(TS_LIBM_FLT))))
TS_LIBM = $(TS_LIBM_DIR)/libm-mpy.a
TS_LIBM_CFLAGS = $(CFLAGS_ARCH) -O2 -std=gnu11 -w -fno-math-errno -ffunction-sections -fdata-sections \
	-fvisibility=hidden -include $(TS_MP_DIR)/tools/libm_prefix.h
$(TS_LIBM_DIR)/%.o: $(MPY_DIR)/lib/libm_dbl/%.c
	$(Q)$(MKDIR) -p $(dir $@)
	$(Q)$(CC) $(TS_LIBM_CFLAGS) -I$(MPY_DIR)/lib/libm_dbl -c -o $@ $<
$(TS_LIBM_DIR)/f_%.o: $(MPY_DIR)/lib/libm/%.c
	$(Q)$(MKDIR) -p $(dir $@)
	$(Q)$(CC) $(TS_LIBM_CFLAGS) -I$(MPY_DIR)/lib/libm -c -o $@ $<
$(TS_LIBM): $(TS_LIBM_OBJ)
	$(ECHO) "AR $(notdir $@)"
	$(Q)rm -f $@ && $(CROSS)ar rcs $@ $^

# libgcc for soft-float / soft-double arithmetic (not needed on x64).
ifeq ($(filter $(ARCH),x64 x86),)
TS_LIBGCC := $(realpath $(shell $(CC) $(CFLAGS) --print-libgcc-file-name))
MPY_LD_FLAGS += -l$(TS_LIBGCC)
endif

$(TS_CXX_LINKED): $(TS_CXX_OBJ) $(TS_LIBM)
	$(ECHO) "LD -r $(notdir $@)"
	$(Q)$(CXX) $(filter-out -specs=% --specs=%,$(CFLAGS_ARCH)) -nostdlib -r -Wl,--gc-sections,--gc-keep-exported -o $@ $(TS_CXX_OBJ) $(TS_LIBM)
	$(Q)if $(CROSS)readelf -S -W $@ | grep -E '\.(init_array|fini_array|ctors|dtors)' >/dev/null; then \
		echo "error: $@ has global constructors/destructors (the natmod loader runs none)"; \
		rm -f $@; exit 1; fi

.DEFAULT_GOAL := ts-all
.PHONY: ts-all
ts-all: $(OUT_DIR)/$(MOD).mpy

# mpy_ld.py runs inside $(BUILD) so its archive cache (.mpy_ld_cache-<arch>)
# lands there, with tools/ on PYTHONPATH for `import ar`.
$(OUT_DIR)/$(MOD).mpy: $(SRC_O) $(TS_CXX_LINKED) $(CONFIG_H)
	$(ECHO) "LINK $(ARCH)/$(MOD).mpy"
	$(Q)$(MKDIR) -p $(OUT_DIR)
	$(Q)cd $(BUILD) && PYTHONPATH=$(TS_MP_DIR)/tools $(PYTHON) $(MPY_DIR)/tools/mpy_ld.py \
		--arch $(ARCH) --qstrs $(CONFIG_H) $(MPY_LD_FLAGS) -o $@ $(SRC_O) $(TS_CXX_LINKED)
