# User C module tinysense_soundlevel (firmware build): see ../usermod.mk.
include $(USERMOD_DIR)/../usermod.mk
