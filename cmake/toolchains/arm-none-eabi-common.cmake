# Shared part of the bare-metal Arm toolchains: GCC arm-none-eabi + picolibc.
# Test executables use picolibc's semihosting crt0, so they run under
# qemu-system-arm with -semihosting and report output and exit code.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar CACHE FILEPATH "")
set(CMAKE_RANLIB arm-none-eabi-ranlib CACHE FILEPATH "")
set(CMAKE_NM arm-none-eabi-nm CACHE FILEPATH "")
set(CMAKE_SIZE arm-none-eabi-size CACHE FILEPATH "")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_C_FLAGS_INIT "${TINYSENSE_CPU_FLAGS} --specs=picolibc.specs")
set(CMAKE_CXX_FLAGS_INIT "${TINYSENSE_CPU_FLAGS} --specs=picolibcpp.specs")
# Memory map of QEMU's mps2-an386 (Cortex-M4): 4 MiB SSRAM1 at 0 for code,
# 4 MiB SSRAM2/3 at 0x20000000 for data.
set(CMAKE_EXE_LINKER_FLAGS_INIT "--oslib=semihost --crt0=semihost -Wl,--gc-sections \
-Wl,--defsym=__flash=0x00000000 -Wl,--defsym=__flash_size=0x00400000 \
-Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x00400000 \
-Wl,--defsym=__stack_size=0x00010000")
