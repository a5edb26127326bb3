"""Java: Maven, Gradle, Leiningen and plain javac/jar builds; the jar runs on a JRE of the same
major."""

from __future__ import annotations

import posixpath
import re

from dockerslim_refactor.analysis.images import (
    OS_IMAGES,
    interpreter_runtime,
    probable_java_major,
)
from dockerslim_refactor.analysis.model import Artifact, BuildInfo, Finding, StageFacts
from dockerslim_refactor.analysis.packages import bare_package, package_installs
from dockerslim_refactor.analysis.program import (
    app_paths,
    artifacts_from_options,
    not_rewritten,
    unsure,
)
from dockerslim_refactor.options import Options

MAVEN = {"mvn", "mvnw"}
GRADLE = {"gradle", "gradlew"}
BUILD_GOALS = {"package", "install", "verify", "build", "bootJar", "jar", "assemble", "shadowJar"}


# Goals and tasks whose output runs without the build tool's dependency cache: a fat jar
# (shadowJar, bootJar, a shade or assembly), or a distribution folder with its lib/.
SELF_CONTAINED_GOALS = frozenset(
    {"shadowJar", "bootJar", "installDist", "installShadowDist", "installBootDist"}
    | {"single", "shade", "repackage", "copy-dependencies", "javac", "uberjar"}
)


def detect(facts: StageFacts, options: Options) -> BuildInfo | None:
    lines: list[int] = []
    outputs: list[Artifact] = []
    goals_run: set[str] = set()
    for step in facts.steps:
        for cmd in step.script.commands:
            cwd = cmd.cwd or step.workdir or facts.workdir
            line = step.instruction.start_line
            name = cmd.basename
            goals = {a.split(":")[-1] for a in cmd.positional}
            if name in MAVEN | GRADLE:
                goals_run |= goals
            if name in MAVEN and goals & BUILD_GOALS:
                lines.append(line)
                path = posixpath.join(cwd, "target", "*.jar")
                outputs.append(Artifact(path, posixpath.dirname(path) + "/", "glob", line))
            elif name in GRADLE and goals & BUILD_GOALS:
                lines.append(line)
                path = posixpath.join(cwd, "build", "libs", "*.jar")
                outputs.append(Artifact(path, posixpath.dirname(path) + "/", "glob", line))
            elif name == "lein" and cmd.subcommand in {"uberjar", "jar"}:
                # Leiningen writes under target/ (target/uberjar/ with its default
                # target-path); the standalone jar holds Clojure and every dependency.
                lines.append(line)
                if cmd.subcommand == "uberjar":
                    goals_run.add("uberjar")
                pattern = "*-standalone.jar" if cmd.subcommand == "uberjar" else "*.jar"
                for folder in ("target/uberjar", "target"):
                    path = posixpath.join(cwd, folder, pattern)
                    outputs.append(Artifact(path, posixpath.dirname(path) + "/", "glob", line))
            elif name == "jar":
                lines.append(line)
                out = cmd.flag_value("--file", "-f")
                letters = cmd.args[0] if cmd.args else ""
                if out is None and "f" in letters and not letters.startswith("-"):
                    # jar cf app.jar ...: the file follows the option letters.
                    out = cmd.args[1] if len(cmd.args) > 1 else None
                if out:
                    path = facts.resolve(out, cwd)
                    outputs.append(Artifact(path, path, "jar", line))
            elif name == "javac":
                lines.append(line)
                if not cmd.has_flag("-cp", "-classpath", "--class-path", "-p", "--module-path"):
                    # Compiled against the JDK alone: its jar needs nothing else.
                    goals_run.add("javac")
    if not lines:
        return None
    last = lines[-1]
    findings: list[Finding] = []
    runtime = options.runtime_image or interpreter_runtime(facts.image, "java")
    runtime_env: tuple[tuple[str, str], ...] = ()
    jdk = None if runtime else distribution_jdk(facts)
    if jdk is not None:
        major, package, line = jdk
        suffix = "-alpine" if facts.info.libc == "musl" else ""
        runtime = f"eclipse-temurin:{major}-jre{suffix}"
        findings.append(
            unsure(
                line,
                f"Java {major} comes from the distribution's {package}: the runtime is "
                f"{runtime}, a JRE of that version, with the other packages the image "
                "installed; --runtime-image picks another",
                "--runtime-image",
            )
        )
        if "JAVA_HOME" in facts.env:
            # The distribution's JDK folder is not in the JRE image; its own is.
            runtime_env = (("JAVA_HOME", TEMURIN_JAVA_HOME),)
    final_steps: tuple[str, ...] = ()
    guess = None if runtime or jdk else probable_java_major(facts.image)
    if guess is not None:
        suffix = "-alpine" if facts.info.libc == "musl" else ""
        runtime = f"eclipse-temurin:{guess}-jre{suffix}"
        final_steps = (java_major_check(guess, facts.image.text),)
        findings.append(
            unsure(
                facts.stage.from_instruction.start_line,
                f"{facts.image.text} does not name its Java; the runtime takes it to be Java "
                f"{guess} (the JDK that tag was built on), {runtime}, and the builder stops "
                "with a message if it is another; --runtime-image settles it",
                "--runtime-image",
            )
        )
    if runtime is None and facts.image.name in OS_IMAGES and goals_run & SELF_CONTAINED_GOALS:
        # A self-contained build on an OS image whose JDK names no version (default-jdk):
        # what the build installed comes along on the same release, with the JDK's JRE.
        return None
    if runtime is None:
        return not_rewritten(
            "java",
            sorted(set(lines)),
            f"the Java version of {facts.image.text} is not known; pass "
            "--runtime-image eclipse-temurin:<major>-jre",
            "--runtime-image",
        )
    argv = facts.program_words
    jar = None
    if "-jar" in argv:
        index = argv.index("-jar")
        if index + 1 < len(argv):
            jar = facts.resolve(argv[index + 1])
    # The command reaches the build output: a glob or a classpath into its folder.
    reached = [
        o for o in outputs if any(_reaches(facts.resolve(w), o.path) for w in argv if "/" in w)
    ]
    if options.artifacts:
        artifacts = artifacts_from_options(facts, options, last)
    elif jar and "*" not in jar and "$" not in jar:
        artifacts = [Artifact(jar, jar, "jar", last)]
    elif not argv:
        # No CMD or ENTRYPOINT: a tool image whose command comes with `docker run`. Which
        # jar, class path and files that uses is not known: the app's folders come whole.
        folders = app_paths(facts)
        if not folders or not goals_run & SELF_CONTAINED_GOALS:
            # A plain jar needs its dependencies from the build tool's cache (~/.m2), and
            # the command docker run gives may well be the build tool (`mvn exec:java`).
            return not_rewritten(
                "java",
                sorted(set(lines)),
                "the image names no program to run (no CMD or ENTRYPOINT), and "
                + (
                    "it has no app folder to copy"
                    if not folders
                    else "the build makes no self-contained jar or distribution (shadowJar, "
                    "bootJar, installDist, a shade or assembly): its dependencies stay in "
                    "the build tool's cache, which a JRE runtime would not have"
                )
                + "; pass --artifact PATH",
                "--artifact",
            )
        artifacts = [Artifact(p, p, "directory", last) for p in folders]
        findings.append(
            unsure(
                last,
                "the image names no program to run (no CMD or ENTRYPOINT): its command comes "
                f"with docker run, so {', '.join(folders)} "
                f"{'is' if len(folders) == 1 else 'are'} copied whole onto the JRE; pass "
                "--artifact PATH to copy only what runs",
                "--artifact",
            )
        )
    elif reached:
        artifacts = reached[-1:]
        findings.append(
            unsure(
                last,
                f"the image does not name its jar; copying {reached[-1].path}, which its "
                "command reaches; pass --artifact PATH to name it",
                "--artifact",
            )
        )
    else:
        artifacts = [Artifact(p, p, "directory", last) for p in app_paths(facts)]
        findings.append(
            unsure(
                last,
                "the command does not name the jar the build made; the application folder "
                "is copied whole, as the program saw it; pass --artifact PATH to copy only "
                "what runs",
                "--artifact",
            )
        )
    return BuildInfo(
        ecosystem="java",
        template="java.Dockerfile.j2",
        artifacts=tuple(artifacts),
        linkage="interpreter",
        runtime_image=runtime,
        runtime_env=runtime_env,
        findings=tuple(findings),
        lines=tuple(sorted(set(lines))),
        final_steps=final_steps,
    )


