"""A4 printing: the ``A4Printer`` port, ``CupsPrinter`` (lp/lpstat) and ``SimulatedA4Printer``.

The port::

    status() -> PrinterStatus          queue state and printer-state-reasons mapped to our
                                       states (media-empty → PAPER_END, cover/door open →
                                       COVER_OPEN, media-low → NEAR_END, stopped/disabled/
                                       offline/jam → OFFLINE); UNKNOWN when CUPS does not answer
    print_pdf(pdf, title=…, number=…, qr_payload=…) -> PrintOutcome
    print_document(kind, data, template=None) -> PrintOutcome   kind: notice | materials
    print_notice(data) / print_materials_list(data)
    submit(pdf, title) -> job id        raises PrintError (Chinese user_message)
    wait(job_id, timeout_s) -> bool     True once the job left the not-completed list

``print_pdf`` never raises for printer conditions: status not printable → *not printed*;
``lp`` failing → *not printed* (detail from the ``PrintError``); job submitted but not
finished within ``wait_s`` or printer stopped afterwards → *uncertain*; otherwise *printed*.

``CupsPrinter(queue, lp_command="lp", lpstat_command="lpstat", server=None, wait_s=60,
poll_interval_s=0.25, media="A4")`` submits with ``lp [-h server] -d queue -o media=A4 -t
title`` (the PDF on stdin, so no temporary file), parses ``request id is <queue>-<n>``,
polls ``lpstat -o queue`` until the job is gone and reads ``lpstat -l -p queue`` (``LC_ALL=C``
so the English wording can be parsed). ``server`` is passed as ``-h`` (a host:port or the
path of cupsd's domain socket). ``SimulatedA4Printer`` keeps the PDFs in ``documents``.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from devices.base import Device, FaultScript, SelfTestResult
from kiosk.errors import DeviceError, DeviceTimeoutError, DeviceUnavailableError, PrintError
from printing.model import PrinterState, PrinterStatus, PrintOutcome, PrintResult, ReceiptData
from printing.templates import KindTemplate, TemplateSet, default_templates, load_templates

__all__ = ["A4Printer", "CupsPrinter", "SimulatedA4Printer", "StoredDocument",
           "status_from_lpstat"]

log = logging.getLogger(__name__)

MSG_A4_UNAVAILABLE = "A4打印机暂时无法使用，请联系工作人员"
_REQUEST_ID = re.compile(r"request id is (\S+)")


class A4Printer(Device):
    """The A4 printer port; see the module docstring."""

    kind: ClassVar[str] = "a4_printer"
    label_zh: ClassVar[str] = "A4打印机"

    def __init__(self, *, wait_s: float = 60.0, poll_interval_s: float = 0.25) -> None:
        super().__init__()
        self.wait_s = float(wait_s)
        self.poll_interval_s = float(poll_interval_s)
        self._io = threading.RLock()
        self.last_status: PrinterStatus | None = None
        self.templates: TemplateSet = default_templates()

    def use_catalogue_templates(self, print_templates: Mapping[str, Any] | None) -> None:
        """Layer the catalogue's ``print_templates`` over the packaged default
        (``ConfigError`` when invalid; the templates in use are then unchanged)."""
        self.templates = load_templates(catalogue={"print_templates": print_templates})

    def __enter__(self) -> Self:
        self.open()
        return self

    # -- public ------------------------------------------------------------------------------
    def status(self) -> PrinterStatus:
        with self._io:
            st = self._status()
            self.last_status = st
            return st

    def print_document(self, kind: str, data: ReceiptData,
                       template: KindTemplate | None = None, *,
                       printed_at: float | None = None) -> PrintOutcome:
        from printing.notice import render_document

        if template is None and kind in ("notice", "materials"):
            template = self.templates.get(kind, data.service_code)
        pdf = render_document(kind, data, template, printed_at=printed_at)
        return self.print_pdf(pdf, title=f"{kind}-{data.provisional_no}", number=data.number,
                              qr_payload=data.qr_payload)

    def print_notice(self, data: ReceiptData, template: KindTemplate | None = None) \
            -> PrintOutcome:
        return self.print_document("notice", data, template)

    def print_materials_list(self, data: ReceiptData, template: KindTemplate | None = None) \
            -> PrintOutcome:
        return self.print_document("materials", data, template)

    def print_pdf(self, pdf: bytes, *, title: str, number: str = "",
                  qr_payload: str = "") -> PrintOutcome:
        with self._io:
            before = self.status()
            if not before.can_print:
                return PrintOutcome(PrintResult.NOT_PRINTED, before, None, number, qr_payload,
                                    f"not sent: printer {before.state.value}: {before.detail}")
            try:
                job_id = self.submit(pdf, title)
            except PrintError as err:
                return PrintOutcome(PrintResult.NOT_PRINTED, before, None, number, qr_payload,
                                    f"not sent: {err.detail}")
            done = self.wait(job_id, self.wait_s)
            after = self.status()
            if not done:
                result, detail = PrintResult.UNCERTAIN, f"job {job_id} still queued after " \
                                                        f"{self.wait_s:g} s"
            elif not after.can_print:
                result = PrintResult.UNCERTAIN
                detail = f"job {job_id} left the queue; printer {after.state.value}: " \
                         f"{after.detail}"
            else:
                result, detail = PrintResult.PRINTED, f"job {job_id} completed"
            log.info("%s: %s %s", self, title, result.value)
            return PrintOutcome(result, before, after, number, qr_payload, detail, job_id,
                                len(pdf))

    def self_test(self) -> SelfTestResult:
        st = self.status()
        return SelfTestResult(st.can_print, f"{self.label_zh}{st.label_zh}",
                              {"status": "ok" if st.can_print else
                               f"{st.state.value}: {st.detail}"}, st.detail)

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["last_status"] = self.last_status.as_dict() if self.last_status else None
        return out

    # -- hooks -------------------------------------------------------------------------------
    def submit(self, pdf: bytes, title: str) -> str:
        raise NotImplementedError

    def wait(self, job_id: str, timeout_s: float) -> bool:
        raise NotImplementedError

    def _status(self) -> PrinterStatus:
        raise NotImplementedError


# -- CUPS -------------------------------------------------------------------------------------

_REASON_MAP: tuple[tuple[str, PrinterState], ...] = (
    ("cover-open", PrinterState.COVER_OPEN),
    ("door-open", PrinterState.COVER_OPEN),
    ("interlock-open", PrinterState.COVER_OPEN),
    ("media-empty", PrinterState.PAPER_END),
    ("media-needed", PrinterState.PAPER_END),
    ("input-tray-missing", PrinterState.PAPER_END),
    ("media-jam", PrinterState.OFFLINE),
    ("offline", PrinterState.OFFLINE),
    ("paused", PrinterState.OFFLINE),
    ("shutdown", PrinterState.OFFLINE),
    ("toner-empty", PrinterState.OFFLINE),
    ("marker-supply-empty", PrinterState.OFFLINE),
    ("other-error", PrinterState.OFFLINE),
    ("media-low", PrinterState.NEAR_END),
)
_SEVERITY = (PrinterState.COVER_OPEN, PrinterState.PAPER_END, PrinterState.OFFLINE,
             PrinterState.NEAR_END, PrinterState.PAPER_OK)


def status_from_lpstat(text: str) -> PrinterStatus:
    """Map ``LC_ALL=C lpstat -l -p QUEUE`` output to a ``PrinterStatus``."""
    lines = text.splitlines()
    head = lines[0] if lines else ""
    if not head.startswith("printer "):
        return PrinterStatus(PrinterState.UNKNOWN, f"unexpected lpstat output: {head!r}")
    reasons: list[str] = []
    message = ""
    for i, line in enumerate(lines[1:], 1):
        stripped = line.strip()
        if stripped.startswith("Alerts:"):
            reasons = [r for r in re.split(r"[\s,]+", stripped[len("Alerts:"):])
                       if r and r != "none"]
        elif i == 1 and line.startswith("\t") and ":" not in stripped:
            message = stripped  # the reason text of a disabled printer
    states = {PrinterState.PAPER_OK}
    for reason in reasons:
        for prefix, state in _REASON_MAP:
            if reason.startswith(prefix):
                states.add(state)
    if " disabled " in f" {head} " or "disabled since" in head:
        states.add(PrinterState.OFFLINE)
    state = next(s for s in _SEVERITY if s in states)
    detail = head.strip()
    if message:
        detail += f" ({message})"
    return PrinterStatus(state, detail, reasons=tuple(reasons))


class CupsPrinter(A4Printer):
    backend: ClassVar[str] = "cups"

    def __init__(self, queue: str, lp_command: str = "lp", lpstat_command: str = "lpstat",
                 server: str | None = None, media: str = "A4", wait_s: float = 60.0,
                 poll_interval_s: float = 0.25, timeout_s: float = 30.0) -> None:
        super().__init__(wait_s=wait_s, poll_interval_s=poll_interval_s)
        if not re.fullmatch(r"[^\s/#]{1,127}", queue):
            from kiosk.errors import ConfigError

            raise ConfigError(f"devices.a4_printer.options.queue: not a CUPS queue name: "
                              f"{queue!r}", key="devices.a4_printer.options.queue")
        self.queue, self.server, self.media = queue, server, media
        self.lp_command, self.lpstat_command = lp_command, lpstat_command
        self.timeout_s = float(timeout_s)

    def location(self) -> str:
        return f"cups:{self.queue}" + (f"@{self.server}" if self.server else "")

    def _cmd(self, exe: str, args: list[str], *, stdin: bytes | None = None) \
            -> subprocess.CompletedProcess[bytes]:
        cmd = [exe] + (["-h", self.server] if self.server else []) + args
        env = dict(os.environ, LC_ALL="C", LANG="C")
        try:
            return subprocess.run(cmd, input=stdin, capture_output=True, env=env,
                                  timeout=self.timeout_s, check=False)
        except (OSError, subprocess.SubprocessError) as err:
            raise PrintError(f"{' '.join(cmd[:1])}: {err}", user_message=MSG_A4_UNAVAILABLE) \
                from err

    def _open(self) -> None:
        try:
            res = self._cmd(self.lpstat_command, ["-p", self.queue])
        except PrintError as err:
            raise DeviceUnavailableError(err.detail, user_message=MSG_A4_UNAVAILABLE) from err
        if res.returncode != 0:
            raise DeviceUnavailableError(
                f"queue {self.queue}: {res.stderr.decode(errors='replace').strip()}",
                user_message=MSG_A4_UNAVAILABLE)

    def _close(self) -> None:
        pass

    def _status(self) -> PrinterStatus:
        try:
            res = self._cmd(self.lpstat_command, ["-l", "-p", self.queue])
        except PrintError as err:
            return PrinterStatus(PrinterState.UNKNOWN, err.detail)
        if res.returncode != 0:
            return PrinterStatus(PrinterState.UNKNOWN, "lpstat failed: "
                                 + res.stderr.decode(errors="replace").strip())
        return status_from_lpstat(res.stdout.decode(errors="replace"))

    def submit(self, pdf: bytes, title: str) -> str:
        safe_title = re.sub(r"[^\w.\-]", "_", title, flags=re.ASCII)[:100] or "document"
        res = self._cmd(self.lp_command, ["-d", self.queue, "-o", f"media={self.media}",
                                          "-t", safe_title], stdin=pdf)
        out = res.stdout.decode(errors="replace")
        if res.returncode != 0:
            raise PrintError(f"lp -d {self.queue} failed ({res.returncode}): "
                             f"{res.stderr.decode(errors='replace').strip()}",
                             user_message=MSG_A4_UNAVAILABLE)
        m = _REQUEST_ID.search(out)
        if not m:
            raise PrintError(f"lp -d {self.queue}: no job id in {out!r}",
                             user_message=MSG_A4_UNAVAILABLE)
        return m.group(1)

    def _pending(self) -> set[str] | None:
        try:
            res = self._cmd(self.lpstat_command, ["-o", self.queue])
        except PrintError:
            return None
        if res.returncode != 0:
            return None
        return {line.split()[0] for line in res.stdout.decode(errors="replace").splitlines()
                if line.strip()}

    def wait(self, job_id: str, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while True:
            pending = self._pending()
            if pending is not None and job_id not in pending:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(self.poll_interval_s)


# -- simulated ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredDocument:
    title: str
    pdf: bytes
    job_id: str


class SimulatedA4Printer(A4Printer):
    """Keeps every PDF in ``documents``; status scripted like the receipt simulator."""

    backend: ClassVar[str] = "simulated"

    def __init__(self, status: str = "paper_ok", faults: FaultScript | None = None,
                 wait_s: float = 1.0) -> None:
        super().__init__(wait_s=wait_s, poll_interval_s=0.01)
        self.faults = faults or FaultScript()
        self._state = PrinterState(status)
        self._after_job: PrinterState | None = None
        self.documents: list[StoredDocument] = []
        self._lock = threading.Lock()

    def set_status(self, status: str) -> None:
        self._state = PrinterState(status)

    def set_status_after_job(self, status: str | None) -> None:
        self._after_job = PrinterState(status) if status else None

    def _open(self) -> None:
        self.faults.check("open")

    def _close(self) -> None:
        pass

    def _status(self) -> PrinterStatus:
        try:
            self.faults.check("status", timeout_s=0.05)
        except DeviceTimeoutError as err:
            return PrinterStatus(PrinterState.UNKNOWN, err.detail)
        except DeviceError as err:
            return PrinterStatus(PrinterState.OFFLINE, err.detail)
        return PrinterStatus(self._state, "simulated")

    def submit(self, pdf: bytes, title: str) -> str:
        try:
            self.faults.check("print")
        except DeviceError as err:
            raise PrintError(err.detail, user_message=MSG_A4_UNAVAILABLE) from err
        with self._lock:
            job_id = f"sim-{len(self.documents) + 1}"
            self.documents.append(StoredDocument(title, bytes(pdf), job_id))
            if self._after_job is not None:
                self._state, self._after_job = self._after_job, None
        return job_id

    def wait(self, job_id: str, timeout_s: float) -> bool:
        return True
