"""The scikeras parity harness: alias package, per-module counts."""

import sys

from benchmarks.scikeras_parity import count_results, main, write_alias_package


def test_alias_package_reexports_sklearn_dl(tmp_path):
    write_alias_package(tmp_path)
    text = (tmp_path / "scikeras" / "wrappers.py").read_text()
    assert "from sklearn_dl import BaseWrapper, KerasClassifier, KerasRegressor" in text


def test_alias_utils_reexport_sklearn_dl_utils(tmp_path, monkeypatch):
    import sklearn_dl.utils

    write_alias_package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import scikeras.utils
        import scikeras.utils.transformers as encoders

        assert scikeras.utils.loss_name is sklearn_dl.utils.loss_name
        assert scikeras.utils.metric_name is sklearn_dl.utils.metric_name
        assert (
            encoders.ClassifierLabelEncoder is sklearn_dl.utils.ClassifierLabelEncoder
        )
        assert (
            encoders.RegressorTargetEncoder is sklearn_dl.utils.RegressorTargetEncoder
        )
        assert encoders.TargetReshaper is sklearn_dl.utils.TargetReshaper
    finally:  # the alias must not outlive the test
        for name in [n for n in sys.modules if n.split(".")[0] == "scikeras"]:
            del sys.modules[name]


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
