"""Process set-up: glibc's malloc tunables and the restart that applies them."""

import json
import os
import platform
import subprocess
import sys

import pytest

from keras_crnn import runtime

GLIBC = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"
needs_glibc = pytest.mark.skipif(not GLIBC, reason="malloc tunables are glibc's (Linux)")


@needs_glibc
def test_malloc_environment_adds_the_tunables_once_and_keeps_the_users():
    env = runtime.malloc_environment({"PATH": "/bin"})
    assert env == {"PATH": "/bin", "GLIBC_TUNABLES": runtime.MALLOC_TUNABLES}
    assert runtime.malloc_environment(env) is None  # after the restart: nothing more
    other = runtime.malloc_environment({"GLIBC_TUNABLES": "glibc.cpu.x86_shstk=off"})
    assert other["GLIBC_TUNABLES"] == f"glibc.cpu.x86_shstk=off:{runtime.MALLOC_TUNABLES}"
    # The user's own malloc settings, or the opt-out, are left alone.
    assert runtime.malloc_environment({"GLIBC_TUNABLES": "glibc.malloc.arena_max=4"}) is None
    assert runtime.malloc_environment({runtime._MALLOC_OPT_OUT: "system"}) is None


def test_malloc_report_names_the_setup():
    expected = {runtime.MALLOC_TUNABLES: "glibc tuned (keras_crnn)", "": "glibc default",
                "glibc.malloc.arena_max=4": "glibc (GLIBC_TUNABLES=glibc.malloc.arena_max=4)"}
    for tunables, report in expected.items():
        got = runtime.malloc_report({"GLIBC_TUNABLES": tunables})
        assert got == (report if GLIBC else platform.libc_ver()[0] or "unknown C library")


@needs_glibc
@pytest.mark.parametrize("opt_out, expected", [(None, "glibc tuned (keras_crnn)"),
                                               ("system", "glibc default")])
def test_the_command_restarts_itself_with_the_tunables(opt_out, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES",
                                                            runtime._MALLOC_OPT_OUT)}
    if opt_out:
        env[runtime._MALLOC_OPT_OUT] = opt_out
    out = subprocess.run([sys.executable, "-m", "keras_crnn.cli", "info", "--json"], env=env,
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["malloc"] == expected


@pytest.mark.parametrize("name, separator", [("Makefile", "?="), ("README.md", "=")])
def test_make_and_the_readme_export_the_same_tunables(name, separator):
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / name).read_text()
    exported = [line.split(separator, 1)[1].strip() for line in text.splitlines()
                if line.startswith("export GLIBC_TUNABLES")]
    assert exported == [runtime.MALLOC_TUNABLES]
