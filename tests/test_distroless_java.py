"""``--runtime distroless`` for Java: distroless/cc with a Java runtime that jlink makes in the
builder of the modules jdeps finds, java named by its path, no RUN in the runtime stage; the
distroless Java image for a JDK without jlink when one exists; and a refusal naming
``--runtime slim`` wherever the program needs what distroless does not have."""

from __future__ import annotations

import dockerfile
import pytest

from dockerslim_refactor.options import Options
from dockerslim_refactor.plan import runtime as runtime_choice
from dockerslim_refactor.rewrite import rewrite

DISTROLESS = Options(runtime="distroless")

BUILD = "RUN javac -d out $(find src -name '*.java') && jar --create --file app.jar -C out .\n"


def java_file(
    command: str = 'ENTRYPOINT ["java", "-jar", "app.jar"]\nCMD ["hello"]',
    image: str = "eclipse-temurin:17-jdk",
    extra: str = "",
) -> str:
    return f"FROM {image}\nWORKDIR /app\nCOPY . .\n{BUILD}{extra}{command}\n"


def builder_of(output: str) -> str:
    return output.rsplit("\nFROM ", 1)[0]


def runtime_of(output: str) -> str:
    return output.rsplit("\nFROM ", 1)[1]


def checked(text: str, options: Options = DISTROLESS):
    """The rewrite, which must parse with BuildKit's parser and be left alone when rewritten
    again."""
    result = rewrite(text, options)
    assert result.output is not None, result.reason
    assert [c.cmd for c in dockerfile.parse_string(result.output)].count("FROM") == 2
    again = rewrite(result.output, options)
    assert again.output is None or again.output == result.output
    return result


# -- must not change -----------------------------------------------------------------------------


def test_auto_keeps_the_jre_image() -> None:
    result = checked(java_file(), Options())
    assert runtime_of(result.output).startswith("eclipse-temurin:17-jre\n")
    assert "jlink" not in result.output


def test_java_modules_do_nothing_without_distroless() -> None:
    plain = rewrite(java_file(), Options())
    assert rewrite(java_file(), Options(java_modules=("jdk.localedata",))).output == plain.output


# -- changes to ----------------------------------------------------------------------------------


def test_a_jar_runs_on_distroless_cc_with_a_runtime_jlink_made() -> None:
    result = checked(java_file())
    runtime = runtime_of(result.output)
    assert runtime.startswith("gcr.io/distroless/cc-debian12\n")
    assert "COPY --from=builder /tmp/dslim/java /opt/java\n" in runtime
    assert "COPY --from=builder /app/app.jar /app/app.jar\n" in runtime
    assert '# Was: ENTRYPOINT ["java", "-jar", "app.jar"]' in runtime
    assert 'ENTRYPOINT ["/opt/java/bin/java", "-jar", "app.jar"]' in runtime
    assert 'CMD ["hello"]' in runtime
    assert "ENV JAVA_HOME=/opt/java\n" in runtime
    assert "\nRUN " not in runtime  # no shell to run anything
    builder = builder_of(result.output)
    assert '--print-module-deps --multi-release 17 -q "$@"' in builder
    assert "for p in /app/app.jar; do" in builder
    assert "--strip-java-debug-attributes" in builder and "--strip-debug" not in builder
    assert "--compress=2 --output /tmp/dslim/java" in builder
    assert "for m in jdk.crypto.ec jdk.zipfs; do" in builder
    assert "the Java runtime links libraries distroless/cc lacks" in builder
    assert "needs glibc 2.$v, newer than distroless/cc's 2.36" in builder
    notes = [n.message for n in result.plan.notes]
    assert any("no shell and no package manager" in n for n in notes)
    assert result.plan.command_changes == (
        ("ENTRYPOINT", ("/opt/java/bin/java", "-jar", "app.jar")),
    )


def test_a_cmd_names_the_jlinked_java_by_its_path() -> None:
    result = checked(java_file('CMD ["java", "-Xmx256m", "-jar", "app.jar"]'))
    runtime = runtime_of(result.output)
    assert 'CMD ["/opt/java/bin/java", "-Xmx256m", "-jar", "app.jar"]' in runtime
    assert '# Was: CMD ["java", "-Xmx256m", "-jar", "app.jar"]' in runtime


def test_java_21_takes_its_compress_syntax_and_release() -> None:
    text = (
        "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /build\nCOPY . .\n"
        "RUN mvn -B package\n"
        'CMD ["java", "-cp", "target/*", "com.example.Main"]\n'
    )
    result = checked(text)
    builder = builder_of(result.output)
    assert "--multi-release 21" in builder and "--compress=zip-6" in builder
    assert "for p in /build/target/*.jar; do" in builder  # the glob the command reaches
    runtime = runtime_of(result.output)
    assert 'CMD ["/opt/java/bin/java", "-cp", "target/*", "com.example.Main"]' in runtime


def test_modules_from_the_command_the_locale_and_java_modules() -> None:
    text = java_file(
        'ENTRYPOINT ["java", "-agentlib:jdwp=transport=dt_socket", "-jar", "app.jar"]',
        extra="ENV LANG=de_DE.UTF-8 JAVA_TOOL_OPTIONS=-Dcom.sun.management.jmxremote\n",
    )
    result = checked(text, Options(runtime="distroless", java_modules=("jdk.charsets",)))
    builder = builder_of(result.output)
    assert 'mods="$mods,jdk.jdwp.agent,jdk.management.agent,jdk.localedata,jdk.charsets"' in builder
    note = next(n.message for n in result.plan.notes if "no shell" in n.message)
    assert "jdk.localedata for LANG=de_DE.UTF-8" in note
    assert "jdk.jdwp.agent for -agentlib:jdwp" in note


