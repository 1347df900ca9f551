<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>AttractScreen</name>
    <message>
        <location filename="../qml/Kiosk/AttractScreen.qml" line="48" />
        <source>政务服务自助终端</source>
        <translation>Government Services Kiosk</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/AttractScreen.qml" line="65" />
        <source>一网通办　·　就近可办　·　断网也能受理</source>
        <translation>One-stop services · close to you · even when offline</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/AttractScreen.qml" line="80" />
        <source>轻触屏幕　开始办理</source>
        <translation>Touch to start</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/AttractScreen.qml" line="105" />
        <source>长辈版</source>
        <translation>Large text</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/AttractScreen.qml" line="133" />
        <source>终端编号 %1　·　请勿将身份证遗留在设备上</source>
        <translation>Kiosk %1 · do not leave your ID card behind</translation>
    </message>
</context>
<context>
    <name>ConsentScreen</name>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="9" />
        <source>个人信息处理告知</source>
        <translation>How we use your personal information</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="10" />
        <source>请仔细阅读，勾选同意后继续。</source>
        <translation>Please read, then tick to continue.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="27" />
        <source>谁在处理：受理本事项的政府部门，通过本机和政务服务平台处理您的信息。</source>
        <translation>Who: the department handling this service, through this kiosk and the government service platform.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="28" />
        <source>处理什么：证件上的姓名、证件号码等，以及您填写的信息、材料和签名。</source>
        <translation>What: the name and number on your card, what you enter, your documents and your signature.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="29" />
        <source>用来做什么：只用于办理您本次申请的事项，不做其他用途。</source>
        <translation>Why: only to handle this application, nothing else.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="30" />
        <source>怎么保护：信息在本机加密保存，上报平台后即从本机删除；屏幕和回执只显示部分内容。</source>
        <translation>Protection: encrypted on this kiosk and deleted once the platform has it; screens and receipts show only part of it.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="31" />
        <source>保存多久：按政务服务档案管理规定保存。</source>
        <translation>How long: as the rules for government service records require.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="32" />
        <source>您的权利：可查阅、更正您的信息，或撤回同意（撤回不影响已办理的事项），可到窗口或拨打12345咨询。</source>
        <translation>Your rights: see or correct your information, or withdraw consent (past applications are not affected). Ask at a window or call 12345.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="51" />
        <source>我已阅读并同意上述个人信息处理规则。</source>
        <translation>I have read and agree to the above.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="57" />
        <source>我单独同意处理我的敏感个人信息（身份证件号码等），仅用于本次办理。</source>
        <translation>I separately consent to the processing of my sensitive information (ID number etc.) for this application only.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="64" />
        <source>告知承诺：我承诺选择“告知承诺”的材料内容真实有效，如有不实，愿意承担相应法律责任。</source>
        <translation>Commitment: I declare that the documents I chose to self-declare are true, and I accept legal responsibility if they are not.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ConsentScreen.qml" line="68" />
        <source>人脸信息已按您在上一步的单独同意采集。</source>
        <translation>Your face was captured with your separate consent in the previous step.</translation>
    </message>
</context>
<context>
    <name>CountdownOverlay</name>
    <message>
        <location filename="../qml/Kiosk/CountdownOverlay.qml" line="31" />
        <source>您还在办理吗？</source>
        <translation>Are you still there?</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/CountdownOverlay.qml" line="31" />
        <source>社保卡已拔出</source>
        <translation>Your card was taken out</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/CountdownOverlay.qml" line="51" />
        <source>请在 %1 秒内重新插入社保卡继续办理，否则将结束办理并清除您的全部信息。</source>
        <translation>Put your card back within %1 s to continue, or this session ends and everything you entered is erased.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/CountdownOverlay.qml" line="52" />
        <source>%1 秒后将返回首页，并清除您填写的全部信息。</source>
        <translation>In %1 s this session ends and everything you entered is erased.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/CountdownOverlay.qml" line="72" />
        <source>继续办理</source>
        <translation>Continue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/CountdownOverlay.qml" line="73" />
        <source>结束办理</source>
        <translation>End now</translation>
    </message>
