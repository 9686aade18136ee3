# Shared part of the tinysense user C modules for CMake-based ports (esp32,
# rp2, ...): the CMake twin of usermod.mk.
#
#   make -C ports/esp32 USER_C_MODULES=/path/to/tinysense/bindings/micropython/micropython.cmake
#
# tinysense_usermod(<module>) adds an INTERFACE library usermod_<module> with
# the module's C glue and the C++ sources listed for it in modules.mk (parsed
# here, so the lists exist once); a C++ source shared by several modules is
# added only once.
get_filename_component(TINYSENSE_MP_DIR ${CMAKE_CURRENT_LIST_DIR} ABSOLUTE)
get_filename_component(TINYSENSE_MP_ROOT ${TINYSENSE_MP_DIR}/../.. ABSOLUTE)

function(tinysense_usermod name)
  file(STRINGS ${TINYSENSE_MP_DIR}/modules.mk lines REGEX "^TS_CXX_${name} :=")
  if(NOT lines)
    message(FATAL_ERROR "tinysense: no C++ sources for ${name} in bindings/micropython/modules.mk")
  endif()
  string(REGEX REPLACE "^TS_CXX_${name} :=[ ]*" "" srcs "${lines}")
  separate_arguments(srcs)
  get_property(added GLOBAL PROPERTY TINYSENSE_USERMOD_CXX)
  set(sources ${TINYSENSE_MP_DIR}/${name}/${name}.c)
  foreach(src ${srcs})
    set(abs ${TINYSENSE_MP_ROOT}/${src})
    if(NOT abs IN_LIST added)
      list(APPEND sources ${abs})
      list(APPEND added ${abs})
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY TINYSENSE_USERMOD_CXX ${added})

  add_library(usermod_${name} INTERFACE)
  target_sources(usermod_${name} INTERFACE ${sources})
  target_include_directories(usermod_${name} INTERFACE
    ${TINYSENSE_MP_DIR}/shim ${TINYSENSE_MP_ROOT}/include)
  target_compile_options(usermod_${name} INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics>)
  target_link_libraries(usermod INTERFACE usermod_${name})
endfunction()
