"""Everything that turns Arabic documents and questions into cited answers (no Telegram)."""

import os

# One BLAS thread (read when numpy loads, so set before any module here imports it).
# Sanad's matrix products are small: a question against its sentences' vectors, by bit
# codes past 50,000 of them. OpenBLAS's idle threads spin on the cores the encoder needs:
# a question's vector took 58 ms beside them and 18 ms without (bench/build.py, 2 cores).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