</context>
<context>
    <name>DatePicker</name>
    <message>
        <location filename="../qml/Kiosk/DatePicker.qml" line="54" />
        <source>请选择日期</source>
        <translation>Pick a date</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/DatePicker.qml" line="66" />
        <source>%1年</source>
        <translation>%1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/DatePicker.qml" line="77" />
        <source>%1月</source>
        <translation>%1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/DatePicker.qml" line="88" />
        <source>%1日</source>
        <translation>%1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/DatePicker.qml" line="100" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/DatePicker.qml" line="102" />
        <source>确定</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>FaceScreen</name>
    <message>
        <location filename="../qml/Kiosk/FaceScreen.qml" line="9" />
        <source>人脸采集</source>
        <translation>Face capture</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FaceScreen.qml" line="10" />
        <source>该事项需要核验是否为本人办理。人脸信息仅用于本次身份核验，核验完成后即删除。</source>
        <translation>This service checks that you are applying in person. Your face is used only for this check and deleted afterwards.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FaceScreen.qml" line="17" />
        <source>我已知晓并单独同意：采集我的人脸图像，仅用于本次办理的身份核验。断网时人脸信息加密保存，联网后由政务服务平台核验（状态显示为“待核验”）。</source>
        <translation>I separately consent to a picture of my face being taken, only to verify my identity for this application. Offline it is kept encrypted and checked by the platform later (“pending verification”).</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FaceScreen.qml" line="79" />
        <source>采集完成 ✓（待核验）</source>
        <translation>Captured ✓ (pending verification)</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FaceScreen.qml" line="81" />
        <source>请正对屏幕，摘下帽子和口罩</source>
        <translation>Face the screen; remove hat and mask</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FaceScreen.qml" line="82" />
        <source>人脸采集设备暂不可用</source>
        <translation>Face camera unavailable</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FaceScreen.qml" line="98" />
        <source>开始采集</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FaceScreen.qml" line="104" />
        <source>重新采集</source>
        <translation>Retake</translation>
    </message>
</context>
<context>
    <name>FarewellScreen</name>
    <message>
        <location filename="../qml/Kiosk/FarewellScreen.qml" line="30" />
        <source>请取回您的证件</source>
        <translation>Take your ID card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FarewellScreen.qml" line="40" />
        <source>以及您的回执。感谢您的使用！
离开后，本机将清除您的全部信息。</source>
        <translation>and your receipt. Thank you!
When you leave, everything about you is erased.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FarewellScreen.qml" line="49" />
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>FieldEditor</name>
    <message>
        <location filename="../qml/Kiosk/FieldEditor.qml" line="36" />
        <source>（选填）</source>
        <translation> (optional)</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FieldEditor.qml" line="60" />
        <source>需补正</source>
        <translation>Needs correction</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FieldEditor.qml" line="76" />
        <source>来自证件，不可修改</source>
        <translation>From your card, fixed</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FieldEditor.qml" line="76" />
        <source>来自证件</source>
        <translation>From your card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FieldEditor.qml" line="158" />
        <source>点此选择日期</source>
        <translation>Tap to pick a date</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FieldEditor.qml" line="159" />
        <source>点此修改</source>
        <translation>Tap to change</translation>
    </message>
</context>
<context>
    <name>FormScreen</name>
    <message>
        <location filename="../qml/Kiosk/FormScreen.qml" line="10" />
        <source>请填写申请信息</source>
        <translation>Fill in the form</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FormScreen.qml" line="11" />
        <source>带 * 的为必填项。来自证件的信息已自动填好。</source>
        <translation>Fields with * are required. Details from your card are filled in.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/FormScreen.qml" line="38" />
        <source>还有 %1 项需要修改，请查看红色提示。</source>
        <translation>%1 fields need attention (in red).</translation>
    </message>
</context>
<context>
    <name>GuideScreen</name>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="87" />
        <source>事项编码 %1</source>
        <translation>Code %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="89" />
        <source>断网时可受理</source>
        <translation>Accepted offline</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="89" />
        <source>需联网办理</source>
        <translation>Needs network</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="93" />
        <source>需人脸核验</source>
        <translation>Face check</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="109" />
        <source>离线受理：</source>
        <translation>Offline acceptance: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="109" />
        <source>暂不可办理：</source>
        <translation>Not available now: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="127" />
        <source>申请材料</source>
        <translation>Documents</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="145" />
        <source>必交</source>
        <translation>Required</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="145" />
        <source>按情况提交</source>
        <translation>If applicable</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="154" />
        <source>适用情形：</source>
        <translation>When: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="166" />
        <source>联网时可调取电子证照：</source>
        <translation>E-licence when online: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="175" />
        <source>办理条件</source>
        <translation>Who can apply</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="190" />
        <source>办理时限与收费</source>
        <translation>Time limit and fee</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="191" />
        <source>办理时限：</source>
        <translation>Time limit: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="192" />
        <source>收费标准：</source>
        <translation>Fee: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="193" />
        <source>身份核验：</source>
        <translation>Identify with: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="197" />
        <source>办理渠道与结果领取</source>
        <translation>Channels and results</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="198" />
        <source>办理渠道：</source>
        <translation>Channels: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="199" />
        <source>结果领取：</source>
        <translation>Results: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="203" />
        <source>设定依据</source>
        <translation>Legal basis</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="211" />
        <source>常见问题</source>
        <translation>FAQ</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="219" />
        <source>问：</source>
        <translation>Q: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="220" />
        <source>答：</source>
        <translation>A: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="243" />
        <source>材料已备齐？现在就可以在本机申请。</source>
        <translation>Documents ready? Apply here now.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="244" />
        <source>该事项暂不能在本机受理，请看上方说明。</source>
        <translation>Not available on this kiosk now (see above).</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/GuideScreen.qml" line="257" />
        <source>开始办理</source>
        <translation>Apply now</translation>
    </message>
