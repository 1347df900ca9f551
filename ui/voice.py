"""Voice guidance (语音引导) through QtTextToSpeech.

In 长辈版 every screen says what to do next; in the standard version only the two things
nobody may miss are spoken: the inactivity warning and "请取回您的证件". Prompts never
contain personal data (no names, numbers or addresses are read out in a public hall).

The engine is ``speechd`` (speech-dispatcher, with a Mandarin voice where one is installed)
on a real display and Qt's ``mock`` engine offscreen (tests, benchmarks); ``spoken`` keeps
the last prompts for tests and diagnostics.
"""

from __future__ import annotations

import logging
from collections import deque

from PySide6.QtCore import QLocale, QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtTextToSpeech import QTextToSpeech

from kiosk.journey import State
from ui.texts import say

log = logging.getLogger(__name__)

PROMPTS: dict[State, str] = {
    State.HOME: "欢迎使用政务服务自助终端，请选择要办理的事项，或搜索事项名称",
    State.GUIDE: "这是办事指南，请看清需要的材料，准备好后点击开始办理",
    State.IDENTIFY: "请将身份证平放在阅读区",
    State.FORM: "请填写申请信息，带星号的为必填项",
    State.MATERIALS: "请确认每项材料的提交方式",
    State.FACE: "请正对摄像头，摘下帽子和口罩",
    State.SIGNATURE: "请用手指在框内签名",
    State.CONSENT: "请阅读个人信息处理告知，勾选同意后继续",
    State.REVIEW: "请核对申请信息，确认无误后点击确认提交",
    State.SUBMITTING: "正在提交，请稍候",
    State.RESULT: "申请已提交，请打印回执",
    State.RECEIPT: "请在出纸口取走回执",
    State.RATING: "请您对本次服务进行评价",
    State.FAREWELL: "请取回您的证件",
    State.QUERY: "请输入回执上的编号，或将身份证放在阅读区",
    State.HELP: "工作人员马上就到，请在本机旁稍候",
}
ALWAYS = frozenset({State.FAREWELL})
COUNTDOWN = "您还在办理吗？如需继续，请点击继续办理"

EN = {
    PROMPTS[State.HOME]: "Welcome. Choose a service, or search for it.",
    PROMPTS[State.GUIDE]: "This guide lists what you need. When ready, press Apply now.",
    PROMPTS[State.IDENTIFY]: "Please place your ID card on the reader.",
    PROMPTS[State.FORM]: "Please fill in the form. Fields with a star are required.",
    PROMPTS[State.MATERIALS]: "Please confirm how you supply each document.",
    PROMPTS[State.FACE]: "Please face the camera and remove your hat and mask.",
    PROMPTS[State.SIGNATURE]: "Please sign in the box with your finger.",
    PROMPTS[State.CONSENT]: "Please read the notice and tick to agree.",
    PROMPTS[State.REVIEW]: "Please check your application, then press Submit.",
    PROMPTS[State.SUBMITTING]: "Submitting, please wait.",
    PROMPTS[State.RESULT]: "Your application is submitted. Please print the receipt.",
    PROMPTS[State.RECEIPT]: "Please take your receipt.",
    PROMPTS[State.RATING]: "Please rate this service.",
    PROMPTS[State.FAREWELL]: "Please take your ID card.",
    PROMPTS[State.QUERY]: "Enter the number on your receipt, or place your ID card.",
    PROMPTS[State.HELP]: "Staff are on their way. Please wait here.",
    COUNTDOWN: "Are you still there? Press Continue to go on.",
}


def default_engine() -> str:
    engines = QTextToSpeech.availableEngines()
    app = QGuiApplication.instance()
    headless = isinstance(app, QGuiApplication) and app.platformName() in ("offscreen",
                                                                           "minimal")
    if not headless and "speechd" in engines:
        return "speechd"
    return "mock" if "mock" in engines else (engines[0] if engines else "")


class VoiceGuide(QObject):
    def __init__(self, engine: str | None = None) -> None:
        super().__init__()
        name = default_engine() if engine in (None, "auto") else engine
        self._tts: QTextToSpeech | None = QTextToSpeech(name, self) if name else None
        self.engine = name or ""
        self.spoken: deque[str] = deque(maxlen=50)
        self._language = ""

    def prompt(self, state: State, *, elder: bool, language: str) -> None:
        text = PROMPTS.get(state)
        if text is not None and (elder or state in ALWAYS):
            self.speak(text, language)

    def countdown(self, *, language: str) -> None:
        self.speak(COUNTDOWN, language)

    def speak(self, text: str, language: str) -> None:
        spoken = EN.get(text, say(language, text)) if language == "en" else text
        self.spoken.append(spoken)
        if self._tts is None:
            return
        if language != self._language:
            self._language = language
            locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates) \
                if language == "en" else QLocale(QLocale.Language.Chinese,
                                                 QLocale.Country.China)
            if locale in self._tts.availableLocales():
                self._tts.setLocale(locale)
        self._tts.stop()  # the newest prompt wins: never a queue of stale instructions
        self._tts.say(spoken)

    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()
