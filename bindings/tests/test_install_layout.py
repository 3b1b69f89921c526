"""The installed package: where pip put it, and that it works.

tests/python/test_python_package.py installs bcc with pip into a fresh
virtual environment per CPython and runs this directory's tests there.
These check what the wheel must get right: the extension beside the
package's Python files in site-packages, the version the distribution was
installed as, and a first call into the C++ core. When no distribution
named bcc is installed (the package imported from a build tree through
PYTHONPATH) the layout checks are skipped; the lift runs either way.
"""

import importlib.metadata
import os
import sysconfig
import unittest

import bcc
import bcc._bcc


def _installed():
    try:
        return importlib.metadata.distribution("bcc")
    except importlib.metadata.PackageNotFoundError:
        return None


def _same_file(a, b):
    return os.path.realpath(a) == os.path.realpath(b)


def fibonacci(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@unittest.skipIf(_installed() is None, "bcc is not installed (no bcc "
                 "distribution); these tests check an installed package")
class InstallLayoutTest(unittest.TestCase):

    def test_package_is_the_installed_one(self):
        # The files the distribution recorded are the ones imported.
        installed = _installed().locate_file("bcc/__init__.py")
        self.assertTrue(_same_file(bcc.__file__, installed),
                        "bcc imported from %s, installed at %s"
                        % (bcc.__file__, installed))

    def test_extension_is_beside_the_package(self):
        package_dir = os.path.dirname(bcc.__file__)
        self.assertTrue(_same_file(os.path.dirname(bcc._bcc.__file__),
                                   package_dir),
                        "bcc._bcc is %s, bcc is %s"
                        % (bcc._bcc.__file__, bcc.__file__))
        self.assertTrue(
            os.path.basename(bcc._bcc.__file__).endswith(
                sysconfig.get_config_var("EXT_SUFFIX")),
            "%s is not an extension of this interpreter" % bcc._bcc.__file__)

    def test_package_is_in_site_packages(self):
        package_parent = os.path.dirname(os.path.dirname(bcc.__file__))
        self.assertTrue(_same_file(package_parent,
                                   sysconfig.get_paths()["platlib"]),
                        "bcc is in %s, not in this interpreter's "
                        "site-packages %s"
                        % (package_parent, sysconfig.get_paths()["platlib"]))

    def test_version_is_the_distribution_version(self):
        self.assertEqual(bcc.__version__, importlib.metadata.version("bcc"))
        self.assertEqual(bcc.__version__, bcc._bcc.__version__)

    def test_every_recorded_file_exists(self):
        files = _installed().files
        self.assertTrue(files, "the distribution records no files")
        names = {str(f) for f in files}
        self.assertIn("bcc/__init__.py", names)
        self.assertIn("bcc/" + os.path.basename(bcc._bcc.__file__), names)
        for f in files:
            self.assertTrue(os.path.exists(f.locate()), "%s is missing" % f)


class ExtensionLoadsTest(unittest.TestCase):
    """A first call into the C++ core: the extension loads and lifts."""

    def test_lift_a_function(self):
        text = bcc._bcc.lift(fibonacci.__code__)
        self.assertIsInstance(text, str)
        self.assertIn("function @0", text)
        self.assertIn("fibonacci", text)


if __name__ == "__main__":
    unittest.main()
