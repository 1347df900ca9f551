"""English for the texts the view-models produce (the QML's own texts go through qsTr and
``ui/i18n``). Messages are composed in Chinese — the kiosk's language, and what the core
packages return — and translated where a property hands them to QML, so switching the
language changes what is on screen at once. A text without an entry stays Chinese.
"""

from __future__ import annotations

EN: dict[str, str] = {
    # submission, result, receipt
    "办件编号": "Case number",
    "临时受理编号": "Provisional number",
    "待上报": "Waiting to be sent",
    "上报中": "Sending",
    "待重试": "Waiting to retry",
    "上报失败": "Sending failed",
    "已上报": "Sent",
    "已受理": "Accepted",
    "需补正": "Needs correction",
    "不予受理": "Refused",
    "已办结": "Completed",
    "上报失败，工作人员处理中": "Sending failed; staff are on it",
    "您的申请已上报政务服务平台并取得办件编号。可凭办件编号或身份证在本机“办件查询”中查看进度，"
    "办理结果也会短信通知您。":
        "Your application reached the government service platform and has a case number. "
        "Check its progress here with the number or your ID card; you will also get a text "
        "message.",
    "当前暂时无法连接政务服务平台。您的申请已安全保存在本机，并取得临时受理编号，与正式受理具有同等"
    "效力。网络恢复后，本机会自动上报，您无需再跑一趟；上报后可凭临时受理编号或身份证在本机查询办件"
    "编号和进度。":
        "The government service platform cannot be reached right now. Your application is "
        "stored safely on this kiosk under a provisional number, which counts like the "
        "official one. The kiosk sends it as soon as the link is back — you do not need to "
        "come again. Afterwards the provisional number or your ID card finds the case "
        "number and progress here.",
    "您的申请已保存在本机，正在上报政务服务平台，请凭临时受理编号查询进度；上报成功后会生成正式办件"
    "编号。":
        "Your application is stored on this kiosk and being sent to the platform. Use the "
        "provisional number to check progress; the official case number follows once it "
        "has arrived.",
    "正在打印回执，请稍候…": "Printing your receipt…",
    "请取走您的回执": "Please take your receipt",
    "回执暂时无法打印，您的申请已保存。请扫描屏幕上的二维码记下受理编号，或打印A4受理通知书":
        "The receipt cannot be printed right now; your application is saved. Scan the QR "
        "code on the screen to keep the number, or print the A4 notice.",
    "回执可能没有完整打印，请确认是否已取得回执；如未取得，请扫描屏幕上的二维码或打印A4受理通知书":
        "The receipt may not have printed completely. Did you get it? If not, scan the QR "
        "code on the screen or print the A4 notice.",
    "没关系，您的申请已保存。请扫描下方二维码记下受理编号，或打印A4受理通知书。":
        "No problem: your application is saved. Scan the QR code below to keep the number, "
        "or print the A4 notice.",
    "本机暂时无法打印回执，您的申请已保存。请扫描屏幕上的二维码记下受理编号":
        "This kiosk cannot print receipts right now; your application is saved. Scan the "
        "QR code on the screen to keep the number.",
    "正在打印A4受理通知书…": "Printing the A4 notice…",
    "A4受理通知书已打印，请在打印机出纸口取走":
        "The A4 notice is printed: take it from the printer",
    "A4打印机暂时无法使用，请扫描二维码记下受理编号":
        "The A4 printer is not available: scan the QR code to keep the number",
    "正在生成受理通知书下载二维码，请稍候…": "Preparing the download QR code for your notice…",
    "请用手机扫码下载受理通知书（24小时内有效）":
        "Scan with your phone to download the notice (valid for 24 hours)",
    "当前无法连接政务服务平台，暂时不能保存到手机；请取走回执或记下受理编号":
        "The government service platform cannot be reached, so the notice cannot be saved "
        "to your phone right now. Take the receipt or note the number.",
    "网络暂时不通，未能保存到手机，请稍后再试，或取走回执、记下受理编号":
        "The network is down and the notice was not saved to your phone. Try again later, "
        "or take the receipt and note the number.",
    "您的申请正在上报政务服务平台，请稍后再点“保存到手机”":
        "Your application is still being sent to the platform. Tap \"Save to phone\" again "
        "in a moment.",
    "暂时无法保存到手机，请取走回执或记下受理编号":
        "The notice cannot be saved to your phone right now. Take the receipt or note the "
        "number.",
    "提交没有成功，您填写的信息都还在，请再试一次或联系工作人员":
        "The submission did not go through. Everything you entered is still here: try "
        "again or ask staff.",
    "本机暂时无法保存申请，请联系工作人员":
        "This kiosk cannot store applications now: please ask staff",
    # 好差评
    "非常满意": "Very satisfied", "满意": "Satisfied", "基本满意": "Fairly satisfied",
    "不满意": "Dissatisfied", "非常不满意": "Very dissatisfied",
    "办理流程复杂": "Too complicated", "材料要求不清楚": "Unclear requirements",
    "等待时间长": "Long wait", "操作界面不好用": "Hard to use", "设备故障": "Device fault",
    "工作人员服务": "Staff service", "其他": "Other",
    "请选择一个评价": "Please choose a rating",
    "请选择不满意的原因，帮助我们改进": "Please tell us what went wrong",
    # steps
    "申请人": "Applicant", "申请信息": "Application", "申请材料": "Documents",
    "人脸核验": "Face check", "签名": "Signature", "证件类型": "Card", "姓名": "Name",
    "证件号码": "ID number", "人脸信息": "Face", "手写签名": "Handwritten signature",
    "已签名": "Signed", "未签名": "Not signed",
    "已采集，待平台核验": "Captured, pending verification",
    "电子证照（已调取）": "E-licence (fetched)", "告知承诺": "Self-declared",
    "已拍照上传（原件到窗口核验）": "Photographed (original checked at the window)",
    "到窗口提交原件": "Original brought to the window",
    "居民身份证": "Resident ID card", "社会保障卡": "Social security card",
    "请将材料平放在拍摄区域内": "Lay the document flat in the camera area",
    "已识别到材料，请保持不动": "Document found: hold still",
    "正在拍摄，请勿移动": "Taking the picture: do not move",
    "拍摄完成": "Done",
    "摄像头连接中断，请联系工作人员": "The camera was disconnected: please ask staff",
    "请先阅读并同意人脸信息采集": "Please agree to the face capture first",
    "请先完成人脸采集": "Please complete the face capture first",
    "人脸采集设备暂不可用，请到窗口办理": "The face camera is not available: please go to a window",
    "请勾选以上全部确认项后继续；如不同意，可点击“首页”结束办理":
        "Tick all the boxes above to continue; if you do not agree, press Home to stop.",
    "很好，请保持": "Good, hold still",
    "人脸检测暂不可用，请联系工作人员": "Face check unavailable: ask staff",
    "请正对摄像头": "Look at the camera", "请确保画面中只有您一人": "Only one person, please",
    "请靠近一些": "Come a little closer", "请离远一些": "Move back a little",
    "请将面部移到画面中央": "Move your face to the centre", "光线太暗": "Too dark",
    "光线太强": "Too bright", "请保持不动": "Hold still", "采集完成": "Captured",
    # availability of a service (kiosk.offline), shown in the guide
    "当前网络中断，申请将在恢复连接后自动上报":
        "The network is down: your application is sent automatically once it is back",
    "终端存储空间不足，暂不能受理新的申请，请联系工作人员":
        "This kiosk is out of storage and cannot take new applications: please ask staff",
    "终端待上报的申请过多，暂不能受理新的申请，请联系工作人员":
        "Too many applications are waiting to be sent: please ask staff",
    "终端待上报的材料过多，暂不能受理新的申请，请联系工作人员":
        "Too many documents are waiting to be sent: please ask staff",
    "该事项需联网办理，当前无法连接政务服务平台，请稍后再试或到窗口办理":
        "This service needs the platform, which cannot be reached now: try later or go to "
        "a window",
    "终端与政务服务平台断开时间过长，暂停离线受理，请到窗口办理":
        "This kiosk has been offline too long to take applications: please go to a window",
    "办事指南长时间未更新，暂停离线受理，请到窗口办理":
        "The service guides are out of date, so offline applications are paused: please go "
        "to a window",
    # identify
    "请将身份证平放在阅读区": "Place your ID card on the reader",
    "正在读取身份证…": "Reading the ID card…",
    "正在读取社保卡，请勿拔卡…": "Reading the card: do not pull it out…",
    "身份证读取成功，请核对后继续": "ID card read: please check and continue",
    "社保卡读取成功，请核对后继续": "Card read: please check and continue",
    "请勿在读卡时拔出卡片，请重新插卡":
        "Do not pull the card out while it is read: insert it again",
    "读取失败，请重新放置身份证": "Not read: place the ID card again",
    "该事项不支持此方式": "This service does not accept this method",
    # query and help
    "正在查询…": "Searching…",
    "请输入回执上的受理编号或办件编号": "Enter the number on your receipt",
    "未查询到该办件，请核对编号；仅能查询在本机提交的申请":
        "Nothing found: check the number (only applications made on this kiosk)",
    "未查询到您在本机提交的申请": "No applications of yours on this kiosk",
    "查询暂时失败，请稍后再试": "The search failed: please try again",
    "请将身份证放在阅读区": "Place your ID card on the reader",
    "请将回执上的二维码对准摄像头": "Hold the receipt's QR code up to the camera",
    "本机暂不能查询，请到窗口咨询": "Searching is not available here: please ask at a window",
    "社保卡已拔出，请重新插入以继续办理": "Your card was taken out: put it back to continue",
    "代办人身份证读取成功": "The agent's ID card has been read",
    "代办人与申请人不能是同一人，请放置代办人的身份证":
        "The agent cannot be the applicant: place the agent's ID card",
    "代办须拍摄授权委托书": "Acting for someone needs a photo of the letter of authorisation",
    "请选择代办人与申请人的关系": "Choose the agent's relationship to the applicant",
    "请放置代办人的身份证": "Place the agent's ID card",
    # identification by QR code (电子身份凭证 / 预约码)
    "电子身份凭证": "E-ID", "预约二维码": "Appointment QR code",
    "请打开电子身份凭证或预约二维码，对准摄像头":
        "Open your e-ID or appointment QR code and hold it up to the camera",
    "这不是身份核验二维码，请出示电子身份凭证或预约二维码":
        "This is not an identity QR code: show your e-ID or appointment code",
    "正在向政务服务平台核验身份…": "Checking your identity with the platform…",
    "身份核验成功，请核对后继续": "Identity confirmed: please check and continue",
    "暂时无法连接政务服务平台，请稍后重试或使用证件":
        "The platform cannot be reached right now: try again later or use a card",
    "扫码核验没有成功，请重试或使用证件": "The QR check did not work: try again or use a card",
    "该二维码已使用过，请在手机上刷新后重新出示":
        "This code was already used: refresh it on your phone and show it again",
    "二维码已过期，请在手机上刷新后重新出示":
        "This code has expired: refresh it on your phone and show it again",
    "二维码无效，请出示电子身份凭证或预约二维码":
        "Invalid code: show your e-ID or appointment QR code",
    "本机摄像头不可用，请使用证件": "The camera is not available: use a card",
    "当前无法连接政务服务平台，扫码核验暂不可用，请使用证件":
        "The platform cannot be reached: QR identification is unavailable, use a card",
    "本机暂不支持扫码核验身份，请使用证件":
        "QR identification is not supported here: use a card",
    # e-licences (电子证照)
    "政务服务平台未查询到您的该项电子证照，请选择其他提交方式":
        "The platform holds no such e-licence of yours: choose another way",
    "该电子证照已过期，请选择其他提交方式": "This e-licence has expired: choose another way",
    "暂时无法连接政务服务平台，电子证照未能调取，请选择其他提交方式":
        "The platform cannot be reached, so the e-licence was not fetched: choose another way",
    "电子证照调取没有成功，请选择其他提交方式":
        "The e-licence could not be fetched: choose another way",
    "请先完成身份核验": "Please identify yourself first",
}


def say(language: str, text: str) -> str:
    """``text`` (Chinese) in ``language``: English when there is an entry, else as is."""
    if language == "en":
        return EN.get(text, text)
    return text
