"""bcc_build: the PEP 517 build backend of the Python package bcc.

`python3.X -m pip install .` (pyproject.toml names this module) builds the
extension bcc._bcc for the interpreter that runs pip, with bcc's own CMake
build, and packs it with the package's Python sources (bindings/bcc) into a
wheel written here by hand. The backend uses the standard library only, so
that pip needs no package index: pyproject.toml requires nothing.

The build directory:

  * BCC_BUILD_DIR, if set: a bcc build directory configured before (a
    relative path is taken from the source tree). It is used as it is;
    CMake runs on it again only if it has no target for this interpreter,
    with this interpreter added to BCC_PYTHON_EXECUTABLES.
  * otherwise <source>/build-python, configured on first use for this
    interpreter alone (no tests, no mimalloc) and reused afterwards.

Either way only the target bcc_python_<XY> of this interpreter is built
(`cmake --build DIR --target bcc_python_XY -j N`, N from BCC_JOBS, else the
number of CPUs); with a build directory whose targets are up to date, pip
only packs. CMake's output goes to stderr (pip shows it with -v or on an
error) and to DIR/bcc-wheel-cpXY.log. A lock file in DIR keeps two
backends from running CMake on it at once.

Hooks: build_wheel, prepare_metadata_for_build_wheel, build_sdist (a
tar.gz of the files git tracks; it needs a git checkout) and the two
get_requires_for_* (nothing). There is no build_editable.
"""

import base64
import contextlib
import csv
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile

__all__ = [
    "build_wheel", "build_sdist", "prepare_metadata_for_build_wheel",
    "get_requires_for_build_wheel", "get_requires_for_build_sdist",
]

# The versions the extension builds for (bindings/CMakeLists.txt).
SUPPORTED = ((3, 11), (3, 12), (3, 13))

# Lines of CMake's log quoted in the error when it fails.
LOG_TAIL_LINES = 40


class BuildError(RuntimeError):
    """The package cannot be built; the message says why and what to do."""


# --- The project --------------------------------------------------------


def _source_root():
    """The source tree: two levels above this file, as pyproject.toml's
    backend-path says; PEP 517 also runs the hooks from it, so the current
    directory is the fallback should the tree have been laid out anew."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.dirname(os.path.dirname(here)), os.getcwd()):
        if (os.path.isfile(os.path.join(candidate, "pyproject.toml")) and
                os.path.isfile(os.path.join(candidate, "CMakeLists.txt")) and
                os.path.isdir(os.path.join(candidate, "bindings", "bcc"))):
            return candidate
    raise BuildError("bcc_build: cannot find bcc's source tree (a directory "
                     "with pyproject.toml, CMakeLists.txt and bindings/bcc) "
                     "above %s or at %s" % (here, os.getcwd()))


def _check_python():
    if sys.version_info[:2] not in SUPPORTED:
        raise BuildError("bcc needs CPython 3.11, 3.12 or 3.13; this is %d.%d"
                         % sys.version_info[:2])


def _read_project(root):
    """pyproject.toml's [project] table, with the version filled in from
    CMakeLists.txt's project(bcc VERSION x.y.z)."""
    _check_python()
    import tomllib  # 3.11+, hence the check above
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        project = dict(tomllib.load(f)["project"])
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        match = re.search(r"\bproject\s*\(\s*bcc\s+VERSION\s+([0-9][0-9.]*)",
                          f.read())
    if not match:
        raise BuildError("bcc_build: no project(bcc VERSION x.y.z) in %s"
                         % os.path.join(root, "CMakeLists.txt"))
    project["version"] = match.group(1)
    return project


def _metadata(root, project):
    """The core metadata (METADATA in a wheel, PKG-INFO in an sdist)."""
    lines = [
        "Metadata-Version: 2.1",
        "Name: %s" % project["name"],
        "Version: %s" % project["version"],
    ]
    if project.get("description"):
        lines.append("Summary: %s" % project["description"])
    if project.get("requires-python"):
        lines.append("Requires-Python: %s" % project["requires-python"])
    body = ""
    readme = project.get("readme")
    if isinstance(readme, str):
        with open(os.path.join(root, readme), encoding="utf-8") as f:
            body = f.read()
        if readme.endswith(".md"):
            lines.append("Description-Content-Type: text/markdown")
    text = "\n".join(lines) + "\n"
    if body:
        text += "\n" + body
    return text


def _dist_info(project):
    return "%s-%s.dist-info" % (project["name"], project["version"])