</context>
<context>
    <name>HeaderBar</name>
    <message>
        <location filename="../qml/Kiosk/HeaderBar.qml" line="45" />
        <source>政务服务自助终端</source>
        <translation>Government Services Kiosk</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HeaderBar.qml" line="58" />
        <source>　[演示模式]</source>
        <translation>  [demo]</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HeaderBar.qml" line="95" />
        <source>一键呼叫</source>
        <translation>Call staff</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HeaderBar.qml" line="95" />
        <source>呼叫</source>
        <translation>Help</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HeaderBar.qml" line="136" />
        <source>在线</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HeaderBar.qml" line="137" />
        <source>离线受理中</source>
        <translation>Offline mode</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HeaderBar.qml" line="137" />
        <source>认证异常</source>
        <translation>Auth error</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HeaderBar.qml" line="138" />
        <source>连接中</source>
        <translation>Connecting</translation>
    </message>
</context>
<context>
    <name>HelpScreen</name>
    <message>
        <location filename="../qml/Kiosk/HelpScreen.qml" line="30" />
        <source>呼叫没有发出</source>
        <translation>The call did not go out</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HelpScreen.qml" line="31" />
        <source>工作人员马上就到</source>
        <translation>Staff are on their way</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HelpScreen.qml" line="32" />
        <source>正在呼叫工作人员…</source>
        <translation>Calling staff…</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HelpScreen.qml" line="42" />
        <source>请到大厅服务台寻求帮助，或拨打12345政务服务便民热线。</source>
        <translation>Please ask at the service desk or call the 12345 hotline.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HelpScreen.qml" line="43" />
        <source>请在本机旁稍候，您已填写的内容都会保留。</source>
        <translation>Please wait here; everything you entered is kept.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HelpScreen.qml" line="51" />
        <source>返回继续办理</source>
        <translation>Back to my application</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HelpScreen.qml" line="60" />
        <source>本机办件</source>
        <translation>Terminal queue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HelpScreen.qml" line="60" />
        <source>工作人员登录</source>
        <translation>Staff log-in</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="46" />
        <source>搜索办事事项</source>
        <translation>Search services</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="53" />
        <source>可输入汉字、拼音或首字母，如“户口”“hukou”“hkqc”</source>
        <translation>Hanzi, pinyin or initials, e.g. “户口” “hukou” “hkqc”</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="70" />
        <source>办件查询</source>
        <translation>Application status</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="70" />
        <source>凭回执编号或身份证查进度</source>
        <translation>Track with your receipt or ID card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="71" />
        <source>一键呼叫</source>
        <translation>Call staff</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="71" />
        <source>需要帮助？工作人员马上来</source>
        <translation>Need help? Staff will come</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="137" />
        <source>按部门办理</source>
        <translation>By department</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="183" />
        <source>一件事一次办</source>
        <translation>Life events</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="219" />
        <source>%1 个事项，一次申请</source>
        <translation>%1 services, one application</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/HomeScreen.qml" line="238" />
        <source>热门事项</source>
        <translation>Popular</translation>
    </message>
</context>
<context>
    <name>IdentifyScreen</name>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="11" />
        <source>请核对您的身份信息</source>
        <translation>Check your identity</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="11" />
        <source>请出示证件</source>
        <translation>Show your ID</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="12" />
        <source>信息已由政务服务平台核验，仅显示部分内容以保护您的隐私。</source>
        <translation>Checked by the government service platform; only part is shown to protect your privacy.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="13" />
        <source>信息已由证件读取，仅显示部分内容以保护您的隐私。</source>
        <translation>Read from your card; only part is shown to protect your privacy.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="14" />
        <source>请使用下列任一方式核验身份。证件读取后可以取回。</source>
        <translation>Identify in one of these ways. You can take the card back after it is read.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="15" />
        <source>确认，下一步</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="17" />
        <source>使用其他证件</source>
        <translation>Another card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="51" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="53" />
        <source>证件号码</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="70" />
        <source>证件已读取，您可以取回证件。</source>
        <translation>Card read; you can take it back.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="70" />
        <source>证件已取回，信息已保留。</source>
        <translation>Card taken back; your details are kept.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="79" />
        <source>身份已由政务服务平台核验，二维码已失效。</source>
        <translation>Your identity was checked by the platform; the QR code is now used up.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="128" />
        <source>将身份证平放在屏幕下方的阅读区，听到提示音后即可取回</source>
        <translation>Lay the ID card flat on the reader below the screen; take it back after the beep</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="129" />
        <source>将社保卡芯片朝上插入读卡口，读取完成前请勿拔出</source>
        <translation>Insert the card chip up; do not pull it out until it has been read</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="130" />
        <source>打开电子证照或预约二维码，对准摄像头</source>
        <translation>Show your e-licence or appointment QR code to the camera</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="139" />
        <source>扫码核验</source>
        <translation>Scan QR code</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="150" />
        <source>如证件已放在阅读区但没有反应，请取下后重新放置。</source>
        <translation>If the card is on the reader but nothing happens, lift it and place it again.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="162" />
        <source>模拟放置身份证</source>
        <translation>Demo: place ID</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="163" />
        <source>模拟插入社保卡</source>
        <translation>Demo: insert SSC</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="164" />
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="233" />
        <source>模拟出示电子身份证二维码</source>
        <translation>Demo: show e-ID QR</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="181" />
        <source>扫码核验身份</source>
        <translation>Identify with a QR code</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="199" />
        <source>二维码只含一次性核验码，不含个人信息；核验后即失效。</source>
        <translation>The QR code holds a one-time code, no personal data; it is used up once checked.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="222" />
        <source>正在打开摄像头…</source>
        <translation>Opening the camera…</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/IdentifyScreen.qml" line="232" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../qml/Main.qml" line="18" />
        <source>政务服务自助终端</source>
        <translation>Government Services Kiosk</translation>
    </message>
