// scripts/pyodide/runner.mjs - CPython 3.14/3.15 (pyodide, WebAssembly) as
// an interpreter for bcc's tests.
//
//   node runner.mjs X.Y [-B] [-E] [-I] [-S] [-s] [-u] [-O] [-X opt] [-W arg]
//                       (-c CODE | -m MODULE | SCRIPT | -) [ARG...]
//
// scripts/python3.14 and scripts/python3.15 call it. The pyodide package of
// version X.Y is looked up in $BCC_PYODIDE_DIR/X.Y/node_modules/pyodide
// (BCC_PYODIDE_DIR defaults to build/pyodide in the repository; make deps,
// through scripts/install-pyodide.sh, puts it there).
//
// What it does like a CPython executable: sys.argv, __main__, the exit
// status (SystemExit, 1 after an uncaught exception with its traceback on
// stderr), stdin/stdout/stderr as bytes, the environment and the working
// directory. The host's file system is reachable under the same paths: every
// top-level host directory but /dev, /proc, /sys and /lib* (pyodide's own
// standard library lives in /lib) is mounted with NODEFS at its own name.
// What it cannot do: start processes (no subprocess), threads, or load
// native extensions from the host.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(path.dirname(HERE));

function die(message) {
  process.stderr.write(`python-wasm: ${message}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const version = argv.shift();
if (!/^3\.\d+$/.test(version || "")) die("usage: runner.mjs X.Y [python arguments]");

// Interpreter options, as far as they mean something here.
const flags = { dontWriteBytecode: false, ignoreEnvironment: false, noSite: false, isolated: false };
const xoptions = [];
const warnoptions = [];
let mode = null; // "c" | "m" | "script" | "stdin"
let target = null;
while (argv.length) {
  const a = argv[0];
  if (a === "-c" || a === "-m") {
    argv.shift();
    if (!argv.length) die(`argument expected for the ${a} option`);
    mode = a.slice(1);
    target = argv.shift();
    break;
  }
  if (a.startsWith("-c") && a.length > 2) { argv.shift(); mode = "c"; target = a.slice(2); break; }
  if (a.startsWith("-m") && a.length > 2) { argv.shift(); mode = "m"; target = a.slice(2); break; }
  if (a === "-X" || a === "-W") {
    argv.shift();
    if (!argv.length) die(`argument expected for the ${a} option`);
    (a === "-X" ? xoptions : warnoptions).push(argv.shift());
    continue;
  }
  if (a === "-" ) { argv.shift(); mode = "stdin"; break; }
  if (a === "--") { argv.shift(); break; }
  if (/^-[BEIsSuOqd]+$/.test(a)) {
    argv.shift();
    for (const f of a.slice(1)) {
      if (f === "B") flags.dontWriteBytecode = true;
      if (f === "E") flags.ignoreEnvironment = true;
      if (f === "S") flags.noSite = true;
      if (f === "I") { flags.isolated = true; flags.ignoreEnvironment = true; }
    }
    continue;
  }
  if (a.startsWith("-")) die(`unknown option ${a}`);
  break;
}
if (mode === null) {
  if (!argv.length) die("no script: interactive use is not supported");
  mode = "script";
  target = argv.shift();
}

const base = process.env.BCC_PYODIDE_DIR || path.join(REPO, "build", "pyodide");
const pkg = path.resolve(base, version, "node_modules", "pyodide");
if (!fs.existsSync(path.join(pkg, "pyodide.mjs"))) {
  die(`no pyodide for Python ${version} in ${pkg} (run scripts/install-pyodide.sh, or set BCC_PYODIDE_DIR)`);
}
const { loadPyodide } = await import(pathToFileURL(path.join(pkg, "pyodide.mjs")).href);

const env = {};
for (const [k, v] of Object.entries(process.env)) {
  if (flags.ignoreEnvironment && k.startsWith("PYTHON")) continue;
  env[k] = v;
}
if (flags.dontWriteBytecode) env.PYTHONDONTWRITEBYTECODE = "1";

const py = await loadPyodide({ env, fullStdLib: false, checkAPIVersion: false });

// fs.writeSync to a pipe may write part of the buffer, or throw EAGAIN when
// the pipe is full; pyodide drops what the call did not take, so write it
// all here, waiting for the reader when it has to.
const pause = new Int32Array(new SharedArrayBuffer(4));
function writer(fd) {
  return {
    write(buffer) {
      let done = 0;
      while (done < buffer.length) {
        try {
          done += fs.writeSync(fd, buffer, done, buffer.length - done);
        } catch (e) {
          if (e.code !== "EAGAIN") throw e;
          Atomics.wait(pause, 0, 0, 2);
        }
      }
      return done;
    },
  };
}
py.setStdout(writer(1));
py.setStderr(writer(2));
py.setStdin({
  read(buffer) {
    // A non-blocking stdin with nothing in it yet says EAGAIN: wait for
    // data rather than report an end of file.
    for (;;) {
      try {
        return fs.readSync(0, buffer, 0, buffer.length, null);
      } catch (e) {
        if (e.code === "EOF") return 0;
        if (e.code !== "EAGAIN") throw e;
        Atomics.wait(pause, 0, 0, 2);
      }
    }
  },
});

// The host's directories under their own names.
const SKIP = new Set(["dev", "proc", "sys", "lib", "lib32", "lib64", "libx32"]);
for (const name of fs.readdirSync("/")) {
  if (SKIP.has(name)) continue;
  let stat;
  try { stat = fs.statSync("/" + name); } catch { continue; }
  if (!stat.isDirectory()) continue;
  const where = "/" + name;
  try {
    py.FS.mkdirTree(where);
    py.FS.mount(py.FS.filesystems.NODEFS, { root: where }, where);
  } catch (e) {
    die(`cannot mount ${where}: ${e}`);
  }
}

py.globals.set("_bcc_runner_args", py.toPy({
  mode, target, argv, cwd: process.cwd(), xoptions, warnoptions,
  noSite: flags.noSite, isolated: flags.isolated,
}));
const status = py.runPython(`
def _bcc_runner_main(a):
    import importlib, os, sys
    os.chdir(a["cwd"])
    # PYTHONPATH's directories were looked at before the host's were
    # mounted, and found missing: look again.
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    sys.warnoptions[:] = list(a["warnoptions"])
    if a["warnoptions"]:
        import warnings
        for w in a["warnoptions"]:
            warnings._setoption(w) if hasattr(warnings, "_setoption") else None
    for x in a["xoptions"]:
        k, _, v = x.partition("=")
        sys._xoptions[k] = v or True
    import runpy, traceback, types
    mode, target, rest = a["mode"], a["target"], list(a["argv"])
    main = types.ModuleType("__main__")
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    try:
        try:
            if mode == "c":
                sys.argv[:] = ["-c"] + rest
                if not a["isolated"]:
                    sys.path.insert(0, "")
                exec(compile(target, "<string>", "exec"), main.__dict__)
            elif mode == "m":
                sys.argv[:] = [target] + rest
                if not a["isolated"]:
                    sys.path.insert(0, os.getcwd())
                runpy.run_module(target, run_name="__main__", alter_sys=True)
            elif mode == "stdin":
                sys.argv[:] = ["-"] + rest
                exec(compile(sys.stdin.read(), "<stdin>", "exec"), main.__dict__)
            else:
                sys.argv[:] = [target] + rest
                if not a["isolated"]:
                    sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
                runpy.run_path(target, run_name="__main__")
            status = 0
        except SystemExit as e:
            code = e.code
            if code is None:
                status = 0
            elif isinstance(code, int):
                status = code & 0xFF
            else:
                print(code, file=sys.stderr)
                status = 1
        except BaseException as e:
            # The traceback starts at the user's code, as CPython's would:
            # the runner's own frame and runpy's are left out.
            tb = e.__traceback__
            while tb is not None and (tb.tb_frame.f_code.co_filename == "<exec>" or
                                      tb.tb_frame.f_globals.get("__name__") == "runpy"):
                tb = tb.tb_next
            traceback.print_exception(type(e), e, tb)
            status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    return status
_bcc_runner_main(_bcc_runner_args)
`);
process.exit(status);
