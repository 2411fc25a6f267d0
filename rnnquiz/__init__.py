"""rnnquiz: weight shapes and parameter counts of recurrent networks, checked by NumPy.

Quick use::

    >>> from rnnquiz import count_parameters, weight_shapes
    >>> count_parameters(m=10, n=20, p=5)
    725
    >>> weight_shapes(m=10, n=20, p=5)["W_xh"]
    (20, 10)

Every public name is loaded on first use, so ``import rnnquiz`` (and ``rnnquiz count``, whose
entry point lives in this package) stays as light as Python's own start-up.
"""

__version__ = "0.1.0"

# public name -> (module, attribute)
_EXPORTS = {
    "Network": ("rnnquiz.description.network", "Network"),
    "count": ("rnnquiz.calculator.rules", "count"),
    "Count": ("rnnquiz.calculator.rules", "Count"),
    "Tensor": ("rnnquiz.calculator.rules", "Tensor"),
    "solve": ("rnnquiz.calculator.inverse", "solve"),
    "Solution": ("rnnquiz.calculator.inverse", "Solution"),
    "count_parameters": ("rnnquiz.calculator.api", "count_parameters"),
    "weight_shapes": ("rnnquiz.calculator.api", "weight_shapes"),
    "count_model": ("rnnquiz.calculator.model", "count_model"),
    "ModelCount": ("rnnquiz.calculator.model", "ModelCount"),
    "ModelError": ("rnnquiz.errors", "ModelError"),
    "verify": ("rnnquiz.verification", "verify"),
    "Verification": ("rnnquiz.verification", "Verification"),
    "build_model": ("rnnquiz.witness", "build_model"),
    "Model": ("rnnquiz.witness", "Model"),
    "RnnquizError": ("rnnquiz.errors", "RnnquizError"),
    "NetworkError": ("rnnquiz.errors", "NetworkError"),
    "NoSolutionError": ("rnnquiz.errors", "NoSolutionError"),
    "VerificationError": ("rnnquiz.errors", "VerificationError"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'rnnquiz' has no attribute {name!r}") from None
    from importlib import import_module

    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
