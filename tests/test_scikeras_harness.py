"""The scikeras parity harness: alias package, per-module counts."""

from benchmarks.scikeras_parity import count_results, main, write_alias_package


def test_alias_package_reexports_sklearn_dl(tmp_path):
    write_alias_package(tmp_path)
    text = (tmp_path / "scikeras" / "wrappers.py").read_text()
    assert "from sklearn_dl import BaseWrapper, KerasClassifier, KerasRegressor" in text


def test_counts_of_a_junit_report(tmp_path):
    report = tmp_path / "r.xml"
    report.write_text(
        "<testsuites><testsuite>"
        '<testcase name="a"/><testcase name="b"><failure/></testcase>'
        '<testcase name="c"><error/></testcase><testcase name="d"><skipped/></testcase>'
        "</testsuite></testsuites>"
    )
    assert count_results(report) == {
        "passed": 1,
        "failed": 1,
        "errors": 1,
        "skipped": 1,
    }
    assert count_results(tmp_path / "missing.xml")["passed"] == 0


def test_harness_runs_modules_against_the_alias(tmp_path, capsys):
    tests = tmp_path / "fetched"
    tests.mkdir()
    (tests / "test_alias.py").write_text(
        "from scikeras.wrappers import KerasClassifier\n"
        "import sklearn_dl\n\n"
        "def test_alias():\n"
        "    assert KerasClassifier is sklearn_dl.KerasClassifier\n\n"
        "def test_fails():\n"
        "    assert False\n"
    )
    (tests / "test_broken.py").write_text("from scikeras._utils import nothing\n")
    main([str(tests), "--workers", "1", "--timeout", "0"])
    lines = {
        line.split()[0]: line.split()[1:]
        for line in capsys.readouterr().out.splitlines()
    }
    assert lines["test_alias"] == ["1", "1", "0", "0"]
    assert lines["test_broken"] == ["0", "0", "1", "0"]
    assert lines["TOTAL"] == ["1", "1", "1", "0"]
