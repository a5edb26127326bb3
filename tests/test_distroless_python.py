"""``--runtime distroless`` for Python: Debian 12's Python 3.11 in the distroless image, the
packages where that Python finds them (not a virtual environment whose python links to the
builder's interpreter), pip, setuptools and wheel left behind, builder checks for what the
image lacks, and a refusal naming ``--runtime slim`` wherever the program needs more."""

from __future__ import annotations

import subprocess

import dockerfile
import pytest

from dockerslim_refactor.options import Options
from dockerslim_refactor.plan import probes
from dockerslim_refactor.rewrite import rewrite

DISTROLESS = Options(runtime="distroless")


def python_file(cmd: str = 'CMD ["python", "app.py"]', image: str = "python:3.11", extra=""):
    return (
        f"FROM {image}\n{extra}WORKDIR /app\nCOPY requirements.txt .\n"
        f"RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n{cmd}\n"
    )


def split(output: str) -> tuple[str, str]:
    builder, runtime = output.rsplit("\nFROM ", 1)
    return builder, runtime


def test_python_runs_on_distroless_with_its_packages_where_debian_finds_them() -> None:
    result = rewrite(python_file(), DISTROLESS)
    assert result.output is not None, result.reason
    builder, runtime = split(result.output)
    assert runtime.startswith("gcr.io/distroless/python3-debian12\n")
    assert (
        "COPY --from=builder /opt/venv/lib/python3.11/site-packages "
        "/usr/local/lib/python3.11/dist-packages\n" in runtime
    )
    assert "VIRTUAL_ENV" not in runtime and "/opt/venv/bin" not in runtime
    assert 'CMD ["app.py"]' in runtime and '# Was: CMD ["python", "app.py"]' in runtime
    assert "\nRUN " not in runtime  # no shell to run anything
    # The builder leaves the installers behind and checks what the image lacks.
    assert 'drop="wheel pip"' in builder and 'drop="setuptools $drop"' in builder
    assert "compiled modules link libraries distroless Python lacks" in builder
    assert "runs commands through a shell" in builder
    assert any("no shell, no pip" in n.message for n in result.plan.notes)
    assert [c.cmd for c in dockerfile.parse_string(result.output)].count("FROM") == 2
    assert rewrite(result.output, DISTROLESS).output is None


def test_an_entrypoint_names_distroless_python_by_its_path() -> None:
    result = rewrite(python_file('ENTRYPOINT ["python3", "cli.py"]\nCMD ["--help"]'), DISTROLESS)
    assert result.output is not None, result.reason
    _, runtime = split(result.output)
    assert 'ENTRYPOINT ["/usr/bin/python3.11", "cli.py"]' in runtime
    assert 'CMD ["--help"]' in runtime


@pytest.mark.parametrize(
    ("text", "why"),
    [
        pytest.param(python_file(image="python:3.12"), "Python 3.12", id="other-version"),
        pytest.param(
            python_file(image="python:3.11-alpine", extra="RUN apk add gcc musl-dev\n"),
            "musl",
            id="alpine",
        ),
        pytest.param(
            python_file('CMD ["django-admin", "runserver"]'),
            "no module has that name",
            id="console-script-without-a-module-name",
        ),
        pytest.param(python_file("CMD python app.py"), "distroless runs only", id="shell-form"),
        pytest.param(
            python_file('CMD ["sh", "-c", "python app.py"]'), "distroless runs only", id="sh-c"
        ),
        pytest.param(
            python_file(extra="RUN useradd app\n", cmd='USER app\nCMD ["python", "app.py"]'),
            "no user 'app'",
            id="user",
        ),
    ],
)
def test_what_distroless_python_cannot_run_is_refused(text: str, why: str) -> None:
    result = rewrite(text, DISTROLESS)
    assert result.output is None
    assert result.reason is not None and why in result.reason
    assert "--runtime slim" in result.reason


def test_slim_rewrites_leave_the_installers_behind_too() -> None:
    result = rewrite(python_file())
    assert result.output is not None, result.reason
    builder, runtime = split(result.output)
    assert runtime.startswith("python:3.11-slim\n")
    assert 'pip uninstall --yes --quiet "$p"' in builder and "for p in $drop" in builder
    # A program that runs pip keeps it.
    kept = rewrite(python_file('CMD ["sh", "-c", "pip install x && python app.py"]'))
    assert kept.output is not None and "for p in $drop" not in kept.output


def _run(step: str, tmp_path, env=None):
    body = step.split("\nRUN ", 1)[1].replace("\\\n", "")
    body = body.replace(probes.PROBE_DIR, str(tmp_path / "dslim"))
    return subprocess.run(["sh", "-c", body], capture_output=True, text=True, env=env)


