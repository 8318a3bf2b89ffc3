"""mxray analyze must open no socket and resolve no name in its default mode.

Two independent proofs, run over every fixture:
1. an LD_PRELOAD shim (tests/nosocket.c) that logs and refuses socket(),
   connect() and getaddrinfo(); a positive control shows the shim catches a
   program that does open a socket, so this test can fail;
2. strace, when it is installed and allowed to trace: no socket/connect
   system call at all.
"""
import glob, os, shutil, subprocess, sys, tempfile

mxray = os.environ["MXRAY"]
root = os.environ["MXRAY_SOURCE_ROOT"]
shim = os.environ["MXRAY_NOSOCKET"]
inputs = sorted(glob.glob(os.path.join(root, "fixtures", "*.eml")) +
                glob.glob(os.path.join(root, "fixtures", "*.txt")) +
                glob.glob(os.path.join(root, "fixtures", "broken", "*")))
failures = 0

def run_shimmed(cmd):
    fd, log = tempfile.mkstemp()
    os.close(fd)
    env = dict(os.environ, LD_PRELOAD=shim, MXRAY_NOSOCKET_LOG=log,
               ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=0")
    p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with open(log) as f:
        seen = f.read().split()
    os.unlink(log)
    return p.returncode, seen

# positive control: the shim must see a real socket attempt
rc, seen = run_shimmed(["/usr/bin/python3", "-c",
                        "import socket\ntry:\n socket.socket()\nexcept OSError:\n pass"])
if "socket" not in seen:
    print("FAIL: the shim did not catch a socket() call: this test proves nothing")
    sys.exit(1)

for path in inputs:
    for extra in ([], ["--json"]):
        rc, seen = run_shimmed([mxray, "analyze"] + extra + [path])
        if rc not in (0, 4) or seen:
            failures += 1
            print(f"FAIL {path} {extra}: exit {rc}, network calls {seen}")

# batch over every input at once (folders, mbox), default mode
rc, seen = run_shimmed([mxray, "batch", "--no-summary", os.path.join(root, "fixtures")])
if rc != 0 or seen:
    failures += 1
    print(f"FAIL mxray batch fixtures/: exit {rc}, network calls {seen}")

# the DNS layer offline: snapshots only, never the network
zone_args = ["--dns", os.path.join(root, "fixtures", "dns", "example.com.zone"),
             "--dns", os.path.join(root, "fixtures", "dns", "recorded.zone")]
rc, seen = run_shimmed([mxray, "dns"] + zone_args + ["example.com", "MX", "c1.example.com", "TXT",
                        "not-in-any.example", "TXT", "example.org", "TXT"])
if rc != 0 or seen:
    failures += 1
    print(f"FAIL mxray dns offline: exit {rc}, network calls {seen}")
# and the shim does see the live mode: it would catch a leak of it into the default
rc, seen = run_shimmed([mxray, "dns", "--resolver", "192.0.2.1:53", "example.com", "TXT"])
if "socket" not in seen:
    failures += 1
    print("FAIL: mxray dns --online opened no socket under the shim: the shim is not working")

checked_strace = False
strace = shutil.which("strace")
if strace:
    probe = subprocess.run([strace, "-f", "-qq", "-e", "trace=none", "true"],
                           capture_output=True)
    if probe.returncode == 0:
        checked_strace = True
        for path in inputs:
            p = subprocess.run([strace, "-f", "-qq", "-e", "trace=socket,connect",
                                mxray, "analyze", "--json", path],
                               capture_output=True, text=True)
            calls = [l for l in p.stderr.splitlines() if "socket(" in l or "connect(" in l]
            if calls:
                failures += 1
                print(f"FAIL {path}: strace saw {calls[:3]}")

print(f"{len(inputs)} inputs, shim checked, strace {'checked' if checked_strace else 'not available'}: "
      f"{failures} failures")
sys.exit(1 if failures else 0)
