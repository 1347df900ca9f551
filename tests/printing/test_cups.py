"""A4 printing through a private cupsd: its own config, spool and domain socket under /tmp
(the system's /etc/cups and port 631 are never touched), a queue whose device is a file.

Why not a raw queue: CUPS 2.4 runs no process at all for a raw queue with a ``file:``
device, so nothing lands in the file (the job still "completes"). The queue here has a
minimal PPD whose only filter is ``gziptoany`` (a pass-through), so the PDF bytes land in
the file unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devices.base import FaultScript
from devices.registry import create
from kiosk.errors import ConfigError, DeviceUnavailableError, PrintError
from printing.cups import CupsPrinter, SimulatedA4Printer, status_from_lpstat
from printing.model import PrinterState, PrintResult
from printing.notice import render_notice
from tests.printing.conftest import PROVISIONAL, T0, MakeData

PPD = """*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "KIOSKPDF.PPD"
*Manufacturer: "Kiosk"
*Product: "(Kiosk PDF capture)"
*ModelName: "Kiosk PDF capture"
*ShortNickName: "Kiosk PDF capture"
*NickName: "Kiosk PDF capture"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: False
*DefaultColorSpace: Gray
*FileSystem: False
*Throughput: "1"
*LandscapeOrientation: Plus90
*TTRasterizer: Type42
*cupsFilter: "application/pdf 0 gziptoany"
*OpenUI *PageSize/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageSize
*DefaultPageSize: A4
*PageSize A4/A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageSize
*OpenUI *PageRegion: PickOne
*OrderDependency: 10 AnySetup *PageRegion
*DefaultPageRegion: A4
*PageRegion A4/A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageRegion
*DefaultImageableArea: A4
*ImageableArea A4/A4: "0 0 595 842"
*DefaultPaperDimension: A4
*PaperDimension A4/A4: "595 842"
"""

CUPSD_CONF = """LogLevel warn
Listen {root}/cups.sock
Browsing Off
WebInterface No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow localhost
</Location>
<Location /admin>
  Order allow,deny
  Allow localhost
