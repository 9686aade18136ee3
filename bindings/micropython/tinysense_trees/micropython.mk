# User C module tinysense_trees (firmware build): see ../usermod.mk.
include $(USERMOD_DIR)/../usermod.mk
