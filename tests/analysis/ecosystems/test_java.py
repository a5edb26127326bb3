"""The Java detector: Maven, Gradle and jar outputs, the jar the command names, and a JRE of the
builder's Java major version."""

from __future__ import annotations

import pytest
from ecosystem_cases import run_detector

from dockerslim_refactor.analysis.ecosystems import java
from dockerslim_refactor.analysis.model import BuildInfo
from dockerslim_refactor.options import Options
from dockerslim_refactor.rewrite import rewrite


def detect(text: str, options: Options | None = None) -> BuildInfo | None:
    return run_detector(java.detect, text, options)


def summary(build: BuildInfo) -> dict[str, object]:
    return {
        "ecosystem": build.ecosystem,
        "artifacts": [(a.path, a.dest, a.kind) for a in build.artifacts],
        "linkage": build.linkage,
        "runtime_image": build.runtime_image,
        "findings": sorted((f.code, f.flag) for f in build.findings),
    }


def java_file(run: str, cmd: str, image: str = "maven:3.9-eclipse-temurin-21") -> str:
    return f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN {run}\nCMD {cmd}\n"


NAMED = [("DSR100", "--artifact")]


# --------------------------------------------------------------------------------------------
# Must not detect / must not change


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            java_file("mvn dependency:go-offline", '["mvn", "spring-boot:run"]'),
            id="maven-without-a-build-goal",
        ),
        pytest.param(java_file("mvn test", '["mvn", "test"]'), id="maven-test"),
        pytest.param(
            'FROM eclipse-temurin:21-jre\nCOPY app.jar /app.jar\nCMD ["java", "-jar", '
            '"/app.jar"]\n',
            id="prebuilt-jar",
        ),
        pytest.param(
            java_file("gradle dependencies", '["gradle", "run"]', "gradle:8.7-jdk21"),
            id="gradle-without-a-build-task",
        ),
    ],
)
def test_not_detected(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(java_file("mvn -B package", '["mvn", "spring-boot:run"]'), id="runs-maven"),
        pytest.param(
            java_file("mvn -B package", '["java", "-jar", "target/app.jar"]', "maven:3.9"),
            id="unknown-java-version",
        ),
    ],
)
def test_left_alone(text: str) -> None:
    result = rewrite(text)
    assert result.output is None
    assert result.reason


def test_unknown_java_version_asks_for_runtime_image() -> None:
    build = detect(java_file("mvn -B package", '["java", "-jar", "target/app.jar"]', "maven:3.9"))
    assert build is not None
    assert build.artifacts == ()
    assert summary(build)["findings"] == [("DSR100", "--runtime-image")]
    assert "eclipse-temurin:<major>-jre" in build.findings[0].message


