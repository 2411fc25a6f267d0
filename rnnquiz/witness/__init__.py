"""The NumPy witness: real recurrent networks built from their equations.

It never asks the rules engine (``rnnquiz.calculator.rules``) what to build: each
convention's constructor creates its own parameters, so counting them is an independent
check of the engine.

``model.py`` is one recurrent stack (m, n, p) in a convention's storage; ``models.py`` builds a
whole model line (Keras or PyTorch layers) from ``layers/``, a module per layer family
(recurrent, core, convolutional, normalization), each layer creating its own tensors from the
input it receives.
"""

from rnnquiz.witness.model import Model, build_model

__all__ = ["Model", "build_model"]
