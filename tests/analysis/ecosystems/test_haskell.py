"""The Haskell detector and wrappers: cabal and stack builds, ``cabal run`` and ``stack exec``
replaced by the program the builder copies out of the build tool's folders, the Debian
release of the haskell images, and the app folder under /opt without the base image's GHC."""

from __future__ import annotations

import dockerfile
import pytest

from dockerslim_refactor.analysis.images import parse_image, probable_codename
from dockerslim_refactor.document import parse
from dockerslim_refactor.findings import analyze
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite

CABAL = (
    "cabal-version: 2.4\nname: greeter\nversion: 0.1.0\n\nexecutable greeter\n  main-is: Main.hs\n"
)


def haskell_file(run: str, command: str, image: str = "haskell:9.2.8-slim-buster") -> str:
    return f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN {run}\n{command}\n"


def rewritten(text: str, options: Options | None = None, context=None) -> str:
    result = rewrite(text, options, context)
    assert result.output is not None, result.reason
    dockerfile.parse_string(result.output)  # BuildKit's parser takes it
    assert rewrite(result.output).output is None  # a second run changes nothing
    return result.output


def runtime_stage(output: str) -> str:
    return output[output.rindex("\nFROM ") :]


def test_cabal_run_becomes_the_program_the_builder_copies_out() -> None:
    output = rewritten(
        haskell_file("cabal build", 'ENTRYPOINT ["cabal", "run", "greeter", "--", "world"]')
    )
    builder, runtime = output[: output.rindex("\nFROM ")], runtime_stage(output)
    assert "p=$(cabal list-bin greeter 2>/dev/null)" in builder
    assert 'cp -L "$p" /usr/local/bin/greeter' in builder
    assert runtime.startswith("\nFROM debian:buster-slim\n")
    assert "COPY --from=builder /usr/local/bin/greeter /usr/local/bin/greeter" in runtime
    assert "# Was: ENTRYPOINT cabal run greeter -- world" in runtime
    assert runtime.rstrip().endswith('ENTRYPOINT ["/usr/local/bin/greeter", "world"]')
    assert "cabal" not in runtime.split("# Was:")[0]


def test_the_executable_of_cabal_run_without_a_target_comes_from_the_cabal_file() -> None:
    text = haskell_file("cabal build", 'CMD ["cabal", "run"]')
    output = rewritten(text, context={"greeter.cabal": CABAL})
    assert output.rstrip().endswith('CMD ["/usr/local/bin/greeter"]')
    # Without the .cabal file, or with two executables, the name is not known.
    left = rewrite(text)
    assert left.output is None and "--context DIR" in (left.reason or "")
    two = CABAL + "\nexecutable admin\n  main-is: Admin.hs\n"
    left = rewrite(text, None, {"greeter.cabal": two})
    assert left.output is None and "declares 2 executables" in (left.reason or "")


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        ('CMD ["cabal", "v2-run", "greeter:exe:greeter"]', '["/usr/local/bin/greeter"]'),
        ("CMD cabal run greeter -- --port 80", '["/usr/local/bin/greeter", "--port", "80"]'),
    ],
)
def test_cabal_run_forms(command: str, argv: str) -> None:
    output = rewritten(haskell_file("cabal build", command))
    assert output.rstrip().endswith(f"CMD {argv}")


def test_an_option_of_cabal_run_is_not_guessed_at() -> None:
    result = rewrite(haskell_file("cabal build", 'CMD ["cabal", "run", "greeter", "-O2"]'))
    assert result.output is None
    assert "an option of 'cabal run'" in (result.reason or "")


@pytest.mark.parametrize(
    "command",
    [
        "ENTRYPOINT stack exec duckling-example-exe",
        'CMD ["stack", "exec", "--", "duckling-example-exe"]',
    ],
)
def test_stack_exec_asks_stack_where_the_program_is(command: str) -> None:
    output = rewritten(haskell_file("stack build", command))
    assert "p=$(stack exec -- sh -c 'command -v duckling-example-exe')" in output
    assert '"/usr/local/bin/duckling-example-exe"]' in output.rstrip().splitlines()[-1]


def test_keep_command_keeps_cabal_run_and_so_the_toolchain() -> None:
    text = haskell_file("cabal build", 'CMD ["cabal", "run", "greeter"]')
    result = rewrite(text, Options(keep_command=True))
    assert result.output is None and "--keep-command" in (result.reason or "")


