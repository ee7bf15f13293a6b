"""Build step of the wheel: copies libheliosdb into the package and tags the
wheel for this platform (the bundled library is native code, the Python
code is pure; ctypes needs no compile step).

Which library: HELIOSDB_BUILD_LIBRARY if set, else the repository's
target/release/libheliosdb.so (built by `cargo build --release -p heliosdb-capi`).
"""

import os
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
try:  # setuptools >= 70.1 has its own; older ones use the wheel package's
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
LIB_NAME = {"darwin": "libheliosdb.dylib", "win32": "heliosdb.dll"}.get(sys.platform, "libheliosdb.so")


def find_library() -> str:
    env = os.environ.get("HELIOSDB_BUILD_LIBRARY")
    candidates = [env] if env else []
    candidates.append(os.path.join(HERE, "..", "..", "target", "release", LIB_NAME))
    for path in candidates:
        if path and os.path.isfile(path):
            return os.path.abspath(path)
    raise SystemExit(
        f"heliosdb_lite: {LIB_NAME} not found (looked at {candidates}); build it with "
        "`cargo build --release -p heliosdb-capi` or set HELIOSDB_BUILD_LIBRARY"
    )


class BuildPyWithLibrary(build_py):
    """Copies the shared library next to the package's modules in the build tree."""

    def run(self):
        super().run()
        dest = os.path.join(self.build_lib, "heliosdb_lite", LIB_NAME)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(find_library(), dest)
        # Debug symbols are most of the file; drop them from the bundled copy when strip is here.
        if sys.platform.startswith("linux") and shutil.which("strip"):
            subprocess.run(["strip", "--strip-unneeded", dest], check=False)


class BinaryDistribution(Distribution):
    """Says the package carries native code, so files install to platlib and the wheel is not pure."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    """py3-none-<platform>: any Python 3, this platform only (the bundled .so)."""

    def get_tag(self):
        _, _, plat = super().get_tag()
        return "py3", "none", plat


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel})
