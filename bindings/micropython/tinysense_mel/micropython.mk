# User C module tinysense_mel (firmware build): see ../usermod.mk.
include $(USERMOD_DIR)/../usermod.mk
