"""代办: someone acts for the applicant (the principal), with staff logged in.

The principal's ID card is read first (the applicant), then the agent's; the agent states
the relationship; the principal's signed 授权委托书 is captured as a material with the
document camera (trust level C: the original is checked at the window); both sign on the
screen, the principal first. Everything of the agent travels sealed
(``sync.outbox.Channel``); only the relationship and the letter's material id are in the
clear. :func:`for_session` is the service as the application steps see it: the catalogue
service plus the letter when an agent is present.
"""

from __future__ import annotations

import dataclasses

from kiosk.catalogue import Material, Service
from ui.session import CitizenSession

LETTER_ID = "proxy_authorisation"
PROXY_LETTER = Material(
    id=LETTER_ID, name="授权委托书", name_en="Letter of authorisation",
    forms=("original",), count=1, required=True, condition=None, trust_level="C",
    note="代办须提交申请人签署的授权委托书：请放在高拍仪下拍照，原件交窗口核验",
    e_licence=None,
    note_en="Needed when acting for someone: photograph the letter signed by the applicant; "
            "the original is checked at the window")
RELATIONSHIPS = ("配偶", "子女", "父母", "其他亲属", "委托代理人")
RELATIONSHIPS_EN = ("Spouse", "Child", "Parent", "Other relative", "Authorised agent")

MSG_AGENT_SAME = "代办人与申请人不能是同一人，请放置代办人的身份证"
MSG_LETTER_NEEDED = "代办须拍摄授权委托书"
MSG_RELATIONSHIP_NEEDED = "请选择代办人与申请人的关系"
MSG_AGENT_NEEDED = "请放置代办人的身份证"


def for_session(service: Service, session: CitizenSession) -> Service:
    if session.agent is None or any(m.id == LETTER_ID for m in service.materials):
        return service
    return dataclasses.replace(service, materials=(*service.materials, PROXY_LETTER))


def identify_problem(session: CitizenSession) -> str:
    """Why the identification step cannot be left in 代办 mode ("" when it can)."""
    if not session.proxy_mode or session.identity is None:
        return ""
    if session.agent is None:
        return MSG_AGENT_NEEDED
    if not session.proxy_relationship:
        return MSG_RELATIONSHIP_NEEDED
    return ""


def materials_problem(session: CitizenSession) -> str:
    if session.agent is not None and session.materials.get(LETTER_ID) != "scan":
        return MSG_LETTER_NEEDED
    return ""
