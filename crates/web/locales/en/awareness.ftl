# The portal's words for the VVSG action plan: awareness.