def _tag():
    """cpXY-cpXY[t]-platform, the one interpreter the wheel is for."""
    python = "cp%d%d" % sys.version_info[:2]
    abi = python + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else "")
    platform = re.sub(r"[-.]", "_", sysconfig.get_platform())
    return "%s-%s-%s" % (python, abi, platform)


def _wheel_file():
    return ("Wheel-Version: 1.0\n"
            "Generator: bcc_build\n"
            "Root-Is-Purelib: false\n"
            "Tag: %s\n" % _tag())


# --- Running CMake ------------------------------------------------------


def _interpreter():
    """The interpreter CMake builds the extension for. In a virtual
    environment (pip's own or the user's) that is the one it was made from:
    the headers and the extension suffix are the same, and the build
    directory's cache outlives most environments."""
    base = getattr(sys, "_base_executable", None)
    if base and os.path.isfile(base) and os.access(base, os.X_OK):
        return base
    return sys.executable


def _child_environment():
    """The environment for CMake and make: without pip's PYTHONPATH (CMake
    runs other interpreters) and without an outer make's jobserver."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "MAKEFLAGS", "MFLAGS",
                 "MAKELEVEL"):
        env.pop(name, None)
    return env


def _jobs():
    value = os.environ.get("BCC_JOBS")
    if value:
        if not value.isdigit() or int(value) < 1:
            raise BuildError("BCC_JOBS=%s is not a positive number" % value)
        return int(value)
    return os.cpu_count() or 1


class _Log:
    """CMake's output, copied line by line to stderr and to a log file."""

    def __init__(self, path):
        self.path = path
        self.file = open(path, "w", encoding="utf-8", errors="replace")

    def line(self, text):
        sys.stderr.write(text)
        sys.stderr.flush()
        self.file.write(text)
        self.file.flush()

    def close(self):
        self.file.close()

    def tail(self):
        with open(self.path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-LOG_TAIL_LINES:])


def _run(command, log, build_dir, what):
    log.line("bcc_build: %s\n" % " ".join(command))
    try:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=_child_environment(),
            universal_newlines=True, errors="replace")
    except OSError as error:
        raise BuildError("bcc_build: cannot run %s: %s" % (command[0], error))
    for text in process.stdout:
        log.line(text)
    status = process.wait()
    if status != 0:
        raise BuildError(
            "bcc_build: %s failed (exit status %d) in the build directory %s;"
            " the whole log is %s. Its last lines:\n%s"
            % (what, status, build_dir, log.path, log.tail()))


def _cmake():
    cmake = shutil.which("cmake")
    if not cmake:
        raise BuildError("bcc_build: cmake is not on PATH; bcc's extension is "
                         "built with CMake (scripts/install-deps.sh installs "
                         "it and everything else the build needs)")
    return cmake


def _cache_entries(build_dir):
    """NAME -> value from DIR/CMakeCache.txt."""
    entries = {}
    with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8",
              errors="replace") as f:
        for line in f:
            match = re.match(r"([A-Za-z0-9_.+-]+):[A-Z]+=(.*)$",
                             line.rstrip("\n"))
            if match:
                entries[match.group(1)] = match.group(2)
    return entries


def _has_target(build_dir, target):
    """Whether the configured build has `target` (every generator lists its
    targets' directories in CMakeFiles/TargetDirectories.txt)."""
    listing = os.path.join(build_dir, "CMakeFiles", "TargetDirectories.txt")
    if not os.path.isfile(listing):
        return False
    with open(listing, encoding="utf-8", errors="replace") as f:
        suffix = "/%s.dir" % target
        return any(line.rstrip("\n").endswith(suffix) for line in f)


def _version_tag(python):
    """"312" for a Python 3.12, None if it does not run."""
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print('%d%d' % sys.version_info[:2])"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=_child_environment(), universal_newlines=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _configured_pythons(build_dir, cache):
    """BCC_PYTHON_EXECUTABLES as the build has it: the cache entry, or when
    it is empty, what CMakeLists.txt then takes (tests/python/pythons.py)."""
    if cache.get("BCC_PYTHON_EXECUTABLES"):
        return cache["BCC_PYTHON_EXECUTABLES"].split(";")
    finder = os.path.join("tests", "python", "pythons.py")
    home = cache.get("CMAKE_HOME_DIRECTORY")
    if home and os.path.isfile(os.path.join(home, finder)):
        finder = os.path.join(home, finder)
    else:
        finder = os.path.join(_source_root(), finder)
    result = subprocess.run(
        [sys.executable, finder, "--paths", "3.11", "3.12", "3.13"],
        stdout=subprocess.PIPE, env=_child_environment(),
        universal_newlines=True, timeout=600)
    if result.returncode != 0:
        raise BuildError("bcc_build: %s failed; it lists the interpreters "
                         "the build directory %s was configured for"
                         % (finder, build_dir))
    return [line for line in result.stdout.splitlines() if line]


