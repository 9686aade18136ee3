# User C module tinysense_knn (firmware build): see ../usermod.mk.
include $(USERMOD_DIR)/../usermod.mk