def test_an_english_locale_needs_no_locale_data() -> None:
    result = checked(java_file(extra="ENV LANG=en_US.UTF-8\n"))
    assert '\n    mods="$mods,' not in builder_of(result.output)  # no modules added


def test_the_app_is_checked_for_programs_it_starts() -> None:
    builder = builder_of(checked(java_file()).output)
    assert "-name '*.java'" in builder and "ProcessBuilder" in builder
    assert "the app runs $t, which the distroless runtime does not have" in builder


def test_a_jdk_without_jlink_takes_the_distroless_java_image(monkeypatch) -> None:
    # No distroless Java 8 image exists today; the fallback is for one that does.
    images = {**runtime_choice.DISTROLESS_JAVA_IMAGES, 8: "gcr.io/distroless/java8-debian12"}
    monkeypatch.setattr(runtime_choice, "DISTROLESS_JAVA_IMAGES", images)
    text = java_file('CMD ["java", "-jar", "app.jar", "hello"]', image="openjdk:8-jdk")
    result = checked(text, Options(runtime="distroless", java_modules=("jdk.localedata",)))
    runtime = runtime_of(result.output)
    assert runtime.startswith("gcr.io/distroless/java8-debian12\n")
    # Its ENTRYPOINT is `java -jar`: the CMD keeps the jar and its arguments.
    assert 'CMD ["app.jar", "hello"]' in runtime and "jlink" not in result.output
    notes = [n.message for n in result.plan.notes]
    assert any("Java 8 has no jlink" in n for n in notes)
    assert any("--java-modules jdk.localedata has no effect" in n for n in notes)
    entry = checked(java_file(image="openjdk:8-jdk"))
    assert 'ENTRYPOINT ["/usr/bin/java", "-jar", "app.jar"]' in runtime_of(entry.output)
    refused = rewrite(java_file('CMD ["java", "-Xmx1g", "-jar", "app.jar"]', "openjdk:8-jdk"))
    assert refused.output is not None  # --runtime auto is not concerned
    refused = rewrite(
        java_file('CMD ["java", "-Xmx1g", "-jar", "app.jar"]', "openjdk:8-jdk"), DISTROLESS
    )
    assert refused.output is None and "ENTRYPOINT runs 'java -jar'" in refused.reason


# -- refused -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        pytest.param(java_file("CMD java -jar app.jar"), "runs only java itself", id="shell-form"),
        pytest.param(
            java_file('ENTRYPOINT ["./run.sh"]\nCMD ["world"]'),
            "runs only java itself",
            id="entrypoint-script",
        ),
        pytest.param(
            java_file('CMD ["sh", "-c", "exec java -jar app.jar"]'),
            "runs only java itself",
            id="sh-c",
        ),
        pytest.param(
            java_file(extra="RUN useradd -m app\nUSER app\n"), "no user 'app'", id="named-user"
        ),
        pytest.param(
            java_file(extra="HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1\n"),
            "the HEALTHCHECK runs a shell",
            id="healthcheck-shell",
        ),
        pytest.param(
            java_file(extra='HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://x/"]\n'),
            "the HEALTHCHECK runs curl",
            id="healthcheck-curl",
        ),
        pytest.param(
            java_file(image="eclipse-temurin:17-jdk-alpine"), "alpine (musl)", id="alpine"
        ),
        pytest.param(
            java_file(image="openjdk:8-jdk"), "Java 8 has no jlink", id="jdk8-without-image"
        ),
        pytest.param(
            java_file(image="example/build-openjdk17:1"),
            "not known to be a JDK with jlink",
            id="company-image",
        ),
        pytest.param(
            java_file(extra="RUN mkdir -p /data && chown 1000 /data\n"),
            "recreate with a shell",
            id="state-to-recreate",
        ),
    ],
)
def test_what_distroless_cannot_run_is_refused_with_the_flag(text: str, why: str) -> None:
    result = rewrite(text, DISTROLESS)
    assert result.output is None
    assert why in result.reason and "--runtime slim" in result.reason


def test_users_distroless_has_are_kept() -> None:
    for user in ("nonroot", "65532", "nobody"):
        result = checked(java_file(extra=f"USER {user}\n"))
        assert f"USER {user}" in runtime_of(result.output)


def test_a_healthcheck_that_runs_java_is_kept() -> None:
    # The runtime stage puts the jlinked runtime's bin on the PATH, where Docker looks.
    text = java_file(extra='HEALTHCHECK CMD ["java", "-cp", "app.jar", "demo.Health"]\n')
    runtime = runtime_of(checked(text).output)
    assert "ENV PATH=/opt/java/bin:" in runtime
    assert 'HEALTHCHECK CMD ["java", "-cp", "app.jar", "demo.Health"]' in runtime


def test_a_distribution_jdk_is_not_taken_to_distroless() -> None:
    from dockerslim_refactor.options import Options
    from dockerslim_refactor.rewrite import rewrite

    text = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y openjdk-17-jdk-headless "
        "maven\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\n"
        'CMD ["java", "-jar", "target/app.jar"]\n'
    )
    result = rewrite(text, Options(runtime="distroless"))
    assert result.output is None
    assert "distribution's openjdk-17-jdk-headless" in result.reason
    assert "--runtime slim" in result.reason