</context>
<context>
    <name>MaintAudit</name>
    <message>
        <location filename="../qml/Kiosk/MaintAudit.qml" line="13" />
        <source>审计链校验</source>
        <translation>Audit chain</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintAudit.qml" line="16" />
        <source>校验审计链</source>
        <translation>Verify</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintAudit.qml" line="22" />
        <source>校验通过：%1（共 %2 条）</source>
        <translation>Verified: %1 (%2 entries)</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintAudit.qml" line="29" />
        <source>最近的审计记录</source>
        <translation>Latest audit entries</translation>
    </message>
</context>
<context>
    <name>MaintConfig</name>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="15" />
        <source>服务目录与版本</source>
        <translation>Catalogue and versions</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="17" />
        <source>在用目录版本</source>
        <translation>Catalogue in use</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="18" />
        <source>签发时间</source>
        <translation>Issued at</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="19" />
        <source>本机缓存版本</source>
        <translation>Cached catalogue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="20" />
        <source>事项数</source>
        <translation>Services</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="21" />
        <source>程序版本</source>
        <translation>App version</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="22" />
        <source>配置文件</source>
        <translation>Config file</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="24" />
        <source>刷新目录</source>
        <translation>Refresh catalogue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="32" />
        <source>修改设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="52" />
        <source>当前：%1</source>
        <translation>Now: %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="54" />
        <source>　已保存：%1（需要重启生效）</source>
        <translation>  Saved: %1 (restart to apply)</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="82" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintConfig.qml" line="93" />
        <source>当前生效的配置</source>
        <translation>Effective configuration</translation>
    </message>
</context>
<context>
    <name>MaintDevices</name>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="12" />
        <source>设备自检</source>
        <translation>Self-test</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="15" />
        <source>全部自检</source>
        <translation>Test all</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="23" />
        <source>尚未自检。点“全部自检”检查读卡器、打印机和摄像头。</source>
        <translation>Not tested yet. Tap “Test all” to check readers, printers and cameras.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="38" />
        <source>通过</source>
        <translation>Passed</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="39" />
        <source>未配置</source>
        <translation>Not configured</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="39" />
        <source>未通过</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="56" />
        <source>打印机</source>
        <translation>Printers</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="72" />
        <source>打印回执测试页</source>
        <translation>Receipt test page</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="79" />
        <source>打印A4测试页</source>
        <translation>A4 test page</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="86" />
        <source>刷新状态</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="94" />
        <source>读卡测试</source>
        <translation>Card read</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="101" />
        <source>读身份证</source>
        <translation>ID card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="108" />
        <source>读社保卡</source>
        <translation>Social security card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="116" />
        <source>模拟放置证件</source>
        <translation>Demo: place cards</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="131" />
        <source>为保护个人信息，读卡结果只显示部分内容，且不会保存。</source>
        <translation>To protect personal data only part of the card is shown, and nothing is kept.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="140" />
        <source>摄像头</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="147" />
        <source>人像摄像头</source>
        <translation>Face camera</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="153" />
        <source>高拍仪</source>
        <translation>Document camera</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="160" />
        <source>停止预览</source>
        <translation>Stop</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="183" />
        <source>帧率 / 清晰度</source>
        <translation>Frame rate / sharpness</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintDevices.qml" line="189" />
        <source>清晰度为拉普拉斯方差：对焦或擦拭镜头后数值应明显升高。</source>
        <translation>Sharpness is the variance of the Laplacian: it should rise clearly after focusing or cleaning the lens.</translation>
    </message>