# --------------------------------------------------------------------------------------------
# Detects


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            java_file("mvn -B package -DskipTests", '["java", "-jar", "target/app.jar"]'),
            {
                "artifacts": [("/app/target/app.jar", "/app/target/app.jar", "jar")],
                "runtime_image": "eclipse-temurin:21-jre",
                "findings": [],
            },
            id="maven-jar-named-by-command",
        ),
        pytest.param(
            java_file("mvn -B package -DskipTests", "java -jar target/*.jar"),
            {
                "artifacts": [("/app/target/*.jar", "/app/target/", "glob")],
                "findings": NAMED,
            },
            id="maven-glob",
        ),
        pytest.param(
            java_file(
                "mvn -B clean package",
                '["sh", "-c", "java -jar target/*.jar"]',
                "maven:3.9-eclipse-temurin-17-alpine",
            ),
            {
                "artifacts": [("/app/target/*.jar", "/app/target/", "glob")],
                "runtime_image": "eclipse-temurin:17-jre-alpine",
            },
            id="maven-alpine",
        ),
        pytest.param(
            java_file(
                "./mvnw package",
                '["java", "-jar", "target/app.jar"]',
                "eclipse-temurin:21-jdk-jammy",
            ),
            {
                "artifacts": [("/app/target/app.jar", "/app/target/app.jar", "jar")],
                "runtime_image": "eclipse-temurin:21-jre-jammy",
            },
            id="maven-wrapper-on-jdk-image",
        ),
        pytest.param(
            java_file(
                "gradle bootJar --no-daemon",
                '["java", "-jar", "build/libs/app.jar"]',
                "gradle:8.7-jdk21",
            ),
            {
                "artifacts": [("/app/build/libs/app.jar", "/app/build/libs/app.jar", "jar")],
                "runtime_image": "eclipse-temurin:21-jre",
                "findings": [],
            },
            id="gradle-boot-jar",
        ),
        pytest.param(
            java_file(
                "./gradlew build", '["java", "-cp", "build/libs/*", "Main"]', "gradle:8.7-jdk17"
            ),
            {
                "artifacts": [("/app/build/libs/*.jar", "/app/build/libs/", "glob")],
                "runtime_image": "eclipse-temurin:17-jre",
                "findings": NAMED,
            },
            id="gradle-output-folder",
        ),
        pytest.param(
            java_file(
                "javac -d out Main.java && jar cfe app.jar Main -C out .",
                '["java", "-cp", "/app/app.jar", "Main"]',
                "eclipse-temurin:21-jdk",
            ),
            {
                "artifacts": [("/app/app.jar", "/app/app.jar", "jar")],
                "findings": NAMED,
            },
            id="jar-tool-output",
        ),
        pytest.param(
            java_file(
                "javac -d out Main.java && jar --create --file /opt/app.jar -C out .",
                '["java", "-cp", "/opt/app.jar", "Main"]',
                "eclipse-temurin:21-jdk",
            ),
            {"artifacts": [("/opt/app.jar", "/opt/app.jar", "jar")]},
            id="jar-tool-long-file-flag",
        ),
        pytest.param(
            java_file(
                "mvn -B package && cp target/app-1.0.jar /srv/service.jar",
                '["java", "-jar", "/srv/service.jar"]',
            ),
            {
                "artifacts": [("/srv/service.jar", "/srv/service.jar", "jar")],
                "findings": [],
            },
            id="jar-path-from-command-wins",
        ),
        pytest.param(
            java_file("javac Main.java", '["java", "Main"]', "openjdk:17"),
            {
                "artifacts": [("/app", "/app", "directory")],
                "runtime_image": "eclipse-temurin:17-jre",
                "findings": NAMED,
            },
            id="javac-only-copies-the-app-folder",
        ),
    ],
)
def test_detects(text: str, expected: dict[str, object]) -> None:
    build = detect(text)
    assert build is not None
    got = summary(build)
    assert (got["ecosystem"], got["linkage"]) == ("java", "interpreter")
    assert {key: got[key] for key in expected} == expected


def test_runtime_image_option_settles_an_unknown_version() -> None:
    build = detect(
        java_file("mvn -B package", '["java", "-jar", "target/app.jar"]', "maven:3.9"),
        Options(runtime_image="eclipse-temurin:21-jre"),
    )
    assert build is not None
    assert build.runtime_image == "eclipse-temurin:21-jre"
    assert summary(build)["artifacts"] == [("/app/target/app.jar", "/app/target/app.jar", "jar")]


def test_artifact_option_replaces_the_jar() -> None:
    build = detect(
        java_file("mvn -B package", "java -jar target/*.jar"),
        Options(artifacts=("target/app.jar:/app.jar",)),
    )
    assert build is not None
    assert [(a.path, a.dest) for a in build.artifacts] == [("/app/target/app.jar", "/app.jar")]


def test_no_command_copies_the_app_folder_whole() -> None:
    """A tool image gets its command from docker run: which jar that uses is not known, so
    the app folder comes whole, and the image still names no command."""
    text = (
        "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\n"
        "RUN mvn package assembly:single\n"
    )
    result = rewrite(text)
    assert result.output is not None, result.reason
    runtime = result.output.split("FROM eclipse-temurin:21-jre", 1)[1]
    assert "COPY --from=builder /app /app" in runtime
    assert "CMD" not in runtime and "ENTRYPOINT" not in runtime
    notes = [f.message for f in result.analysis.findings if f.flag == "--artifact"]
    assert any("names no program to run" in n and "copied whole" in n for n in notes)


@pytest.mark.parametrize(
    "run",
    [
        pytest.param("mvn package", id="maven-plain-jar"),
        pytest.param("./gradlew jar", id="gradle-plain-jar"),
        pytest.param("javac -cp lib/x.jar -d out Main.java && jar cf app.jar -C out .", id="cp"),
    ],
)
def test_no_command_and_a_jar_that_needs_the_build_cache_is_left_alone(run: str) -> None:
    """A plain jar's dependencies stay in ~/.m2 or ~/.gradle, and docker run may name the
    build tool itself (`mvn exec:java`): a JRE with the app folder would run neither."""
    text = f"FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN {run}\n"
    result = rewrite(text)
    assert result.output is None
    assert "no program to run" in result.reason and "--artifact" in result.reason
    assert any("self-contained" in f.message for f in result.analysis.findings)


