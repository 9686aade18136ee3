# User C module tinysense_img (firmware build): see ../usermod.mk.
include $(USERMOD_DIR)/../usermod.mk
