"""English for the kiosk's QML strings (source language: Simplified Chinese).

``python ui/i18n/en.py`` refreshes ``kiosk_en.ts`` from the QML sources (pyside6-lupdate) and
fills in the translations below; ``scripts/setup.sh`` builds the ``.qm`` from it. A source
text without an entry here stays unfinished in the ``.ts`` (and shows in Chinese).
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
QML = HERE.parent / "qml"

EN = {
    "需补正：平台要求补交此材料": "To correct: the platform asks for this material",
    "帮办模式": "Assisted mode",
    "本机办件": "Terminal queue",
    "退出": "Log out",
    "工作人员登录": "Staff log-in",
    "关闭": "Close",
    "请将工作证插入读卡器，然后输入密码。": "Insert your staff card, then enter your PIN.",
    "请输入工号和密码。": "Enter your staff number and PIN.",
    "工作证登录": "Staff card",
    "工号登录": "Staff number",
    "工号": "Staff number",
    "密码": "PIN",
    "正在核验…": "Checking…",
    "登录": "Log in",
    "插入演示工作证": "Demo: insert a staff card",
    "全部": "All",
    "待上报": "Not sent",
    "上报失败": "Failed",
    "需补正": "Needs correction",
    "已上报": "Sent",
    "搜索编号或事项": "Search by number or service",
    "日终汇总": "Day summary",
    "没有符合条件的办件": "No applications match",
    "点选一件办件查看详情": "Tap an application to see its details",
    "状态：%1": "State: %1",
    "临时受理编号：%1": "Provisional number: %1",
    "办件编号：%1": "Case number: %1",
    "申请人：%1　%2": "Applicant: %1  %2",
    "受理时间：%1": "Received: %1",
    "帮办": "assisted",
    "代办": "by proxy",
    "已收材料：": "Materials received: ",
    "平台要求补正：": "The platform asks for a correction: ",
    "需更正：": "Fields to correct: ",
    "需补交：": "Materials to add: ",
    "重新上报": "Send again",
    "补正办理": "Correct and resubmit",
    "补打回执": "Reprint receipt",
    "补打通知书": "Reprint notice",
    "办理记录": "History",
    "清空": "Clear",
    "取消代办": "Not acting for someone",
    "代他人办理（代办）": "Acting for someone",
    "已读取的证件为申请人（委托人）。请取回，并放置代办人的身份证。":
        "The card read is the applicant's. Take it back and place the agent's ID card.",
    "代办人：%1　%2": "Agent: %1  %2",
    "代办人与申请人的关系": "The agent's relationship to the applicant",
    "请代办人在下方框内签名": "Agent: please sign in the box below",
    "请申请人（委托人）在下方框内签名": "Applicant: please sign in the box below",
    "%1 个事项，一次申请": "%1 services, one application",
    "%1 秒后将返回首页，并清除您填写的全部信息。":
        "In %1 s this session ends and everything you entered is erased.",
    "请在 %1 秒内重新插入社保卡继续办理，否则将结束办理并清除您的全部信息。":
        "Put your card back within %1 s to continue, or this session ends and everything "
        "you entered is erased.",
    "社保卡已拔出": "Your card was taken out",
    "“好差评”帮助我们改进服务，评价不影响办理结果。":
        "Your rating helps us improve. It does not affect your application.",
    "　[演示模式]": "  [demo]",
    "　·　需联网办理": " · needs the network",
    "一件事一次办": "Life events",
    "一网通办　·　就近可办　·　断网也能受理":
        "One-stop services · close to you · even when offline",
    "一键呼叫": "Call staff",
    "下一步": "Next",
    "个人信息处理告知": "How we use your personal information",
    "临时受理编号：": "Provisional no.: ",
    "为保护隐私，部分内容以 * 显示。点按带“查看”的内容可显示完整信息10秒。":
        "To protect your privacy some details are shown as *. Tap \u201cShow\u201d to see one "
        "in full for 10 seconds.",
    "也可以把身份证放在阅读区，查询您在本机提交的全部申请":
        "Or place your ID card on the reader to see everything you applied for here",
    "事项编码 %1": "Code %1",
    "人脸信息已按您在上一步的单独同意采集。":
        "Your face was captured with your separate consent in the previous step.",
    "人脸采集": "Face capture",
    "人脸采集设备暂不可用": "Face camera unavailable",
    "以及您的回执。感谢您的使用！\n离开后，本机将清除您的全部信息。":
        "and your receipt. Thank you!\nWhen you leave, everything about you is erased.",
    "使用其他证件": "Another card",
    "使用这张": "Use it",
    "例如 DEMO0001-20261122-000017-K": "e.g. DEMO0001-20261122-000017-K",
    "例如：户口、社保卡、hkqc、yibao": "e.g. 户口, 社保卡, hkqc, yibao",
    "保存多久：按政务服务档案管理规定保存。":
        "How long: as the rules for government service records require.",
    "信息已由证件读取，仅显示部分内容以保护您的隐私。":
        "Read from your card; only part is shown to protect your privacy.",
    "凭回执编号或身份证查进度": "Track with your receipt or ID card",
    "办件查询": "Application status",
    "办件编号：": "Case no.: ",
    "办理时限与收费": "Time limit and fee",
    "办理时限：": "Time limit: ",
    "办理条件": "Who can apply",
    "办理渠道与结果领取": "Channels and results",
    "办理渠道：": "Channels: ",
    "取消": "Cancel",
    "可在线调取的电子证照无需再提交纸质材料。":
        "Electronic licences fetched online replace the paper documents.",
    "可输入汉字、拼音或首字母，如“户口”“hukou”“hkqc”":
        "Hanzi, pinyin or initials, e.g. \u201c户口\u201d \u201chukou\u201d \u201chkqc\u201d",
    "告知承诺：我承诺选择“告知承诺”的材料内容真实有效，如有不实，愿意承担相应法律责任。":
        "Commitment: I declare that the documents I chose to self-declare are true, and I "
        "accept legal responsibility if they are not.",
    "呼叫": "Help",
    "呼叫没有发出": "The call did not go out",
    "回执打印": "Receipt",
    "回执是否已打印？": "Did you get your receipt?",
    "在此处签名": "Sign here",
    "在线": "Online",
    "处理什么：证件上的姓名、证件号码等，以及您填写的信息、材料和签名。":
        "What: the name and number on your card, what you enter, your documents and "
        "your signature.",
    "如证件已放在阅读区但没有反应，请取下后重新放置。":
        "If the card is on the reader but nothing happens, lift it and place it again.",
    "姓名": "Name",
    "完成": "Done",
    "将社保卡芯片朝上插入读卡口，读取完成前请勿拔出":
        "Insert the card chip up; do not pull it out until it has been read",
    "将身份证平放在屏幕下方的阅读区，听到提示音后即可取回":
        "Lay the ID card flat on the reader below the screen; take it back after the beep",
    "工作人员马上就到": "Staff are on their way",
    "已取得回执": "Yes, I have it",
    "已拍照，原件请到窗口核验": "Photographed; show the original at the window",
    "已读取身份证，正在查询您在本机提交的申请":
        "ID card read: looking up your applications on this kiosk",
    "带 * 的为必填项。来自证件的信息已自动填好。":
        "Fields with * are required. Details from your card are filled in.",
    "常见问题": "FAQ",
    "%1年": "%1",
    "开始办理": "Apply now",
    "开始采集": "Start",
    "当前状态：": "Status: ",
    "当前离线：电子证照暂不能调取，可先提交申请，原件到窗口核验。":
        "Offline: e-licences cannot be fetched now. Apply anyway and show the originals "
        "at the window.",
    "很抱歉给您带来不便，请告诉我们哪里不满意（可多选）：":
        "We are sorry. What went wrong? (choose any)",
    "必交": "Required",
    "怎么保护：信息在本机加密保存，上报平台后即从本机删除；屏幕和回执只显示部分内容。":
        "Protection: encrypted on this kiosk and deleted once the platform has it; "
        "screens and receipts show only part of it.",
    "您的权利：可查阅、更正您的信息，或撤回同意（撤回不影响已办理的事项），可到窗口或拨打12345咨询。":
        "Your rights: see or correct your information, or withdraw consent (past "
        "applications are not affected). Ask at a window or call 12345.",
    "您的申请正在加密保存并上报政务服务平台，请不要离开。":
        "Your application is being encrypted, stored and sent. Please stay.",
    "您还在办理吗？": "Are you still there?",
    "我单独同意处理我的敏感个人信息（身份证件号码等），仅用于本次办理。":
        "I separately consent to the processing of my sensitive information (ID number "
        "etc.) for this application only.",
    "我已知晓并单独同意：采集我的人脸图像，仅用于本次办理的身份核验。断网时人脸信息加密保存，联网后由政务服务平台核验（状态显示为“待核验”）。":
        "I separately consent to a picture of my face being taken, only to verify my "
        "identity for this application. Offline it is kept encrypted and checked by the "
        "platform later (\u201cpending verification\u201d).",
    "我已记下，下一步": "Noted, next",
    "我已阅读并同意上述个人信息处理规则。": "I have read and agree to the above.",
    "打印A4受理通知书": "Print A4 notice",
    "保存到手机": "Save to phone",
    "请用手机扫码下载受理通知书（24小时内有效）":
        "Scan with your phone to download the notice (valid for 24 hours)",
    "通知书上的姓名和证件号已作遮挡处理；链接过期后请凭编号在本机“办件查询”。":
        "Name and ID number on the notice are masked. After the link expires, use the "
        "number in \"Application status\" on this kiosk.",
    "打印回执": "Print receipt",
    "打开电子证照或预约二维码，对准摄像头":
        "Show your e-licence or appointment QR code to the camera",
    "扫描回执二维码": "Scan receipt QR",
    "拍摄：%1": "Photograph: %1",
    "按情况提交": "If applicable",
    "按部门办理": "By department",
    "提交评价": "Send",
    "搜索办事事项": "Search services",
    "收费标准：": "Fee: ",
    "政务服务自助终端": "Government Services Kiosk",
    "断网时可受理": "Accepted offline",
    "%1日": "%1",
    "暂不可办理：": "Not available now: ",
    "暂无可办理的事项": "No services here yet",
    "%1月": "%1",
    "本机记录（暂未连上平台）　·　最后更新时间 ":
        "Kiosk record (platform not reached) · last updated ",
    "材料已备齐？现在就可以在本机申请。": "Documents ready? Apply here now.",
    "来自政务服务平台　·　更新时间 ": "From the platform · updated ",
    "来自证件": "From your card",
    "来自证件，不可修改": "From your card, fixed",
    "查看": "Show",
    "查询": "Search",
    "标准版": "Standard",
    "模拟插入社保卡": "Demo: insert SSC",
    "模拟放置身份证": "Demo: place ID",
    "正在呼叫工作人员…": "Calling staff…",
    "正在打开高拍仪…": "Opening the document camera…",
    "正在提交，请稍候…": "Submitting…",
    "没有打印出来": "No",
    "没有找到“%1”相关的事项。可换个说法，或按部门查找。":
        "Nothing found for \u201c%1\u201d. Try other words or browse by department.",
    "点此修改": "Tap to change",
    "点此选择日期": "Tap to pick a date",
    "热门事项": "Popular",
    "用手机扫描二维码或拍照记下编号，凭编号或身份证可在本机“办件查询”。":
        "Scan the QR code or take a photo of the number; check the status here with it or "
        "your ID card.",
    "用来做什么：只用于办理您本次申请的事项，不做其他用途。":
        "Why: only to handle this application, nothing else.",
    "申请已提交": "Application submitted",
    "申请材料": "Documents",
    "确定": "OK",
    "确认提交": "Submit",
    "确认，下一步": "Confirm",
    "离线受理中": "Offline mode",
    "离线受理：": "Offline acceptance: ",
    "答：": "A: ",
    "终端编号 %1　·　请勿将身份证遗留在设备上":
        "Kiosk %1 · do not leave your ID card behind",
    "结束办理": "End now",
    "结果领取：": "Results: ",
    "继续办理": "Continue",
    "联网时可调取“%1”，当前离线暂不可用": "\u201c%1\u201d can be fetched when online",
    "联网时可调取电子证照：": "E-licence when online: ",
    "认证异常": "Auth error",
    "设定依据": "Legal basis",
    "证件号码": "ID number",
    "证件已取回，信息已保留。": "Card taken back; your details are kept.",
    "证件已读取，您可以取回证件。": "Card read; you can take it back.",
    "该事项暂不能在本机受理，请看上方说明。": "Not available on this kiosk now (see above).",
    "该事项需要核验是否为本人办理。人脸信息仅用于本次身份核验，核验完成后即删除。":
        "This service checks that you are applying in person. Your face is used only for "
        "this check and deleted afterwards.",
    "请仔细阅读，勾选同意后继续。": "Please read, then tick to continue.",
    "请使用下列任一方式核验身份。证件读取后可以取回。":
        "Identify in one of these ways. You can take the card back after it is read.",
    "请出示证件": "Show your ID",
    "请到大厅服务台寻求帮助，或拨打12345政务服务便民热线。":
        "Please ask at the service desk or call the 12345 hotline.",
    "请取回您的证件": "Take your ID card",
    "请在下方框内签名": "Sign in the box",
    "请在出纸口取走回执，上面有受理编号和查询二维码。":
        "Take the receipt from the slot: it has your number and a QR code.",
    "请在本机旁稍候，您已填写的内容都会保留。":
        "Please wait here; everything you entered is kept.",
    "请填写申请信息": "Fill in the form",
    "请您对本次服务进行评价": "Rate this service",
    "请核对您的身份信息": "Check your identity",
    "请核对申请信息": "Check your application",
    "请正对屏幕，摘下帽子和口罩": "Face the screen; remove hat and mask",
    "请用手指书写您的姓名，签名将与申请一并加密保存。":
        "Write your name with a finger; it is stored encrypted with the application.",
    "请确认照片清晰完整。": "Is the photo sharp and complete?",
    "请确认申请材料": "Your documents",
    "请记下您的受理编号": "Note your number",
    "请选择日期": "Pick a date",
    "谁在处理：受理本事项的政府部门，通过本机和政务服务平台处理您的信息。":
        "Who: the department handling this service, through this kiosk and the "
        "government service platform.",
    "跳过": "Skip",
    "身份核验：": "Identify with: ",
    "轻触屏幕　开始办理": "Touch to start",
    "输入回执上的受理编号或办件编号，或将身份证放在阅读区。":
        "Enter the number on your receipt, or place your ID card on the reader.",
    "输入汉字、拼音或首字母": "Hanzi, pinyin or initials",
    "返回": "Back",
    "返回修改": "Edit",
    "返回继续办理": "Back to my application",
    "还有 %1 项需要修改，请查看红色提示。": "%1 fields need attention (in red).",
    "连接中": "Connecting",
    "适用情形：": "When: ",
    "采集完成 ✓（待核验）": "Captured ✓ (pending verification)",
    "重拍": "Retake",
    "重新拍摄": "Retake",
    "重新签名": "Clear",
    "重新采集": "Retake",
    "长辈版": "Large text",
    "问：": "Q: ",
    "隐藏": "Hide",
    "需人脸核验": "Face check",
    "需联网办理": "Needs network",
    "需要帮助？工作人员马上来": "Need help? Staff will come",
    "首页": "Home",
    # identification by QR code and e-licences (issue 6)
    "信息已由政务服务平台核验，仅显示部分内容以保护您的隐私。":
        "Checked by the government service platform; only part is shown to protect your "
        "privacy.",
    "身份已由政务服务平台核验，二维码已失效。":
        "Your identity was checked by the platform; the QR code is now used up.",
    "扫码核验": "Scan QR code",
    "扫码核验身份": "Identify with a QR code",
    "模拟出示电子身份证二维码": "Demo: show e-ID QR",
    "二维码只含一次性核验码，不含个人信息；核验后即失效。":
        "The QR code holds a one-time code, no personal data; it is used up once checked.",
    "正在打开摄像头…": "Opening the camera…",
    "正在从政务服务平台调取电子证照…": "Fetching the e-licence from the platform…",
    "✓ 已调取电子证照（A级，无需提交纸质材料）":
        "✓ E-licence fetched (level A, no paper needed)",
    "证照编号：%1": "Licence no.: %1",
    "签发机关：%1": "Issued by: %1",
    "（按情况提交）": " (if applicable)",
    "（选填）": " (optional)",
    # -- maintenance mode (Maint*.qml): technicians, Chinese first ---------------------
    "%1（%2 个文件，%3）": "%1 (%2 files, %3)",
    "　已保存：%1（需要重启生效）": "  Saved: %1 (restart to apply)",
    "上报失败的项目": "Dead letters",
    "为保护个人信息，读卡结果只显示部分内容，且不会保存。":
        "To protect personal data only part of the card is shown, and nothing is kept.",
    "事项数": "Services",
    "人像摄像头": "Face camera",
    "保存": "Save",
    "修改设置": "Settings",
    "停止预览": "Stop",
    "全部自检": "Test all",
    "其中": "Of which",
    "刷新": "Refresh",
    "刷新状态": "Refresh",
    "刷新目录": "Refresh catalogue",
    "动态验证码": "One-time code",
    "在用目录版本": "Catalogue in use",
    "大小": "Size",
    "审计": "Audit",
    "审计链校验": "Audit chain",
    "导出": "Export",
    "导出位置": "Target drive",
    "导出就绪报告": "Readiness report",
    "导出待上报数据": "Export the queue",
    "导出文件已签名并加密，只有政务服务平台能读取；本机数据不会删除，仍会照常上报。":
        "The file is signed and encrypted for the platform only; nothing is removed here "
        "and delivery goes on as usual.",
    "导出日志": "Export logs",
    "导出日志与就绪报告": "Logs and readiness report",
    "尚未自检。点“全部自检”检查读卡器、打印机和摄像头。":
        "Not tested yet. Tap \u201cTest all\u201d to check readers, printers and cameras.",
    "就绪报告": "Readiness report",
    "工号 + 动态验证码": "ID + one-time code",
    "已检测到卡片，请输入密码后登录。": "Card detected. Enter your PIN to log in.",
    "帧率 / 清晰度": "Frame rate / sharpness",
    "开始导出": "Export",
    "当前生效的配置": "Effective configuration",
    "当前：%1": "Now: %1",
    "打印A4测试页": "A4 test page",
    "打印回执测试页": "Receipt test page",
    "打印机": "Printers",
    "按状态：": "By state:",
    "排队数据量": "Queued data",
    "摄像头": "Cameras",
    "文件": "File",
    "日志": "Logs",
    "日志与报告": "Logs",
    "日志已去除个人信息。就绪报告（PDF）包含设备自检结果、链路、队列、版本和磁盘空间。":
        "Logs carry no personal data. The readiness report (PDF) has the device self-tests, "
        "link, queue, versions and free disk.",
    "最早未上报": "Oldest undelivered",
    "最近的审计记录": "Latest audit entries",
    "最近联系": "Last contact",
    "最近错误": "Last error",
    "服务目录与版本": "Catalogue and versions",
    "未检测到U盘。请插入U盘后点“刷新”。":
        "No USB drive found. Insert one and tap \u201cRefresh\u201d.",
    "未通过": "Failed",
    "未配置": "Not configured",
    "本机未启用同步。": "Sync is not enabled on this kiosk.",
    "本机缓存版本": "Cached catalogue",
    "校验审计链": "Verify",
    "校验通过：%1（共 %2 条）": "Verified: %1 (%2 entries)",
    "模拟插入维护人员卡": "Demo: technician card",
    "模拟放置证件": "Demo: place cards",
    "没有上报失败的项目。": "No dead letters.",
    "清晰度为拉普拉斯方差：对焦或擦拭镜头后数值应明显升高。":
        "Sharpness is the variance of the Laplacian: it should rise clearly after focusing "
        "or cleaning the lens.",
    "状态": "State",
    "申请 %1 · 事件 %2 · 附件 %3": "%1 applications · %2 events · %3 attachments",
    "目录与配置": "Catalogue",
    "程序版本": "App version",
    "立即同步": "Sync now",
    "签发时间": "Issued at",
    "维护人员卡": "Technician card",
    "维护模式 · %1": "Maintenance · %1",
    "维护模式登录": "Maintenance log-in",
    "设备": "Devices",
    "设备自检": "Self-test",
    "请将维护人员卡插入读卡器，然后输入密码。": "Insert the technician card, then enter the PIN.",
    "读卡测试": "Card read",
    "读社保卡": "Social security card",
    "读身份证": "ID card",
    "退出维护": "Exit",
    "退格": "Delete",
    "通过": "Passed",
    "配置文件": "Config file",
    "重试失败项": "Retry dead letters",
    "链路": "Link",
    "链路与队列": "Link & queue",
    "队列": "Queue",
    "项目数": "Items",
    "高拍仪": "Document camera",
    "（%1前）": " (%1 ago)",
}


def update(ts: Path = HERE / "kiosk_en.ts") -> int:
    """Refresh the .ts from the QML and fill in EN; returns the number left unfinished."""
    qml = [str(QML / "Main.qml"), *sorted(str(p) for p in (QML / "Kiosk").glob("*.qml"))]
    subprocess.run([str(Path(sys.executable).parent / "pyside6-lupdate"), *qml, "-ts", str(ts),
                    "-source-language", "zh_CN", "-target-language", "en", "-no-obsolete"],
                   check=True, capture_output=True)
    tree = ET.parse(ts)
    missing = 0
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        if source in EN:
            translation.text = EN[source]
            translation.attrib.pop("type", None)
        else:
            translation.text = ""
            translation.set("type", "unfinished")
            missing += 1
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return missing


if __name__ == "__main__":
    left = update()
    print(f"kiosk_en.ts updated; {left} string(s) without an English translation")
    sys.exit(0)
