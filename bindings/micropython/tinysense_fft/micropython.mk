# User C module tinysense_fft (firmware build): see ../usermod.mk.
include $(USERMOD_DIR)/../usermod.mk
