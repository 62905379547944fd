"""The Examples sections in docstrings run."""

import doctest

import pytest

import shipwatch.geo
import shipwatch.summary


@pytest.mark.parametrize("module", [shipwatch.geo, shipwatch.summary])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.failed == 0