def java_major_check(major: str, image: str) -> str:
    """The builder step that stops the build when its Java is not ``major``, the version the
    runtime's JRE was chosen for from ``image``'s tag."""
    return (
        f"# {image} does not name its Java; the runtime stage is Java {major}'s JRE.\n"
        "# Stop here if this builder's Java is another: classes built for a newer one do not\n"
        "# load on an older JRE.\n"
        "RUN v=$(java -version 2>&1 | sed -n '1s/[^\"]*\"\\([0-9][0-9.]*\\).*/\\1/p'); \\\n"
        '    case "$v" in 1.*) m=${v#1.}; m=${m%%.*} ;; *) m=${v%%.*} ;; esac; \\\n'
        f'    [ "$m" = {major} ] || {{ echo "dockerslim: the builder\'s Java is $v, not {major}: '
        f'pass --runtime-image eclipse-temurin:$m-jre" >&2; exit 1; }}'
    )


TEMURIN_JAVA_HOME = "/opt/java/openjdk"

# A JDK or JRE from the distribution's packages, with its major version: apt's
# openjdk-17-jdk-headless and temurin-17-jdk, apk's openjdk11 and openjdk11-jre-headless.
_JAVA_PACKAGE = {
    "apt": re.compile(r"(?:openjdk|temurin)-(\d+)-(?:jdk|jre)(?:-headless)?"),
    "apk": re.compile(r"openjdk(\d+)(?:-jdk|-jre|-jre-headless)?"),
}
# Packages that bring some JDK without saying which.
_ANY_JDK = re.compile(r"default-(?:jdk|jre)(?:-headless)?")