def _build_directory(root):
    """(build directory, whether it must be a configured one)."""
    given = os.environ.get("BCC_BUILD_DIR")
    if given:
        return os.path.abspath(given), True
    return os.path.join(root, "build-python"), False


@contextlib.contextmanager
def _locked(build_dir):
    """Holds DIR/.bcc-build-backend.lock: one backend at a time per build
    directory (two pip runs for two versions would otherwise both run CMake
    on it)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(os.path.join(build_dir, ".bcc-build-backend.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _add_target_if_missing(root, build_dir, tag, python, log):
    """In a configured build directory: runs CMake on it again, with
    `python` added to BCC_PYTHON_EXECUTABLES, only if it has no target for
    version `tag`."""
    cache = _cache_entries(build_dir)
    if cache.get("CMAKE_PROJECT_NAME") != "bcc":
        raise BuildError("bcc_build: %s is not a build directory of bcc"
                         % build_dir)
    home = cache.get("CMAKE_HOME_DIRECTORY", "")
    if home and os.path.realpath(home) != os.path.realpath(root):
        log.line("bcc_build: warning: %s was configured from %s; the "
                 "extension comes from there, the Python files from %s\n"
                 % (build_dir, home, root))
    target = "bcc_python_" + tag
    if _has_target(build_dir, target):
        return
    # The target names carry only the version: one interpreter per version.
    pythons = [p for p in _configured_pythons(build_dir, cache)
               if _version_tag(p) != tag] + [python]
    log.line("bcc_build: %s has no target %s; adding %s to its "
             "BCC_PYTHON_EXECUTABLES\n" % (build_dir, target, python))
    _run([_cmake(), "-S", home or root, "-B", build_dir,
          "-DBCC_PYTHON_EXECUTABLES=" + ";".join(pythons)],
         log, build_dir, "configuring")


def _build_extension(root):
    """Configures if need be, builds bcc_python_XY and returns the path of
    the extension it made."""
    tag = "%d%d" % sys.version_info[:2]
    target = "bcc_python_" + tag
    build_dir, must_exist = _build_directory(root)
    cache_file = os.path.join(build_dir, "CMakeCache.txt")
    if must_exist and not os.path.isfile(cache_file):
        raise BuildError(
            "BCC_BUILD_DIR=%s is not a configured bcc build directory (it has "
            "no CMakeCache.txt). Configure it first (cmake -S %s -B %s), or "
            "unset BCC_BUILD_DIR to build in %s."
            % (build_dir, root, build_dir, os.path.join(root, "build-python")))
    os.makedirs(build_dir, exist_ok=True)
    cmake = _cmake()
    python = _interpreter()
    with _locked(build_dir):
        log = _Log(os.path.join(build_dir, "bcc-wheel-cp%s.log" % tag))
        try:
            if os.path.isfile(cache_file):
                _add_target_if_missing(root, build_dir, tag, python, log)
            else:
                _run([cmake, "-S", root, "-B", build_dir,
                      "-DBCC_PYTHON_EXECUTABLES=" + python,
                      "-DBCC_BUILD_TESTS=OFF", "-DBCC_MIMALLOC=OFF"],
                     log, build_dir, "configuring")
            if not _has_target(build_dir, target):
                raise BuildError(
                    "bcc_build: the build directory %s has no target %s after "
                    "configuring; is BCC_PYTHON off, or BCC_SANITIZE or "
                    "BCC_FUZZ on? (those builds have no Python extension)"
                    % (build_dir, target))
            _run([cmake, "--build", build_dir, "--target", target,
                  "-j", str(_jobs())], log, build_dir, "building " + target)
        finally:
            log.close()
    extension = os.path.join(build_dir, "python", tag, "bcc",
                             "_bcc" + sysconfig.get_config_var("EXT_SUFFIX"))
    if not os.path.isfile(extension):
        raise BuildError("bcc_build: %s built, but %s is not there"
                         % (target, extension))
    return extension


# --- Writing archives ---------------------------------------------------


def _timestamp():
    """SOURCE_DATE_EPOCH if set (reproducible archives), else 1980-01-01,
    the earliest time a zip file holds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    earliest = 315532800
    return max(int(epoch), earliest) if epoch and epoch.isdigit() else earliest


