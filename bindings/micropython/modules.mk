# C++ sources of each MicroPython module (the extern "C" shim plus the kernels
# it wraps), relative to the repository root. The one list used by natmod.mk
# (.mpy), usermod.mk (Make-based firmware) and usermod.cmake (CMake-based
# firmware, which parses these lines: keep one module per line, no variables).
TS_CXX_tinysense_fft := bindings/micropython/shim/fft_shim.cpp bindings/micropython/shim/common_shim.cpp src/dsp/fft.cpp src/dsp/window.cpp src/core/status.cpp
TS_CXX_tinysense_iir := bindings/micropython/shim/iir_shim.cpp bindings/micropython/shim/common_shim.cpp src/dsp/biquad.cpp src/core/status.cpp
TS_CXX_tinysense_stats := bindings/micropython/shim/stats_shim.cpp bindings/micropython/shim/common_shim.cpp src/dsp/stats.cpp src/core/status.cpp
TS_CXX_tinysense_mel := bindings/micropython/shim/mel_shim.cpp bindings/micropython/shim/common_shim.cpp src/dsp/mel.cpp src/dsp/fft.cpp src/dsp/window.cpp src/core/status.cpp
TS_CXX_tinysense_soundlevel := bindings/micropython/shim/soundlevel_shim.cpp bindings/micropython/shim/common_shim.cpp src/dsp/sound_level.cpp src/dsp/weighting.cpp src/dsp/biquad.cpp src/core/status.cpp
TS_CXX_tinysense_trees := bindings/micropython/shim/trees_shim.cpp bindings/micropython/shim/common_shim.cpp src/ml/trees.cpp src/ml/model.cpp src/core/crc32.cpp src/core/status.cpp
TS_CXX_tinysense_knn := bindings/micropython/shim/knn_shim.cpp bindings/micropython/shim/common_shim.cpp src/ml/knn.cpp src/ml/model.cpp src/core/crc32.cpp src/core/status.cpp
TS_CXX_tinysense_cnn := bindings/micropython/shim/cnn_shim.cpp bindings/micropython/shim/common_shim.cpp src/nn/cnn.cpp src/nn/kernels.cpp src/ml/model.cpp src/core/crc32.cpp src/core/status.cpp
TS_CXX_tinysense_img := bindings/micropython/shim/img_shim.cpp bindings/micropython/shim/common_shim.cpp src/img/image.cpp src/core/status.cpp
