"""The calculator: the rules engine (description -> named tensors, shapes, counts), the inverse
solver, worked solutions and text rendering. Standard library only, so ``rnnquiz count`` stays
as light as Python's start-up."""