def _package_files(root):
    """(path in the wheel, path on disk) for bindings/bcc, recursively,
    without caches and without any extension built or copied in there."""
    package = os.path.join(root, "bindings", "bcc")
    found = []
    for directory, subdirectories, files in os.walk(package):
        subdirectories[:] = sorted(d for d in subdirectories
                                   if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo", ".so", ".pyd")):
                continue
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, package).replace(os.sep, "/")
            found.append(("bcc/" + relative, path))
    return found


def _record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class _WheelWriter:
    """A zip file with a RECORD of what went in, written last."""

    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.records = []
        self.date_time = time.gmtime(_timestamp())[:6]

    def add(self, name, data, executable=False):
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.external_attr = (0o755 if executable else 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        self.records.append((name, _record_hash(data), str(len(data))))

    def close(self, record_name):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows(self.records)
        writer.writerow((record_name, "", ""))
        info = zipfile.ZipInfo(record_name, date_time=self.date_time)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, out.getvalue())
        self.zip.close()


# --- The hooks ----------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    root = _source_root()
    project = _read_project(root)
    dist_info = _dist_info(project)
    target = os.path.join(metadata_directory, dist_info)
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata(root, project))
    with open(os.path.join(target, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(_wheel_file())
    return dist_info


def build_wheel(wheel_directory, config_settings=None,
                metadata_directory=None):
    root = _source_root()
    project = _read_project(root)
    extension = _build_extension(root)
    dist_info = _dist_info(project)
    name = "%s-%s-%s.whl" % (project["name"], project["version"], _tag())
    os.makedirs(wheel_directory, exist_ok=True)
    path = os.path.join(wheel_directory, name)
    wheel = _WheelWriter(path)
    try:
        for archive_name, source in _package_files(root):
            with open(source, "rb") as f:
                wheel.add(archive_name, f.read())
        with open(extension, "rb") as f:
            wheel.add("bcc/" + os.path.basename(extension), f.read(),
                      executable=True)
        wheel.add(dist_info + "/METADATA",
                  _metadata(root, project).encode("utf-8"))
        wheel.add(dist_info + "/WHEEL", _wheel_file().encode("utf-8"))
        wheel.close(dist_info + "/RECORD")
    except BaseException:
        wheel.zip.close()
        os.unlink(path)
        raise
    sys.stderr.write("bcc_build: wrote %s\n" % path)
    return name


def _tracked_files(root):
    """The files git tracks in the source tree, sorted."""
    if not os.path.exists(os.path.join(root, ".git")):
        raise BuildError(
            "bcc_build: an sdist packs the files git tracks, and %s is not a "
            "git checkout; install from the checkout (pip install DIR) or "
            "build a wheel instead" % root)
    try:
        result = subprocess.run(["git", "-C", root, "ls-files", "-z"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=600)
    except OSError as error:
        raise BuildError("bcc_build: an sdist needs git: %s" % error)
    if result.returncode != 0:
        raise BuildError("bcc_build: git ls-files failed in %s: %s"
                         % (root, result.stderr.decode(errors="replace")))
    names = [n for n in result.stdout.decode().split("\0") if n]
    return sorted(n for n in names if os.path.isfile(os.path.join(root, n)))


def build_sdist(sdist_directory, config_settings=None):
    root = _source_root()
    project = _read_project(root)
    base = "%s-%s" % (project["name"], project["version"])
    name = base + ".tar.gz"
    os.makedirs(sdist_directory, exist_ok=True)
    mtime = _timestamp()

    def normalized(info):
        info.mtime = mtime
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o755 if info.mode & 0o111 else 0o644
        return info

    with open(os.path.join(sdist_directory, name), "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=mtime) as zipped, \
            tarfile.open(fileobj=zipped, mode="w",
                         format=tarfile.PAX_FORMAT) as tar:
        for relative in _tracked_files(root):
            tar.add(os.path.join(root, relative),
                    arcname=base + "/" + relative, recursive=False,
                    filter=normalized)
        pkg_info = _metadata(root, project).encode("utf-8")
        info = tarfile.TarInfo(base + "/PKG-INFO")
        info.size = len(pkg_info)
        tar.addfile(normalized(info), io.BytesIO(pkg_info))
    return name
