"""What the user describes: the network (m, n, p, T, cell, layers, ...) read by both the
calculator and the witness. Nothing here computes an answer."""
