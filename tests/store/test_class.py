"""A class on one database (issue 13): 200 learners answering at once from
8 processes on PostgreSQL, and two learners' processes on one SQLite file.
No answer is lost or written twice, and each learner's schedule is their own
(tests/class_scenario.py; benchmarks/class_scenario.py times the same)."""

from __future__ import annotations

import pytest

from tests.class_scenario import check_class, run_class, setup_class


@pytest.mark.slow  # other processes
@pytest.mark.postgres
def test_200_learners_from_8_processes_on_postgresql(postgres_server, tmp_path):
    with postgres_server.database() as url:
        setup_class(url, tmp_path, learners=200)
        run = run_class(url, tmp_path, learners=200, processes=8, turns=2)
        assert run.exit_codes == [0] * 8
        assert len(run.answers) == 400  # every learner has cards to answer
        check_class(url, run)


@pytest.mark.slow
def test_two_learners_processes_on_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'class.sqlite3'}"
    setup_class(url, tmp_path, learners=2)
    run = run_class(url, tmp_path, learners=2, processes=2, turns=40)
    assert run.exit_codes == [0, 0]
    assert len(run.answers) == 80
    check_class(url, run)
