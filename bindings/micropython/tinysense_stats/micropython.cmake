# User C module tinysense_stats for CMake-based ports (see ../usermod.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/../usermod.cmake)
tinysense_usermod(tinysense_stats)
