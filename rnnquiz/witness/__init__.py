"""The NumPy witness: real recurrent networks built from their equations.

It never asks the rules engine (``rnnquiz.calculator.rules``) what to build: each
convention's constructor creates its own parameters, so counting them is an independent
check of the engine.
"""

from rnnquiz.witness.model import Model, build_model

__all__ = ["Model", "build_model"]
