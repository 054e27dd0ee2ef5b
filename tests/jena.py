"""Apache Jena's command-line tools (Debian's libapache-jena-java) for the tests.

Debian ships the jars but no scripts, so the tools run as ``java -cp CLASSPATH arq.sparql``,
``arq.rsparql`` and ``shacl.shacl validate``. The class path is Jena's jars and the libraries
the Debian package depends on; ``/usr/share/java/*`` as a whole does not work, since it holds
both log4j-over-slf4j and slf4j-log4j12, which refuse to load together.

Debian 12's jena-core moves Jena's copy of Xerces to the package ``xerces`` but leaves its
message files under ``org/apache/jena/ext/xerces``, so Jena fails at start-up with "internal
error" in ``XSSimpleTypeDecl.applyFacets1``. :func:`jena_classpath` copies those files to where
the moved classes look for them, in a folder of the caller's.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
#: Jena's own jars, by their unversioned Debian names.
JENA_JARS = (
    "jena-arq",
    "jena-base",
    "jena-cmds",
    "jena-core",
    "jena-dboe-base",
    "jena-dboe-index",
    "jena-dboe-storage",
    "jena-dboe-trans-data",
    "jena-dboe-transaction",
    "jena-iri",
    "jena-rdfconnection",
    "jena-shacl",
    "jena-shex",
    "jena-tdb",
    "jena-tdb2",
)
#: The jars of the packages libapache-jena-java depends on, with one SLF4J binding (nop).
LIBRARY_JARS = (
    "commons-cli",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "dexx.collection",
    "gson",
    "guava",
    "httpclient",
    "httpcore",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "jsonld-java",
    "jakarta.json-api",
    "protobuf",
    "thrift",
    "titanium-json-ld",
    "slf4j-api",
    "slf4j-nop",
)
#: Start-up matters more than peak speed for one small query a run.
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m")


def jena_missing() -> str | None:
    """Why Jena cannot run here (None if it can)."""
    if shutil.which("java") is None:
        return "no java (Debian: default-jre-headless)"
    if not (JAVA_DIR / "jena-arq.jar").is_file():
        return "no Apache Jena (Debian: libapache-jena-java)"
    return None


def jena_classpath(workdir: Path) -> str:
    """The class path for Jena's tools, with the Xerces message files put where Debian's jar needs them."""
    resources = workdir / "jena-resources"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = resources / "xerces" / name.removeprefix("org/apache/jena/ext/xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = [JAVA_DIR / f"{name}.jar" for name in (*JENA_JARS, *LIBRARY_JARS)]
    return ":".join([str(resources), *(str(j) for j in jars if j.is_file())])


def run_jena(
    classpath: str, main_class: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    """Run one of Jena's command-line tools; raise with its stderr if it fails."""
    process = subprocess.run(
        ["java", *JVM_OPTIONS, "-cp", classpath, main_class, *args],
        capture_output=True,
        timeout=timeout,
    )
    if process.returncode != 0:
        raise AssertionError(
            f"{main_class} {' '.join(args)} failed ({process.returncode}):\n"
            f"{process.stderr.decode('utf-8', 'replace')[-2000:]}"
        )
    return process
