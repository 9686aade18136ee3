# User C module tinysense_iir (firmware build): see ../usermod.mk.
include $(USERMOD_DIR)/../usermod.mk