def test_the_shell_check_stops_on_os_system_and_shell_true(tmp_path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "app.py").write_text("import subprocess\nsubprocess.run(['ls'])\n")
    step = probes.python_shell_check([str(app)])
    assert _run(step, tmp_path).returncode == 0
    (app / "jobs.py").write_text("import os\nos.system('date')\n")
    proc = _run(step, tmp_path)
    assert proc.returncode == 1 and "jobs.py runs commands through a shell" in proc.stderr
    (app / "jobs.py").write_text("import subprocess\nsubprocess.run('date', shell=True)\n")
    assert _run(step, tmp_path).returncode == 1


def test_the_modules_check_accepts_what_a_wheel_brings_and_stops_on_the_rest(tmp_path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    libs = tmp_path / "bin"
    libs.mkdir()
    # A stand-in ldd: one module links its wheel's own library, one a library distroless
    # Python lacks.
    (libs / "ldd").write_text(
        "#!/bin/sh\ncase $1 in\n"
        f"  *ok.so) echo '\tlibfoo.so.1 => {site}/ok.libs/libfoo.so.1 (0x1)';"
        " echo '\tlibc.so.6 => /lib/libc.so.6 (0x2)' ;;\n"
        "  *bad.so) echo '\tlibpq.so.5 => /usr/lib/libpq.so.5 (0x3)' ;;\nesac\n"
    )
    (libs / "ldd").chmod(0o755)
    env = {"PATH": f"{libs}:/usr/bin:/bin"}
    (site / "ok.so").write_bytes(b"\x7fELF GLIBC_2.17 ")
    step = probes.python_modules_check([str(site)])
    proc = _run(step, tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    (site / "bad.so").write_bytes(b"\x7fELF GLIBC_2.17 ")
    proc = _run(step, tmp_path, env)
    assert proc.returncode == 1 and "libpq.so.5" in proc.stderr and "--runtime slim" in proc.stderr
    (site / "bad.so").write_bytes(b"\x7fELF GLIBC_2.38 ")
    (libs / "ldd").write_text("#!/bin/sh\n:\n")
    proc = _run(step, tmp_path, env)
    assert proc.returncode == 1 and "glibc 2.38" in proc.stderr


def test_python_from_the_distribution_keeps_its_release_and_says_so() -> None:
    # pip on Debian's own Python: the runtime is that release, and the note says why
    # distroless was not taken.
    text = (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y python3 python3-pip python3-dev gcc\n"
        "WORKDIR /app\nCOPY . .\nRUN pip3 install --break-system-packages -r requirements.txt\n"
        'CMD ["python3", "app.py"]\n'
    )
    result = rewrite(text, DISTROLESS)
    assert result.output is not None, result.reason
    assert "\nFROM debian:bookworm-slim\n" in result.output
    assert any(
        "runtime debian:bookworm-slim instead of distroless" in n.message for n in result.plan.notes
    )


def test_a_console_script_runs_as_python_m_after_a_builder_check(tmp_path) -> None:
    result = rewrite(python_file('CMD ["gunicorn", "--bind", ":8000", "app:wsgi"]'), DISTROLESS)
    assert result.output is not None, result.reason
    builder, runtime = split(result.output)
    assert 'CMD ["-m", "gunicorn", "--bind", ":8000", "app:wsgi"]' in runtime
    assert any("runs as `python -m gunicorn`" in n.message for n in result.plan.notes)
    (step,) = [s for s in builder.split("\n# ") if "python -m gunicorn`: check" in s]
    step = "# " + step.split("\n# The runtime is distroless Python")[0]
    site = tmp_path / "opt/venv/lib/python3.11/site-packages"
    site.mkdir(parents=True)
    step = step.replace("/opt/venv", str(tmp_path / "opt/venv"))
    proc = _run(step, tmp_path)
    assert proc.returncode == 1 and "no module gunicorn" in proc.stderr
    (site / "gunicorn").mkdir()
    (site / "gunicorn" / "__main__.py").write_text("")
    assert _run(step, tmp_path).returncode == 0


def test_a_build_kept_outside_a_venv_is_left_alone_on_distroless() -> None:
    """What pip put in the official image's site-packages the distroless Python never reads:
    only a venv's packages are moved where it looks."""
    from dockerslim_refactor.options import Options
    from dockerslim_refactor.rewrite import rewrite

    text = (
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        "RUN cp extra.pth /usr/local/lib/python3.11/site-packages/\n"
        'CMD ["python", "app.py"]\n'
    )
    result = rewrite(text, Options(runtime="distroless"))
    assert result.output is None
    assert "--runtime distroless" in result.reason and "--runtime slim" in result.reason
    assert rewrite(text).output is not None  # the slim runtime takes it as written
