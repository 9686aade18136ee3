# Shared part of the tinysense user C modules (firmware build, Make-based ports).
#
# Each <module>/micropython.mk only includes this file, which adds the
# module's C glue (<module>/<module>.c, the same source as the .mpy build) and
# its C++ sources from modules.mk that no other tinysense module added yet
# (fft.cpp is shared by tinysense_fft and tinysense_mel, status.cpp by all),
# plus the compiler flags once.
#
#   make -C ports/<port> USER_C_MODULES=/path/to/tinysense/bindings/micropython
#
# builds every module; see bindings/micropython/README.md.
TS_UM_DIR := $(USERMOD_DIR)
TS_UM_MOD := $(notdir $(TS_UM_DIR))
TS_UM_ROOT := $(abspath $(TS_UM_DIR)/../../..)
include $(TS_UM_ROOT)/bindings/micropython/modules.mk
ifeq ($(TS_CXX_$(TS_UM_MOD)),)
$(error tinysense: no C++ sources listed for $(TS_UM_MOD) in bindings/micropython/modules.mk)
endif
SRC_USERMOD_C += $(TS_UM_DIR)/$(TS_UM_MOD).c
TS_UM_NEW := $(filter-out $(SRC_USERMOD_LIB_CXX),$(addprefix $(TS_UM_ROOT)/,$(TS_CXX_$(TS_UM_MOD))))
SRC_USERMOD_LIB_CXX += $(TS_UM_NEW)
# The kernels use double on purpose in their init code; ports whose CFLAGS
# (which also reach C++) carry -fsingle-precision-constant, -Wdouble-promotion
# and -Wfloat-conversion with -Werror (stm32, nrf, qemu, mimxrt, renesas-ra ...)
# would turn their double constants into floats or fail the build. These
# target-specific flags come after the port's on the command line, so they
# win; they apply only to tinysense's C++ objects (paths as py.mk forms them).
$(addprefix $(BUILD)/,$(TS_UM_NEW:.cpp=.o)): CXXFLAGS += -fno-single-precision-constant \
	-Wno-double-promotion -Wno-float-conversion
# Bare-metal ports: the double libm of the kernels' init code and the float
# functions of their hot loops (a float firmware links only MicroPython's
# float libm, a double one only the double libm). Weak definitions (see
# tools/libm_usermod.h) compiled from MicroPython's own lib/libm_dbl and
# lib/libm; hosted ports (unix, windows, webassembly) use the C library's libm.
ifeq ($(filter unix windows webassembly,$(notdir $(CURDIR))),)
ifndef TS_USERMOD_LIBM
TS_USERMOD_LIBM := 1
TS_UM_LIBM := $(addprefix $(abspath $(TOP))/lib/libm_dbl/,$(addsuffix .c,sin cos __sin __cos \
	__rem_pio2 __rem_pio2_large scalbn floor ceil exp expm1 log log10 pow sqrt))
TS_UM_LIBMF := $(addprefix $(abspath $(TOP))/lib/libm/,math.c ef_sqrt.c)
SRC_USERMOD_LIB_C += $(TS_UM_LIBM) $(TS_UM_LIBMF)
$(addprefix $(BUILD)/,$(TS_UM_LIBM:.c=.o)): CFLAGS += -fno-single-precision-constant -w \
	-I$(abspath $(TOP))/lib/libm_dbl -include $(TS_UM_ROOT)/bindings/micropython/tools/libm_usermod.h
$(addprefix $(BUILD)/,$(TS_UM_LIBMF:.c=.o)): CFLAGS += -w \
	-I$(abspath $(TOP))/lib/libm -include $(TS_UM_ROOT)/bindings/micropython/tools/libm_usermod.h
endif
endif
ifndef TS_USERMOD_FLAGS
TS_USERMOD_FLAGS := 1
CFLAGS_USERMOD += -I$(TS_UM_ROOT)/bindings/micropython/shim
# The firmware's CFLAGS (warnings as errors included) also reach C++ sources.
CXXFLAGS_USERMOD += -std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics \
	-I$(TS_UM_ROOT)/include -I$(TS_UM_ROOT)/bindings/micropython/shim
endif