</context>
<context>
    <name>MaintExport</name>
    <message>
        <location filename="../qml/Kiosk/MaintExport.qml" line="14" />
        <source>导出待上报数据</source>
        <translation>Export the queue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintExport.qml" line="18" />
        <source>导出文件已签名并加密，只有政务服务平台能读取；本机数据不会删除，仍会照常上报。</source>
        <translation>The file is signed and encrypted for the platform only; nothing is removed here and delivery goes on as usual.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintExport.qml" line="25" />
        <source>开始导出</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintExport.qml" line="38" />
        <source>文件</source>
        <translation>File</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintExport.qml" line="39" />
        <source>项目数</source>
        <translation>Items</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintExport.qml" line="41" />
        <source>其中</source>
        <translation>Of which</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintExport.qml" line="42" />
        <source>申请 %1 · 事件 %2 · 附件 %3</source>
        <translation>%1 applications · %2 events · %3 attachments</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintExport.qml" line="45" />
        <source>大小</source>
        <translation>Size</translation>
    </message>
</context>
<context>
    <name>MaintKeypad</name>
    <message>
        <location filename="../qml/Kiosk/MaintKeypad.qml" line="38" />
        <source>清空</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintKeypad.qml" line="38" />
        <source>退格</source>
        <translation>Delete</translation>
    </message>
</context>
<context>
    <name>MaintLayer</name>
    <message>
        <location filename="../qml/Kiosk/MaintLayer.qml" line="33" />
        <source>维护模式 · %1</source>
        <translation>Maintenance · %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLayer.qml" line="51" />
        <source>退出维护</source>
        <translation>Exit</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLayer.qml" line="64" />
        <source>设备</source>
        <translation>Devices</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLayer.qml" line="65" />
        <source>链路与队列</source>
        <translation>Link &amp; queue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLayer.qml" line="66" />
        <source>导出</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLayer.qml" line="67" />
        <source>目录与配置</source>
        <translation>Catalogue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLayer.qml" line="68" />
        <source>日志与报告</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLayer.qml" line="69" />
        <source>审计</source>
        <translation>Audit</translation>
    </message>
</context>
<context>
    <name>MaintLogin</name>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="22" />
        <source>维护模式登录</source>
        <translation>Maintenance log-in</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="40" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="61" />
        <source>维护人员卡</source>
        <translation>Technician card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="68" />
        <source>工号 + 动态验证码</source>
        <translation>ID + one-time code</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="76" />
        <source>已检测到卡片，请输入密码后登录。</source>
        <translation>Card detected. Enter your PIN to log in.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="77" />
        <source>请将维护人员卡插入读卡器，然后输入密码。</source>
        <translation>Insert the technician card, then enter the PIN.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="86" />
        <source>模拟插入维护人员卡</source>
        <translation>Demo: technician card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="92" />
        <source>工号</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="93" />
        <source>动态验证码</source>
        <translation>One-time code</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="94" />
        <location filename="../qml/Kiosk/MaintLogin.qml" line="95" />
        <source>密码</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogin.qml" line="141" />
        <source>登录</source>
        <translation>Log in</translation>
    </message>
</context>
<context>
    <name>MaintLogs</name>
    <message>
        <location filename="../qml/Kiosk/MaintLogs.qml" line="15" />
        <source>导出日志与就绪报告</source>
        <translation>Logs and readiness report</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogs.qml" line="19" />
        <source>日志已去除个人信息。就绪报告（PDF）包含设备自检结果、链路、队列、版本和磁盘空间。</source>
        <translation>Logs carry no personal data. The readiness report (PDF) has the device self-tests, link, queue, versions and free disk.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogs.qml" line="29" />
        <source>导出日志</source>
        <translation>Export logs</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogs.qml" line="35" />
        <source>导出就绪报告</source>
        <translation>Readiness report</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogs.qml" line="43" />
        <source>日志</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogs.qml" line="44" />
        <source>%1（%2 个文件，%3）</source>
        <translation>%1 (%2 files, %3)</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintLogs.qml" line="49" />
        <source>就绪报告</source>
        <translation>Readiness report</translation>
    </message>
</context>
<context>
    <name>MaintQueue</name>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="13" />
        <source>本机未启用同步。</source>
        <translation>Sync is not enabled on this kiosk.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="19" />
        <source>链路</source>
        <translation>Link</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="22" />
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="27" />
        <source>最近联系</source>
        <translation>Last contact</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="28" />
        <source>（%1前）</source>
        <translation> (%1 ago)</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="32" />
        <source>最近错误</source>
        <translation>Last error</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="40" />
        <source>队列</source>
        <translation>Queue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="42" />
        <source>待上报</source>
        <translation>Not sent</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="43" />
        <source>最早未上报</source>
        <translation>Oldest undelivered</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="44" />
        <source>排队数据量</source>
        <translation>Queued data</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="46" />
        <source>上报失败</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="52" />
        <source>按状态：</source>
        <translation>By state:</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="69" />
        <source>立即同步</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="76" />
        <source>重试失败项</source>
        <translation>Retry dead letters</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="83" />
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="92" />
        <source>上报失败的项目</source>
        <translation>Dead letters</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintQueue.qml" line="98" />
        <source>没有上报失败的项目。</source>
        <translation>No dead letters.</translation>
    </message>
