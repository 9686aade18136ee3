# RV32IMC without FPU (ESP32-C3, CH32V, GD32VF103): library only, compile-only.
#
# Debian 12 ships gcc-riscv64-unknown-elf with picolibc but no libstdc++ for
# it. The library needs only header-only parts of the C++ library (<array>,
# <type_traits>, <algorithm>, <cmath>, <limits>), so this toolchain borrows the
# GCC 12.2 libstdc++ headers of the arm-none-eabi package (same GCC release,
# same bare-metal picolibc/newlib configuration, ILP32) and links nothing
# from libstdc++. Code generation is riscv64-unknown-elf-gcc's own.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_CXX_COMPILER riscv64-unknown-elf-g++)
set(CMAKE_AR riscv64-unknown-elf-ar CACHE FILEPATH "")
set(CMAKE_RANLIB riscv64-unknown-elf-ranlib CACHE FILEPATH "")
set(CMAKE_NM riscv64-unknown-elf-nm CACHE FILEPATH "")
set(CMAKE_SIZE riscv64-unknown-elf-size CACHE FILEPATH "")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(TINYSENSE_CPU_FLAGS "-march=rv32imc -mabi=ilp32")
set(_cxx_headers /usr/include/newlib/c++/12.2.1)  # package libstdc++-arm-none-eabi-dev
set(CMAKE_C_FLAGS_INIT "${TINYSENSE_CPU_FLAGS} --specs=picolibc.specs")
set(CMAKE_CXX_FLAGS_INIT
  "${TINYSENSE_CPU_FLAGS} --specs=picolibc.specs -isystem ${_cxx_headers} -isystem ${_cxx_headers}/arm-none-eabi/thumb/v6-m/nofp")
