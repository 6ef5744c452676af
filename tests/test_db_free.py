"""Which tests reach a database (``tests/db_free.py``), and the guard on the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conftest, db_free
from tests.api import issue18_world
from tests.conftest import make_database
from tests.geo import test_distance


def _makes() -> None:
    make_database(Path("."), "never")


def _by_engine() -> bool:
    return conftest.BACKEND == "postgresql"


def _through_a_helper(tmp_path_factory: pytest.TempPathFactory) -> None:
    with issue18_world.open_world(tmp_path_factory, "never"):
        pass


def _calls_a_caller() -> None:
    _makes()


def _pure() -> float:
    return abs(-1.0)


@pytest.mark.parametrize(
    ("function", "reaches"),
    [
        (_makes, True),
        (_by_engine, True),
        (_through_a_helper, True),
        (_calls_a_caller, True),
        (_pure, False),
        (test_distance.test_vincentys_formula_answers_where_it_is_used, False),
    ],
)
def test_reaches_a_database(function: object, reaches: bool) -> None:
    assert db_free.Reader().reaches(function) is reaches


def test_a_module_that_names_an_engine_name_keeps_its_tests(request: pytest.FixtureRequest) -> None:
    # This module names make_database: its tests run on both engines, this one included.
    assert request.node.get_closest_marker(db_free.MARK) is None
    assert db_free.Reader().module_reaches(request.module)


def test_make_database_refuses_under_a_no_db_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(db_free.RUNNING, "tests/geo/test_x.py::test_y")
    with pytest.raises(RuntimeError, match="marked no_db"):
        make_database(tmp_path, "refused")
