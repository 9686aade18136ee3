# User C module tinysense_cnn (firmware build): see ../usermod.mk.
include $(USERMOD_DIR)/../usermod.mk
