"""Under CI=true a skipped test must fail the run (tests/ci_skips.py); locally it stays a skip."""

from __future__ import annotations

import pytest

SUITE = """
import pytest

def test_runs():
    assert True

def test_needs_a_browser():
    pytest.skip("no browser here")

@pytest.mark.xfail(reason="known gap")
def test_known_gap():
    assert False
"""
MODULE_SKIP = """
import pytest
pytest.skip("no model here", allow_module_level=True)

def test_never_collected():
    pass
"""


def test_a_skip_fails_the_run_under_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CI", "true")
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest("-p", "ci_skips")
    result.assert_outcomes(passed=1, failed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*skipped under CI=true*no browser here*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_module_level_skip_fails_the_run_under_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CI", "true")
    pytester.makepyfile(test_gated=MODULE_SKIP)
    result = pytester.runpytest("-p", "ci_skips")
    result.stdout.fnmatch_lines(["*module skipped under CI=true*no model here*"])
    assert result.ret != pytest.ExitCode.OK


def test_a_skip_stays_a_skip_outside_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest("-p", "ci_skips")
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    assert result.ret == pytest.ExitCode.OK