def distribution_jdk(facts: StageFacts) -> tuple[str, str, int] | None:
    """``(major, package, line)`` of the one Java version the stage installs with apt or apk,
    or ``None`` (none, several, or one whose version the package name does not give)."""
    found: dict[str, tuple[str, int]] = {}
    for step in facts.steps:
        for install in package_installs(step.script):
            pattern = _JAVA_PACKAGE.get(install.manager)
            if pattern is None:
                continue
            for package in map(bare_package, install.packages):
                if _ANY_JDK.fullmatch(package):
                    return None
                match = pattern.fullmatch(package)
                if match and match.group(1) not in found:
                    found[match.group(1)] = (package, step.instruction.start_line)
    if len(found) != 1:
        return None
    ((major, (package, line)),) = found.items()
    return major, package, line


_JDK_TO_JRE = (
    (re.compile(r"((?:openjdk|temurin)-\d+|default)-jdk(-headless)?"), r"\1-jre\2"),
    (re.compile(r"(openjdk\d+)(?:-jdk)?"), r"\1-jre"),
    (re.compile(r"(java-[\d.]+-openjdk)-devel"), r"\1-headless"),
)
# Build tools that compile Java with the JDK: a program they built runs on its JRE.
JAVA_COMPILERS = frozenset({"javac", "ant", "mvn", "mvnw", "gradle", "gradlew", "sbt", "lein"})


def jre_of(package: str) -> str | None:
    """The distribution's JRE package of a JDK package (``openjdk-17-jdk-headless`` →
    ``openjdk-17-jre-headless``, apk's ``openjdk11`` → ``openjdk11-jre``), or ``None``."""
    for pattern, replacement in _JDK_TO_JRE:
        if pattern.fullmatch(package):
            return pattern.sub(replacement, package)
    return None


def is_java_package(name: str) -> bool:
    """A JDK or JRE of the distribution (``openjdk-8-jdk``, ``openjdk11``, ``default-jre``):
    the JRE image of the runtime stage stands in for it."""
    return any(p.fullmatch(name) for p in (*_JAVA_PACKAGE.values(), _ANY_JDK))


def _reaches(word: str, output: str) -> bool:
    """``word`` (a command's path) names ``output`` (a jar or a ``dir/*.jar`` glob), its folder
    or a glob in it."""
    folder = posixpath.dirname(output) if "*" in output else output
    word = word.rstrip("/")
    if word in (output, folder):
        return True
    return posixpath.dirname(word) == folder and "*" in posixpath.basename(word)


# JVM options (in the command, JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS) that load a module by
# name, which jdeps cannot see in the app's classes.
_OPTION_MODULES = (
    ("-agentlib:jdwp", "jdk.jdwp.agent", "-agentlib:jdwp"),
    ("-Dcom.sun.management.jmxremote", "jdk.management.agent", "JMX"),
    ("-XX:StartFlightRecording", "jdk.jfr", "-XX:StartFlightRecording"),
    ("-XX:+FlightRecorder", "jdk.jfr", "-XX:+FlightRecorder"),
    ("-Duser.language=", "jdk.localedata", "-Duser.language"),
    ("-Duser.country=", "jdk.localedata", "-Duser.country"),
)
# Locales whose data java.base has; any other needs jdk.localedata.
_BASE_LOCALES = ("C", "POSIX", "en")


def runtime_modules(facts: StageFacts) -> list[tuple[str, str]]:
    """Modules a Java runtime made with jlink needs besides those jdeps finds in the app,
    as far as the Dockerfile tells: ``(module, why)`` for JVM options that load one by name
    and a locale other than English (``LANG=de_DE.UTF-8``: jdk.localedata). What the app's
    code loads by name (other locales, charsets) the file cannot tell."""
    words = [*facts.program_words]
    for key in ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"):
        words += facts.env.get(key, "").split()
    found: dict[str, str] = {}
    for prefix, module, why in _OPTION_MODULES:
        if any(w.startswith(prefix) for w in words) and module not in found:
            if prefix.startswith("-Duser.") and _english(words, prefix):
                continue
            found[module] = why
    for key in ("LC_ALL", "LANG"):
        value = facts.env.get(key, "")
        if value and not value.startswith(_BASE_LOCALES) and "jdk.localedata" not in found:
            found["jdk.localedata"] = f"{key}={value}"
            break
        if value:
            break  # LC_ALL wins over LANG
    return list(found.items())


def _english(words: list[str], prefix: str) -> bool:
    """``-Duser.language=en`` (or ``-Duser.country=US``) names what java.base has."""
    value = next(w for w in words if w.startswith(prefix))[len(prefix) :]
    return value in {"en", "US", "GB", ""}