@pytest.mark.parametrize(
    "run",
    [
        pytest.param("./gradlew shadowJar", id="shadow"),
        pytest.param("./gradlew bootJar", id="boot-jar"),
        pytest.param("javac -d out Main.java && jar cf app.jar -C out .", id="jdk-alone"),
    ],
)
def test_no_command_and_a_self_contained_build_is_rewritten(run: str) -> None:
    text = f"FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN {run}\n"
    assert rewrite(text).output is not None


def test_no_command_and_no_app_folder_is_left_alone() -> None:
    text = "FROM maven:3.9-eclipse-temurin-21\nCOPY . /\nRUN mvn package assembly:single\n"
    result = rewrite(text)
    assert result.output is None
    assert "no program to run" in result.reason and "--artifact" in result.reason


# --------------------------------------------------------------------------------------------
# Java from the distribution's packages


def distro_file(packages: str, image: str = "debian:bookworm", manager: str = "apt") -> str:
    install = (
        f"apt-get update && apt-get install -y {packages}"
        if manager == "apt"
        else f"apk add --no-cache {packages}"
    )
    return (
        f"FROM {image}\nRUN {install}\nWORKDIR /app\nCOPY . .\n"
        'RUN mvn -B package\nCMD ["java", "-jar", "target/app.jar"]\n'
    )


@pytest.mark.parametrize(
    ("text", "runtime"),
    [
        pytest.param(
            distro_file("openjdk-17-jdk-headless maven"), "eclipse-temurin:17-jre", id="apt"
        ),
        pytest.param(
            distro_file("openjdk-8-jdk maven", "ubuntu:18.04"), "eclipse-temurin:8-jre", id="apt-8"
        ),
        pytest.param(
            distro_file("temurin-21-jdk maven"), "eclipse-temurin:21-jre", id="adoptium-apt"
        ),
        pytest.param(
            distro_file("openjdk11 maven bash", "alpine:3.13", "apk"),
            "eclipse-temurin:11-jre-alpine",
            id="apk",
        ),
        # The JRE and the JDK of one version are one version.
        pytest.param(
            distro_file("openjdk-17-jre-headless openjdk-17-jdk-headless maven"),
            "eclipse-temurin:17-jre",
            id="jre-and-jdk",
        ),
    ],
)
def test_the_distributions_jdk_gives_the_version(text: str, runtime: str) -> None:
    build = detect(text)
    assert build is not None
    assert build.runtime_image == runtime
    assert any("from the distribution's" in f.message for f in build.findings)


@pytest.mark.parametrize(
    "packages",
    [
        pytest.param("default-jdk maven", id="version-not-named"),
        pytest.param("openjdk-11-jdk openjdk-17-jdk maven", id="two-versions"),
        pytest.param("maven", id="no-jdk"),
    ],
)
def test_no_single_distribution_jdk_leaves_the_version_unknown(packages: str) -> None:
    build = detect(distro_file(packages))
    assert build is not None
    assert build.runtime_image is None
    assert summary(build)["findings"] == [("DSR100", "--runtime-image")]


def test_the_distributions_jdk_is_not_reinstalled_and_java_home_moves() -> None:
    text = distro_file("openjdk-17-jdk-headless maven r-base-core").replace(
        "WORKDIR /app", "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64\nWORKDIR /app"
    )
    result = rewrite(text)
    assert result.output is not None, result.reason
    runtime = result.output.split("FROM eclipse-temurin:17-jre", 1)[1]
    assert "r-base-core" in runtime
    assert "openjdk-17" not in runtime.replace("ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk", "")
    assert runtime.index("ENV JAVA_HOME=/usr/lib/jvm") < runtime.index(
        "ENV JAVA_HOME=/opt/java/openjdk"
    )


def test_a_command_that_does_not_reach_the_output_gets_the_app_folder_whole() -> None:
    build = detect(
        java_file(
            "mvn -B package && cp target/app-*.jar dist/app.jar", '["./run.sh", "--port", "80"]'
        )
    )
    assert build is not None
    assert summary(build)["artifacts"] == [("/app", "/app", "directory")]
    assert "copied whole" in build.findings[0].message


