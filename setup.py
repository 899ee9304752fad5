"""Build hook for the C parts: setuptools reads everything else from pyproject.toml.

Besides the cffi extension (cffi_modules), build_ext compiles the simulated vendor SDKs in native/sim/ into
libScanAPI.so and libIddk2000.so with the compiler setuptools found: in place for editable installs and
`python setup.py build_ext --inplace`, into the build tree (and so the wheel) otherwise.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

# simulator source -> library name of the real SDK it stands in for
SIMULATORS = {"native/sim/ftrscan_sim.c": "libScanAPI.so", "native/sim/iddk_sim.c": "libIddk2000.so"}
SIM_FLAGS = ["-O2", "-fPIC", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fvisibility=hidden"]


class BuildExtWithSimulators(build_ext):
    """build_ext that also links the vendor-SDK simulators (plain shared libraries, not Python modules)."""

    def run(self) -> None:
        super().run()
        self.build_simulators()

    def build_simulators(self) -> None:
        if self.compiler is None or isinstance(self.compiler, str):  # nothing to build: no compiler object yet
            from setuptools._distutils.ccompiler import new_compiler
            from setuptools._distutils.sysconfig import customize_compiler

            self.compiler = new_compiler(verbose=self.verbose, dry_run=self.dry_run, force=self.force)
            customize_compiler(self.compiler)
        out_dir = Path("native/sim") if self.inplace else Path(self.build_lib) / "native" / "sim"
        out_dir.mkdir(parents=True, exist_ok=True)
        for source, library in SIMULATORS.items():
            objects = self.compiler.compile(
                [source], output_dir=self.build_temp, include_dirs=["native/vendor", "native/sim"],
                extra_postargs=SIM_FLAGS,
            )
            self.compiler.link_shared_object(objects, library, output_dir=str(out_dir), extra_postargs=["-shared"])


setup(
    cffi_modules=["native/_build.py:ffibuilder"],
    cmdclass={"build_ext": BuildExtWithSimulators},
)