</context>
<context>
    <name>MaintTargets</name>
    <message>
        <location filename="../qml/Kiosk/MaintTargets.qml" line="9" />
        <source>导出位置</source>
        <translation>Target drive</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintTargets.qml" line="14" />
        <source>未检测到U盘。请插入U盘后点“刷新”。</source>
        <translation>No USB drive found. Insert one and tap “Refresh”.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaintTargets.qml" line="61" />
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
</context>
<context>
    <name>MaterialsScreen</name>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="11" />
        <source>请确认申请材料</source>
        <translation>Your documents</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="12" />
        <source>可在线调取的电子证照无需再提交纸质材料。</source>
        <translation>Electronic licences fetched online replace the paper documents.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="13" />
        <source>当前离线：电子证照暂不能调取，可先提交申请，原件到窗口核验。</source>
        <translation>Offline: e-licences cannot be fetched now. Apply anyway and show the originals at the window.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="38" />
        <source>（按情况提交）</source>
        <translation> (if applicable)</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="48" />
        <source>需补正：平台要求补交此材料</source>
        <translation>To correct: the platform asks for this material</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="58" />
        <source>适用情形：</source>
        <translation>When: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="104" />
        <source>已拍照，原件请到窗口核验</source>
        <translation>Photographed; show the original at the window</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="113" />
        <source>重新拍摄</source>
        <translation>Retake</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="121" />
        <source>正在从政务服务平台调取电子证照…</source>
        <translation>Fetching the e-licence from the platform…</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="133" />
        <source>✓ 已调取电子证照（A级，无需提交纸质材料）</source>
        <translation>✓ E-licence fetched (level A, no paper needed)</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="142" />
        <source>证照编号：%1</source>
        <translation>Licence no.: %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="150" />
        <source>签发机关：%1</source>
        <translation>Issued by: %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="169" />
        <source>联网时可调取“%1”，当前离线暂不可用</source>
        <translation>“%1” can be fetched when online</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="193" />
        <source>拍摄：%1</source>
        <translation>Photograph: %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="202" />
        <source>请确认照片清晰完整。</source>
        <translation>Is the photo sharp and complete?</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="258" />
        <source>正在打开高拍仪…</source>
        <translation>Opening the document camera…</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="268" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="269" />
        <source>重拍</source>
        <translation>Retake</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/MaterialsScreen.qml" line="270" />
        <source>使用这张</source>
        <translation>Use it</translation>
    </message>
</context>
<context>
    <name>NavBar</name>
    <message>
        <location filename="../qml/Kiosk/NavBar.qml" line="27" />
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/NavBar.qml" line="34" />
        <source>首页</source>
        <translation>Home</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/NavBar.qml" line="42" />
        <source>标准版</source>
        <translation>Standard</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/NavBar.qml" line="42" />
        <source>长辈版</source>
        <translation>Large text</translation>
    </message>
</context>
<context>
    <name>ProxyBox</name>
    <message>
        <location filename="../qml/Kiosk/ProxyBox.qml" line="24" />
        <source>取消代办</source>
        <translation>Not acting for someone</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ProxyBox.qml" line="24" />
        <source>代他人办理（代办）</source>
        <translation>Acting for someone</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ProxyBox.qml" line="35" />
        <source>已读取的证件为申请人（委托人）。请取回，并放置代办人的身份证。</source>
        <translation>The card read is the applicant's. Take it back and place the agent's ID card.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ProxyBox.qml" line="36" />
        <source>代办人：%1　%2</source>
        <translation>Agent: %1  %2</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ProxyBox.qml" line="44" />
        <source>代办人与申请人的关系</source>
        <translation>The agent's relationship to the applicant</translation>
    </message>
