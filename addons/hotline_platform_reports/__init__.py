# The channel list is hotline_case's (CHANNEL_SELECTION); this glue holds the test that the
# platform's work orders reach the figures with their channel and deadline.
