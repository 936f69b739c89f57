"""Shared test set-up: quiet TensorFlow, deterministic global RNGs."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Lets scikit-learn run its array-API input check (NumPy namespace) too.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import random

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_global_generators():
    """Seed NumPy's and Python's global generators for every test."""
    random.seed(0)
    np.random.seed(0)