</context>
<context>
    <name>QueryScreen</name>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="11" />
        <source>办件查询</source>
        <translation>Application status</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="12" />
        <source>输入回执上的受理编号或办件编号，或将身份证放在阅读区。</source>
        <translation>Enter the number on your receipt, or place your ID card on the reader.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="13" />
        <source>查询</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="27" />
        <source>例如 DEMO0001-20261122-000017-K</source>
        <translation>e.g. DEMO0001-20261122-000017-K</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="48" />
        <source>已读取身份证，正在查询您在本机提交的申请</source>
        <translation>ID card read: looking up your applications on this kiosk</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="49" />
        <source>也可以把身份证放在阅读区，查询您在本机提交的全部申请</source>
        <translation>Or place your ID card on the reader to see everything you applied for here</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="62" />
        <source>扫描回执二维码</source>
        <translation>Scan receipt QR</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="68" />
        <source>模拟放置身份证</source>
        <translation>Demo: place ID</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="102" />
        <source>办件编号：</source>
        <translation>Case no.: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="103" />
        <source>临时受理编号：</source>
        <translation>Provisional no.: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="139" />
        <source>来自政务服务平台　·　更新时间 </source>
        <translation>From the platform · updated </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="140" />
        <source>本机记录（暂未连上平台）　·　最后更新时间 </source>
        <translation>Kiosk record (platform not reached) · last updated </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/QueryScreen.qml" line="190" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>RatingScreen</name>
    <message>
        <location filename="../qml/Kiosk/RatingScreen.qml" line="9" />
        <source>请您对本次服务进行评价</source>
        <translation>Rate this service</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/RatingScreen.qml" line="10" />
        <source>“好差评”帮助我们改进服务，评价不影响办理结果。</source>
        <translation>Your rating helps us improve. It does not affect your application.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/RatingScreen.qml" line="11" />
        <source>提交评价</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/RatingScreen.qml" line="14" />
        <source>跳过</source>
        <translation>Skip</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/RatingScreen.qml" line="66" />
        <source>很抱歉给您带来不便，请告诉我们哪里不满意（可多选）：</source>
        <translation>We are sorry. What went wrong? (choose any)</translation>
    </message>
</context>
<context>
    <name>ReceiptScreen</name>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="9" />
        <source>请记下您的受理编号</source>
        <translation>Note your number</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="9" />
        <source>回执打印</source>
        <translation>Receipt</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="11" />
        <source>我已记下，下一步</source>
        <translation>Noted, next</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="37" />
        <source>回执是否已打印？</source>
        <translation>Did you get your receipt?</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="45" />
        <source>请在出纸口取走回执，上面有受理编号和查询二维码。</source>
        <translation>Take the receipt from the slot: it has your number and a QR code.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="53" />
        <source>已取得回执</source>
        <translation>Yes, I have it</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="54" />
        <source>没有打印出来</source>
        <translation>No</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="98" />
        <source>用手机扫描二维码或拍照记下编号，凭编号或身份证可在本机“办件查询”。</source>
        <translation>Scan the QR code or take a photo of the number; check the status here with it or your ID card.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="111" />
        <source>打印A4受理通知书</source>
        <translation>Print A4 notice</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="138" />
        <source>保存到手机</source>
        <translation>Save to phone</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="163" />
        <source>请用手机扫码下载受理通知书（24小时内有效）</source>
        <translation>Scan with your phone to download the notice (valid for 24 hours)</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReceiptScreen.qml" line="181" />
        <source>通知书上的姓名和证件号已作遮挡处理；链接过期后请凭编号在本机“办件查询”。</source>
        <translation>Name and ID number on the notice are masked. After the link expires, use the number in "Application status" on this kiosk.</translation>
    </message>
</context>
<context>
    <name>ResultScreen</name>
    <message>
        <location filename="../qml/Kiosk/ResultScreen.qml" line="9" />
        <source>打印回执</source>
        <translation>Print receipt</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ResultScreen.qml" line="32" />
        <source>申请已提交</source>
        <translation>Application submitted</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ResultScreen.qml" line="79" />
        <source>临时受理编号：</source>
        <translation>Provisional no.: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ResultScreen.qml" line="86" />
        <source>当前状态：</source>
        <translation>Status: </translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <location filename="../qml/Kiosk/ReviewScreen.qml" line="10" />
        <source>请核对申请信息</source>
        <translation>Check your application</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReviewScreen.qml" line="11" />
        <source>为保护隐私，部分内容以 * 显示。点按带“查看”的内容可显示完整信息10秒。</source>
        <translation>To protect your privacy some details are shown as *. Tap “Show” to see one in full for 10 seconds.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReviewScreen.qml" line="12" />
        <source>确认提交</source>
        <translation>Submit</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReviewScreen.qml" line="14" />
        <source>返回修改</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReviewScreen.qml" line="69" />
        <source>隐藏</source>
        <translation>Hide</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ReviewScreen.qml" line="69" />
        <source>查看</source>
        <translation>Show</translation>
    </message>
</context>
<context>
    <name>ServiceListScreen</name>
    <message>
        <location filename="../qml/Kiosk/ServiceListScreen.qml" line="23" />
        <source>输入汉字、拼音或首字母</source>
        <translation>Hanzi, pinyin or initials</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ServiceListScreen.qml" line="47" />
        <source>没有找到“%1”相关的事项。可换个说法，或按部门查找。</source>
        <translation>Nothing found for “%1”. Try other words or browse by department.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ServiceListScreen.qml" line="48" />
        <source>例如：户口、社保卡、hkqc、yibao</source>
        <translation>e.g. 户口, 社保卡, hkqc, yibao</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/ServiceListScreen.qml" line="48" />
        <source>暂无可办理的事项</source>
        <translation>No services here yet</translation>
    </message>
