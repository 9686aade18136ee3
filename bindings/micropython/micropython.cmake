# All tinysense user C modules for CMake-based ports:
#   USER_C_MODULES=/path/to/tinysense/bindings/micropython/micropython.cmake
# To pick some, include only their <module>/micropython.cmake from your own
# top-level file.
include(${CMAKE_CURRENT_LIST_DIR}/tinysense_fft/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/tinysense_iir/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/tinysense_stats/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/tinysense_mel/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/tinysense_soundlevel/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/tinysense_trees/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/tinysense_knn/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/tinysense_cnn/micropython.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/tinysense_img/micropython.cmake)
