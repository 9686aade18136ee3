# User C module tinysense_stats (firmware build): see ../usermod.mk.
include $(USERMOD_DIR)/../usermod.mk