LEIN = """\
FROM clojure:temurin-17-lein-bookworm
WORKDIR /app
COPY project.clj /app/
RUN lein deps
COPY . /app
RUN lein uberjar
{command}
"""


@pytest.mark.parametrize(
    ("command", "copied"),
    [
        (
            'CMD ["java", "-jar", "/app/target/uberjar/app-standalone.jar"]',
            "COPY --from=builder /app/target/uberjar/app-standalone.jar "
            "/app/target/uberjar/app-standalone.jar",
        ),
        # A glob the command reaches: lein's default folder, with a note.
        (
            "CMD java -jar target/uberjar/*-standalone.jar",
            "COPY --from=builder /app/target/uberjar/*-standalone.jar /app/target/uberjar/",
        ),
    ],
)
def test_a_leiningen_uberjar_runs_on_the_jre_of_the_images_java(command, copied) -> None:
    result = rewrite(LEIN.format(command=command))
    assert result.output is not None, result.reason
    runtime = result.output[result.output.rindex("\nFROM ") :]
    assert runtime.startswith("\nFROM eclipse-temurin:17-jre\n")
    assert copied in runtime
    assert "lein" not in runtime


def test_a_leiningen_image_that_names_no_java_version_is_left_alone_with_the_flag() -> None:
    text = LEIN.format(command='CMD ["java", "-jar", "/app/target/uberjar/app-standalone.jar"]')
    # A moving tag: no guess.
    result = rewrite(text.replace("clojure:temurin-17-lein-bookworm", "clojure:lein"))
    assert result.output is None
    assert "Java version of clojure:lein is not known" in (result.reason or "")
    assert "--runtime-image eclipse-temurin:<major>-jre" in (result.reason or "")


def test_a_leiningen_tool_image_keeps_its_app_folder_since_the_uberjar_is_whole() -> None:
    result = rewrite(LEIN.format(command=""))
    assert result.output is not None, result.reason
    assert "COPY --from=builder /app /app" in result.output


@pytest.mark.parametrize(
    ("image", "major"),
    [
        ("clojure:lein-2.8.1", "8"),
        ("clojure:lein-2.7.1-alpine", "8"),
        ("clojure:boot-2.7.2", "8"),
        ("clojure:lein-2.9.1", None),  # later tags moved with the default JDK
        ("clojure:lein", None),
        ("clojure:temurin-17-lein", None),  # named: no guess needed
        ("example/clojure:lein-2.8.1", None),
    ],
)
def test_the_java_of_an_old_clojure_tag(image: str, major: str | None) -> None:
    from dockerslim_refactor.analysis.images import parse_image, probable_java_major

    assert probable_java_major(parse_image(image)) == major


def test_a_guessed_java_runs_on_its_jre_and_the_builder_checks_it(tmp_path) -> None:
    import re
    import subprocess

    text = LEIN.format(command='CMD ["java", "-jar", "/app/target/uberjar/app-standalone.jar"]')
    result = rewrite(text.replace("clojure:temurin-17-lein-bookworm", "clojure:lein-2.8.1"))
    assert result.output is not None, result.reason
    assert "\nFROM eclipse-temurin:8-jre\n" in result.output
    found = [*result.analysis.findings, *result.plan.notes]
    (note,) = [n for n in found if "does not name its Java" in n.message]
    assert note.flag == "--runtime-image"
    (check,) = re.findall(r"\nRUN (v=\$\(java -version.*?exit 1; \})", result.output, re.S)
    # Run only that step, with a stand-in java that prints each version line.
    for line, ok in (
        ('openjdk version "1.8.0_181"', True),
        ('openjdk version "17.0.9" 2023-10-17', False),
        ('openjdk version "21" 2023-09-19', False),
    ):
        java = tmp_path / "java"
        java.write_text(f"#!/bin/sh\necho '{line}' >&2\n")
        java.chmod(0o755)
        done = subprocess.run(
            ["/bin/sh", "-c", check.replace("\\\n", "\n")],
            capture_output=True,
            text=True,
            env={"PATH": f"{tmp_path}:/usr/bin:/bin"},
        )
        assert (done.returncode == 0) is ok, (line, done.stderr)
        if not ok:
            major = line.split('"')[1].split(".")[0]
            assert f"--runtime-image eclipse-temurin:{major}-jre" in done.stderr