</context>
<context>
    <name>ServiceRow</name>
    <message>
        <location filename="../qml/Kiosk/ServiceRow.qml" line="44" />
        <source>　·　需联网办理</source>
        <translation> · needs the network</translation>
    </message>
</context>
<context>
    <name>SignatureScreen</name>
    <message>
        <location filename="../qml/Kiosk/SignatureScreen.qml" line="10" />
        <source>请在下方框内签名</source>
        <translation>Sign in the box</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/SignatureScreen.qml" line="11" />
        <source>请代办人在下方框内签名</source>
        <translation>Agent: please sign in the box below</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/SignatureScreen.qml" line="11" />
        <source>请申请人（委托人）在下方框内签名</source>
        <translation>Applicant: please sign in the box below</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/SignatureScreen.qml" line="12" />
        <source>请用手指书写您的姓名，签名将与申请一并加密保存。</source>
        <translation>Write your name with a finger; it is stored encrypted with the application.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/SignatureScreen.qml" line="14" />
        <source>重新签名</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/SignatureScreen.qml" line="67" />
        <source>在此处签名</source>
        <translation>Sign here</translation>
    </message>
</context>
<context>
    <name>StaffBar</name>
    <message>
        <location filename="../qml/Kiosk/StaffBar.qml" line="19" />
        <source>帮办模式</source>
        <translation>Assisted mode</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffBar.qml" line="38" />
        <source>本机办件</source>
        <translation>Terminal queue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffBar.qml" line="39" />
        <source>退出</source>
        <translation>Log out</translation>
    </message>
</context>
<context>
    <name>StaffPanel</name>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="24" />
        <source>本机办件</source>
        <translation>Terminal queue</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="24" />
        <source>工作人员登录</source>
        <translation>Staff log-in</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="34" />
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="86" />
        <source>请将工作证插入读卡器，然后输入密码。</source>
        <translation>Insert your staff card, then enter your PIN.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="87" />
        <source>请输入工号和密码。</source>
        <translation>Enter your staff number and PIN.</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="107" />
        <source>工作证登录</source>
        <translation>Staff card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="113" />
        <source>工号登录</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="124" />
        <source>工号</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="133" />
        <source>密码</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="139" />
        <source>正在核验…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="139" />
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="152" />
        <source>插入演示工作证</source>
        <translation>Demo: insert a staff card</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="168" />
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="169" />
        <source>待上报</source>
        <translation>Not sent</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="170" />
        <source>上报失败</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="171" />
        <source>需补正</source>
        <translation>Needs correction</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="172" />
        <source>已上报</source>
        <translation>Sent</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="201" />
        <source>搜索编号或事项</source>
        <translation>Search by number or service</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="209" />
        <source>日终汇总</source>
        <translation>Day summary</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="231" />
        <source>没有符合条件的办件</source>
        <translation>No applications match</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="291" />
        <source>点选一件办件查看详情</source>
        <translation>Tap an application to see its details</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="319" />
        <source>状态：%1</source>
        <translation>State: %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="321" />
        <source>临时受理编号：%1</source>
        <translation>Provisional number: %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="322" />
        <source>办件编号：%1</source>
        <translation>Case number: %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="323" />
        <source>申请人：%1　%2</source>
        <translation>Applicant: %1  %2</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="324" />
        <source>受理时间：%1</source>
        <translation>Received: %1</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="325" />
        <source>帮办</source>
        <translation>assisted</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="326" />
        <source>代办</source>
        <translation>by proxy</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="337" />
        <source>已收材料：</source>
        <translation>Materials received: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="354" />
        <source>平台要求补正：</source>
        <translation>The platform asks for a correction: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="355" />
        <source>需更正：</source>
        <translation>Fields to correct: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="356" />
        <source>需补交：</source>
        <translation>Materials to add: </translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="368" />
        <source>重新上报</source>
        <translation>Send again</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="373" />
        <source>补正办理</source>
        <translation>Correct and resubmit</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="379" />
        <source>补打回执</source>
        <translation>Reprint receipt</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="385" />
        <source>补打通知书</source>
        <translation>Reprint notice</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/StaffPanel.qml" line="390" />
        <source>办理记录</source>
        <translation>History</translation>
    </message>
</context>
<context>
    <name>StepPage</name>
    <message>
        <location filename="../qml/Kiosk/StepPage.qml" line="10" />
        <source>下一步</source>
        <translation>Next</translation>
    </message>
</context>
<context>
    <name>SubmittingScreen</name>
    <message>
        <location filename="../qml/Kiosk/SubmittingScreen.qml" line="40" />
        <source>正在提交，请稍候…</source>
        <translation>Submitting…</translation>
    </message>
    <message>
        <location filename="../qml/Kiosk/SubmittingScreen.qml" line="50" />
        <source>您的申请正在加密保存并上报政务服务平台，请不要离开。</source>
        <translation>Your application is being encrypted, stored and sent. Please stay.</translation>
    </message>
</context>
</TS>