</Location>
"""

CUPS_FILES_CONF = """FileDevice Yes
ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
Printcap {root}/printcap
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
"""

QUEUE = "kiosk-a4"


@dataclass
class PrivateCups:
    root: Path
    socket: str
    output: Path
    proc: subprocess.Popen[bytes]

    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        exe = shutil.which(args[0]) or args[0]
        return subprocess.run([exe, "-h", self.socket, *args[1:]], capture_output=True,
                              text=True, timeout=20, check=False)


@pytest.fixture
def cupsd() -> Iterator[PrivateCups]:
    exe = shutil.which("cupsd") or "/usr/sbin/cupsd"
    if not os.path.exists(exe) or shutil.which("lp") is None:
        pytest.fail("CUPS (cupsd, lp) missing: scripts/setup.sh installs it")
    if os.geteuid() != 0:  # the README's test command runs as root (or through sudo)
        pytest.fail("a private cupsd needs root (it switches to the lp user for filters)")
    # /tmp/pytest-of-root is 0700: the lp user running the filter could not reach the spool
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-", dir="/tmp"))
    os.chmod(root, 0o755)
    for d in ("etc", "spool/tmp", "cache", "state", "log", "out"):
        (root / d).mkdir(parents=True)
    os.chmod(root / "out", 0o777)
    (root / "etc" / "cupsd.conf").write_text(CUPSD_CONF.format(root=root))
    (root / "etc" / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root))
    (root / "kiosk.ppd").write_text(PPD)
    log = open(root / "log" / "stdout", "wb")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen([exe, "-f", "-c", str(root / "etc" / "cupsd.conf"),
                             "-s", str(root / "etc" / "cups-files.conf")],
                            stdout=log, stderr=subprocess.STDOUT)
    env = PrivateCups(root, str(root / "cups.sock"), root / "out" / "a4.prn", proc)
    try:
        deadline = time.monotonic() + 15
        while "scheduler is running" not in env.admin("lpstat", "-r").stdout:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"private cupsd did not start: "
                            f"{(root / 'log' / 'stdout').read_text(errors='replace')}")
            time.sleep(0.1)
        res = env.admin("lpadmin", "-p", QUEUE, "-E", "-v", f"file://{env.output}",
                        "-P", str(root / "kiosk.ppd"))
        assert res.returncode == 0, res.stderr
        yield env
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def test_notice_pdf_lands_in_the_queue_file(cupsd: PrivateCups, make_data: MakeData) -> None:
    pdf = render_notice(make_data(), printed_at=T0)
    with CupsPrinter(QUEUE, server=cupsd.socket, wait_s=20, poll_interval_s=0.1) as printer:
        assert printer.status().state is PrinterState.PAPER_OK
        outcome = printer.print_pdf(pdf, title=f"notice-{PROVISIONAL}", number=PROVISIONAL,
                                    qr_payload=PROVISIONAL)
    assert outcome.result is PrintResult.PRINTED, outcome.detail
    assert outcome.job_id == f"{QUEUE}-1"
    assert cupsd.output.read_bytes() == pdf
    done = cupsd.admin("lpstat", "-W", "completed", "-o", QUEUE).stdout
    assert f"{QUEUE}-1" in done


def test_disabled_queue_is_offline_and_job_not_sent(cupsd: PrivateCups,
                                                    make_data: MakeData) -> None:
    assert cupsd.admin("cupsdisable", "-r", "paper jam at tray 2", QUEUE).returncode == 0
    printer = CupsPrinter(QUEUE, server=cupsd.socket, wait_s=5, poll_interval_s=0.1)
    st = printer.status()
    assert st.state is PrinterState.OFFLINE and "paper jam at tray 2" in st.detail
    outcome = printer.print_document("materials", make_data())
    assert outcome.result is PrintResult.NOT_PRINTED and outcome.fallback
    assert not cupsd.output.exists()


def test_unknown_queue_is_unavailable(cupsd: PrivateCups) -> None:
    printer = CupsPrinter("no-such-queue", server=cupsd.socket)
    assert printer.status().state is PrinterState.UNKNOWN
    with pytest.raises(DeviceUnavailableError):
        printer.open()
    with pytest.raises(PrintError) as exc:
        printer.submit(b"%PDF-1.4\n", "x")
    assert exc.value.user_message == "A4打印机暂时无法使用，请联系工作人员"


def test_missing_lp_command_is_a_print_error_with_chinese_message() -> None:
    printer = CupsPrinter(QUEUE, lp_command="/nonexistent/lp",
                          lpstat_command="/nonexistent/lpstat")
    with pytest.raises(PrintError) as exc:
        printer.submit(b"%PDF", "t")
    assert "A4打印机" in exc.value.user_message
    assert printer.status().state is PrinterState.UNKNOWN


@pytest.mark.parametrize("alerts, state", [
    ("none", PrinterState.PAPER_OK),
    ("media-empty-error", PrinterState.PAPER_END),
    ("media-needed", PrinterState.PAPER_END),
    ("media-low-report", PrinterState.NEAR_END),
    ("door-open-error", PrinterState.COVER_OPEN),
    ("offline-report", PrinterState.OFFLINE),
    ("media-jam-error media-low-report", PrinterState.OFFLINE),
])
def test_printer_state_reasons_map_to_states(alerts: str, state: PrinterState) -> None:
    text = (f"printer {QUEUE} is idle.  enabled since Sun Nov 22 06:31:53 2026\n"
            f"\tForm mounted:\n\tContent types: any\n\tAlerts: {alerts}\n")
    st = status_from_lpstat(text)
    assert st.state is state
    assert st.reasons == tuple(a for a in alerts.split() if a != "none")


def test_simulated_a4_keeps_the_pdfs(make_data: MakeData) -> None:
    faults = FaultScript()
    printer = create("a4_printer", "simulated")
    assert isinstance(printer, SimulatedA4Printer)
    printer.faults = faults
    outcome = printer.print_notice(make_data())
    assert outcome.printed and printer.documents[0].pdf.startswith(b"%PDF")
    printer.set_status("paper_end")
    assert printer.print_materials_list(make_data()).result is PrintResult.NOT_PRINTED
    printer.set_status("paper_ok")
    printer.set_status_after_job("cover_open")
    assert printer.print_notice(make_data()).result is PrintResult.UNCERTAIN
    printer.set_status("paper_ok")
    faults.fail_next()
    assert printer.print_notice(make_data()).result is PrintResult.NOT_PRINTED
    assert len(printer.documents) == 2


def test_bad_queue_name_is_config_error() -> None:
    with pytest.raises(ConfigError):
        CupsPrinter("bad queue/name")
