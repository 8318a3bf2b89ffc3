"""The DNS layer live, against a real authoritative server: NSD from Debian
on 127.0.0.1 at a free port, serving fixtures/dns/*.zone.  Live answers must
equal the offline answers from the same zone files, a run saved with
--save-dns must replay offline to the same output, a truncated UDP answer
must be fetched over TCP, and a server that never answers must give TIMEOUT
within the bound.  Skipped (77) only when nsd is not installed."""
import os, shutil, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks
from dns_cases import CASES

check = Checks()
root = os.environ.get("MXRAY_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
mxray = os.environ.get("MXRAY", os.path.join(root, "build", "mxray"))
nsd = shutil.which("nsd") or ("/usr/sbin/nsd" if os.path.exists("/usr/sbin/nsd") else None)
if nsd is None:
    print("SKIP: nsd is not installed (apt-get install nsd); the live DNS tests did not run")
    sys.exit(77)

ZONES = ["example.com", "2.0.192.in-addr.arpa"]


def free_port():
    # a port free for both UDP and TCP
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            t.close()
            continue
        t.close()
        u.close()
        return port
    raise RuntimeError("no free port")

def run(args, timeout=60):
    p = subprocess.run([mxray, "dns"] + args, cwd=root, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr

tmp = tempfile.mkdtemp(prefix="mxray-nsd-")
port = free_port()
conf = os.path.join(tmp, "nsd.conf")
with open(conf, "w") as f:
    f.write(f"""server:
  ip-address: 127.0.0.1
  port: {port}
  username: ""
  chroot: ""
  zonesdir: "{tmp}"
  pidfile: "{tmp}/nsd.pid"
  xfrdfile: "{tmp}/xfrd.state"
  zonelistfile: "{tmp}/zone.list"
  database: ""
  logfile: "{tmp}/nsd.log"
  server-count: 1
  do-ip6: no
  verbosity: 1
remote-control:
  control-enable: no
""")
    for z in ZONES:
        shutil.copy(os.path.join(root, "fixtures", "dns", z + ".zone"), tmp)
        f.write(f"zone:\n  name: {z}\n  zonefile: {z}.zone\n")
server = subprocess.Popen([nsd, "-d", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
resolver = f"127.0.0.1:{port}"
try:
    # wait until it serves
    for _ in range(50):
        rc, out, _ = run(["--resolver", resolver, "example.com", "MX"])
        if " OK" in out.splitlines()[0]:
            break
        time.sleep(0.1)
    else:
        log = open(os.path.join(tmp, "nsd.log")).read() if os.path.exists(os.path.join(tmp, "nsd.log")) else ""
        print("FAIL: nsd did not start serving:", log[-500:])
        sys.exit(1)

    offline = ["--dns", "fixtures/dns/example.com.zone", "--dns", "fixtures/dns/2.0.192.in-addr.arpa.zone"]
    for name, typ in CASES:
        _, off, _ = run(offline + [name, typ])
        rc, live, err = run(["--resolver", resolver, name, typ])
        check(rc == 0 and live == off, f"{name} {typ}: live equals offline\n--- offline\n{off}--- live\n{live}{err}")

    # record a live run, replay it offline: the same output, byte for byte
    snap = os.path.join(tmp, "saved.zone")
    allq = [x for c in CASES for x in c]
    rc, live_all, err = run(["--resolver", resolver, "--save-dns", snap] + allq)
    check(rc == 0, f"--save-dns exit 0 ({err})")
    with open(snap) as f:
        saved = f.read()
    check(f"through {resolver}" in saved.splitlines()[0], "the snapshot says when and through which resolver")
    check("; mxray-dns: nothere.example.com. TXT NXDOMAIN" in saved, "negative answers are recorded")
    server.terminate()
    server.wait(timeout=10)
    rc, replay, err = run(["--dns", snap] + allq)
    check(replay == live_all, "the saved snapshot replays the live run exactly")

    # a server that does not answer: TIMEOUT (temperror) within the bound
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    t0 = time.time()
    rc, out, err = run([f"--resolver", f"127.0.0.1:{silent.getsockname()[1]}", "example.com", "TXT"])
    took = time.time() - t0
    silent.close()
    check(rc == 0 and out.startswith("example.com. TXT TIMEOUT"), f"silent server: TIMEOUT ({out})")
    check(took < 15, f"silent server: answered within the bound ({took:.1f} s)")
finally:
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=10)
    shutil.rmtree(tmp, ignore_errors=True)

check.done()
