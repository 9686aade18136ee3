# Cortex-M0+ without FPU (RP2040, STM32L0, SAMD21): compile-only target.
set(TINYSENSE_CPU_FLAGS "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-common.cmake)
