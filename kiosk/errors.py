"""The kiosk's one error tree.

::

    KioskError                       every error we raise on purpose
    ├── ConfigError (ValueError)     bad configuration file, environment or CLI value
    ├── CatalogueError (ValueError)  catalogue bundle malformed, unsigned or too old
    ├── ValidationError (ValueError) a citizen's or staff member's input is not acceptable
    ├── AuthError                    staff / technician log-in refused (kiosk.staffauth)
    │   ├── CredentialsError         wrong PIN, code or card proof; unknown card
    │   ├── LockedOutError           too many failures: ``retry_after_s``
    │   └── PermissionDeniedError    role missing, or the log-in method is not allowed
    ├── DeviceError                  anything a device adapter reports
    │   ├── DeviceUnavailableError   backend missing, port absent, cable pulled
    │   ├── DeviceTimeoutError (TimeoutError)
    │   └── DeviceOperationError     the device answered, but with a failure status
    ├── PrintError                   a receipt or notice could not be produced or printed
    ├── StorageError (OSError)       local queue or attachment store cannot write (disk full…)
    └── SyncError                    talking to the provincial platform failed
        ├── SyncTransportError       no link, timeout, reset, truncated body: retry later
        ├── SyncRejectedError        the platform refused the payload: do not retry as is
        └── SyncAuthError            the platform refused our credentials: stop, alert

Every error that a citizen can meet carries ``user_message`` (short Simplified
Chinese, shown on screen) and ``detail`` (technical, for the log and the
maintenance screen). ``str(err)`` is the detail, so logs stay technical. Third-
party exceptions are wrapped only at adapter boundaries with ``raise X(...) from err``.
"""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""

    default_user_message = "系统繁忙，请稍后再试或联系工作人员"

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.user_message = user_message or self.default_user_message


class ConfigError(KioskError, ValueError):
    """Configuration is missing or invalid; ``key`` names the offending setting."""

    default_user_message = "终端配置有误，请联系工作人员"

    def __init__(self, detail: str = "", *, key: str | None = None,
                 user_message: str | None = None) -> None:
        super().__init__(detail, user_message=user_message)
        self.key = key


class CatalogueError(KioskError, ValueError):
    default_user_message = "服务目录暂不可用，请联系工作人员"


class ValidationError(KioskError, ValueError):
    """Input not acceptable; ``field`` names the form field when there is one."""

    default_user_message = "输入内容有误，请检查"

    def __init__(self, detail: str = "", *, field: str | None = None,
                 user_message: str | None = None) -> None:
        super().__init__(detail, user_message=user_message)
        self.field = field


class AuthError(KioskError):
    """A log-in was refused; ``reason`` is a short machine-readable code for audit/tests."""

    default_user_message = "身份验证失败"

    def __init__(self, detail: str = "", *, reason: str = "", user_message: str | None = None
                 ) -> None:
        super().__init__(detail, user_message=user_message)
        self.reason = reason


class CredentialsError(AuthError):
    """A factor was wrong; ``remaining_tries`` before lock-out (None: not counted)."""

    default_user_message = "身份验证失败，请重试"

    def __init__(self, detail: str = "", *, reason: str = "", remaining_tries: int | None = None,
                 user_message: str | None = None) -> None:
        super().__init__(detail, reason=reason, user_message=user_message)
        self.remaining_tries = remaining_tries


class LockedOutError(AuthError):
    """Too many consecutive failures for one staff ID; try again after ``retry_after_s``."""

    def __init__(self, detail: str = "", *, retry_after_s: int, reason: str = "locked",
                 user_message: str | None = None) -> None:
        super().__init__(detail, reason=reason,
                         user_message=user_message or f"错误次数过多，请 {retry_after_s} 秒后再试")
        self.retry_after_s = retry_after_s


class PermissionDeniedError(AuthError):
    default_user_message = "您没有此项操作的权限"


class DeviceError(KioskError):
    default_user_message = "设备暂时无法使用，请联系工作人员"


class DeviceUnavailableError(DeviceError):
    default_user_message = "设备未连接或不可用，请联系工作人员"


class DeviceTimeoutError(DeviceError, TimeoutError):
    default_user_message = "设备响应超时，请重试"


class DeviceOperationError(DeviceError):
    default_user_message = "设备操作失败，请重试"


class PrintError(KioskError):
    default_user_message = "打印失败，请联系工作人员"


class StorageError(KioskError, OSError):
    default_user_message = "终端存储空间不足，暂不能受理新的申请，请联系工作人员"


class SyncError(KioskError):
    default_user_message = "暂时无法连接政务服务平台"


class SyncTransportError(SyncError):
    pass


class SyncRejectedError(SyncError):
    default_user_message = "政务服务平台未接收该申请"


class SyncAuthError(SyncError):
    default_user_message = "终端认证失败，请联系工作人员"