def test_a_program_on_path_is_copied_out_of_cabals_store_following_the_link() -> None:
    output = rewritten(haskell_file("cabal install", 'CMD ["greeter", "world"]'))
    assert "p=$(command -v greeter) || p=" in output
    assert 'cp -L "$p" /tmp/dslim/haskell/greeter; strip /tmp/dslim/haskell/greeter' in output
    assert "COPY --from=builder /tmp/dslim/haskell/greeter /usr/local/bin/greeter" in output
    # strip runs on the staged copy, in the step that makes it, not before.
    assert "RUN strip /tmp/dslim" not in output
    assert output.rstrip().endswith('CMD ["greeter", "world"]')
    no_strip = rewritten(haskell_file("cabal install", 'CMD ["greeter"]'), Options(strip=False))
    assert "strip" not in no_strip


def test_a_program_by_path_is_checked_and_copied_where_it_ran() -> None:
    text = haskell_file(
        "cabal install --installdir=/app/bin --install-method=copy", "CMD ./bin/svc"
    )
    output = rewritten(text)
    assert 'p=/app/bin/svc; [ -e "$p" ] || p=' in output
    assert "COPY --from=builder /tmp/dslim/haskell/svc /app/bin/svc" in output


def test_no_command_names_no_program() -> None:
    result = rewrite("FROM haskell:9.2.8-slim-buster\nCOPY . /app\nRUN cd /app && cabal build\n")
    assert result.output is None


@pytest.mark.parametrize(
    ("image", "codename"),
    [
        ("haskell:8.4.3", "stretch"),
        ("haskell:8", "buster"),  # the 8 series' last minor, 8.10
        ("haskell:9.2", "buster"),
        ("haskell:9.6.2", "bullseye"),
        ("haskell:9", None),  # an open series: no guess
        ("haskell:9.12", None),
        ("haskell:9.2.8-slim-buster", None),  # named: no guess needed
    ],
)
def test_the_release_of_a_haskell_tag(image: str, codename: str | None) -> None:
    assert probable_codename(parse_image(image)) == codename


def test_a_guessed_release_is_checked_in_the_builder() -> None:
    output = rewritten(haskell_file("stack build", "CMD stack exec app", image="haskell:8"))
    assert "grep -qs '^VERSION_CODENAME=buster$' /etc/os-release" in output
    assert "\nFROM debian:buster-slim\n" in output
    left = rewrite(haskell_file("stack build", "CMD stack exec app", image="haskell:9"))
    assert left.output is None and "--runtime-image" in (left.reason or "")


def test_an_app_under_opt_leaves_the_base_images_ghc_behind() -> None:
    text = haskell_file("cabal install", 'CMD ["greeter"]').replace("/app", "/opt/")
    output = rewritten(text)
    builder = output[: output.rindex("\nFROM ")]
    first = builder.split("\n", 1)[1]
    assert first.startswith("# What /opt holds before the build is the base image's")
    assert "RUN ls -A /opt > /.dslim-base-entries" in first.split("\n", 2)[1]
    assert 'rm -rf "/tmp/dslim/app/$n"; done < /.dslim-base-entries' in builder
    # An app folder of its own has nothing of the base image's in it.
    assert "dslim-base-entries" not in rewritten(haskell_file("cabal install", 'CMD ["greeter"]'))


def test_dsr001_offers_the_fix_for_a_cabal_build() -> None:
    analysis = analyze(parse(haskell_file("cabal build", 'CMD ["cabal", "run", "greeter"]')))
    (finding,) = [f for f in analysis.findings if f.code == "DSR001"]
    assert finding.fix is not None and "single-stage Haskell build" in finding.message


def test_the_runtime_keeps_the_haskell_images_utf8_locale() -> None:
    """The haskell images set LANG=C.UTF-8; a GHC program without it writes ASCII only and
    fails on the first other character. A LANG of the file's own is left as it is."""
    command = 'CMD ["cabal", "run", "greeter"]'
    runtime = runtime_stage(rewritten(haskell_file("cabal build", command)))
    assert "\nENV LANG=C.UTF-8\n" in runtime
    own = haskell_file("cabal build", command).replace("WORKDIR", "ENV LANG=de_CH.UTF-8\nWORKDIR")
    runtime = runtime_stage(rewritten(own))
    assert "C.UTF-8" not in runtime and "ENV LANG=de_CH.UTF-8" in runtime
