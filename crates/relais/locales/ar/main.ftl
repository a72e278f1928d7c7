# Relais — نصوص الواجهة العامة، بالعربية.
#
# Every number written in a message here sits between the invisible marks
# U+2066 (LRI) and U+2069 (PDI), so that it reads left to right inside the
# right-to-left sentence ("06 12 34 56 78", not "78 56 34 12 06"); the
# arguments ({ $number }…) are isolated by Fluent itself. A unit test in
# src/web/i18n.rs checks that no number is left bare.

site-name = Relais
site-tagline = باب واحد نحو المساعدة في مواجهة العنف الزوجي

## شريط الأمان، في كل صفحة

skip-to-content = الانتقال إلى المحتوى
exit-button = إخفاء الموقع
exit-button-hint = يغادر هذا الموقع فورًا إلى موقع للأحوال الجوية. مع JavaScript، الضغط ثلاث مرات على مفتاح Shift يفعل الشيء نفسه، ولا يعيد زر «رجوع» إلى هنا؛ وبدون JavaScript، يعيد إلى الصفحات التي رأيتِها، بدون إجاباتك.
exit-shortcut-two = مفتاح Shift: اضغطي مرتين أخريين لإخفاء الموقع.
exit-shortcut-one = مفتاح Shift: اضغطي مرة أخرى لإخفاء الموقع.
emergency-label = في حالة الطوارئ
emergency-danger = خطر فوري:
emergency-or = أو
emergency-sms = رسالة نصية إلى
emergency-sms-when = إذا لم تستطيعي الكلام
emergency-3919 = مجاني ومجهول الهوية، على مدار الساعة
help-button = أحتاج إلى مساعدة
help-button-sub = نرشدك إلى مختص
language-switch = اللغة
footer-safety = التصفح بأمان
footer-home = الصفحة الرئيسية
footer-no-tracking = هذا الموقع لا يضع أي ملفات تعريف ارتباط (كوكيز) ولا يتتبعك.

## الصفحة الرئيسية

home-title = Relais: إيجاد المساعدة في مواجهة العنف الزوجي
home-heading = المساعدة موجودة، بالقرب منك.
home-intro = يساعدك Relais على إيجاد الشخص المناسب: محامٍ، جمعية، خدمة اجتماعية، مكان للعلاج، الشرطة أو الدرك.
home-how = تجيبين على بضعة أسئلة بسيطة. يمكنك التوقف متى شئت. لا تحتاجين إلى ذكر اسمك.
home-privacy = هذا الموقع لا يحتفظ بأي أثر لزيارتك. لمزيد من الاحتياطات:
home-start = ابدئي
home-safety-link = التصفح بأمان
home-lines-heading = أرقام للحصول على المساعدة فورًا

## الأرقام الوطنية

line-17-name = الشرطة والدرك
line-17-text = إذا كنتِ في خطر الآن. مكالمة مجانية، على مدار الساعة.
line-112-name = رقم الطوارئ الأوروبي
line-112-text = يعمل في كل أوروبا، من هاتف محمول أو ثابت. مجاني.
line-114-name = الطوارئ عبر الرسائل النصية
line-114-text = إذا لم تستطيعي الكلام أو السمع: أرسلي رسالة نصية إلى ⁦114⁩. تصل إلى الشرطة أو الدرك أو الإطفاء أو الإسعاف.
line-3919-name = Violences Femmes Info
line-3919-text = استماع ومعلومات وتوجيه. مجاني ومجهول الهوية، على مدار الساعة طوال الأسبوع. لا يظهر الرقم في فواتير الهاتف.
line-119-name = Allô Enfance en danger
line-119-text = إذا كان طفل في خطر أو معرضًا له. مجاني، على مدار الساعة.
line-115-name = الإيواء الطارئ
line-115-text = لإيجاد مكان للنوم الليلة. مجاني، على مدار الساعة.
line-fsj-name = Fil Santé Jeunes
line-fsj-text = للشباب من ⁦12⁩ إلى ⁦25⁩ سنة: استماع ومعلومات وتوجيه. مجهول الهوية ومجاني، كل يوم.
line-call = اتصلي بالرقم { $number }
line-sms = أرسلي رسالة إلى { $number }


## التصفح بأمان

safety-title = التصفح بأمان

## صفحات الأخطاء

error-not-found-title = هذه الصفحة غير موجودة
error-not-found-message = ربما العنوان غير مكتمل. يمكنك العودة إلى الصفحة الرئيسية: لم يضِع شيء.
error-forbidden-title = هذه الصفحة غير متاحة لك
error-forbidden-message = إنها ليست جزءًا من مساحتك. إذا كنتِ تعتقدين أنه يجب أن تصلي إليها، اطلبي ذلك من تنسيق منطقتك.
error-bad-request-title = تعذرت قراءة هذا الطلب
error-bad-request-message = حدث خلل في ما أُرسل. عودي إلى الصفحة السابقة وحاولي مجددًا.
error-timeout-title = استغرق الرد وقتًا طويلًا
error-timeout-message = لم يتمكن الموقع من الرد في الوقت المناسب. حاولي مجددًا بعد لحظة.
error-too-large-title = ما أرسلتِه طويل جدًا
error-too-large-message = ما أرسلتِه يتجاوز الحجم المقبول. عودي إلى الصفحة السابقة واختصري نصك.
error-too-many-title = طلبات كثيرة في وقت قصير
error-too-many-message = انتظري دقيقة، ثم حاولي مجددًا. إذا كنتِ في خطر، لا تنتظري: اتصلي بالرقم ⁦17⁩ أو ⁦112⁩.
error-internal-title = حدث خطأ من جهتنا
error-internal-message = ليس هذا خطأك. حاولي مجددًا بعد بضع دقائق.
error-home = العودة إلى الصفحة الرئيسية
error-urgent = إذا كنتِ في خطر، اتصلي بالرقم ⁦17⁩ أو ⁦112⁩، أو أرسلي رسالة نصية إلى ⁦114⁩.

## الدليل

directory-title = إيجاد مختص بالقرب منك
directory-intro = أدخلي رمزك البريدي أو اسم بلديتك، وما تحتاجين إليه. النتائج مرتبة حسب المسافة وأوقات العمل.
directory-place = الرمز البريدي أو البلدية
directory-place-hint = مثلًا ⁦62170⁩ أو Montreuil-sur-Mer
directory-need = ما تحتاجين إليه
directory-need-choose = اختاري حاجة
directory-minor = عمري أقل من ⁦18⁩ سنة
directory-search = بحث
directory-place-missing = أدخلي رمزك البريدي أو اسم بلديتك.
directory-need-missing = اختاري حاجة من القائمة.
directory-several = عدة بلديات تطابق «{ $query }». اختاري بلديتك:
directory-unknown = لم نجد «{ $query }». تحققي من الرمز البريدي أو من الكتابة.
directory-suggestions = هل تقصدين:
directory-results = بالقرب من { $commune }
directory-none = لا توجد في الدليل حاليًا خدمة تلبي هذه الحاجة بالقرب منك. يمكن للأرقام الوطنية أدناه أن تساعدك فورًا.
directory-also-above = لهذه الحاجة أيضًا، سبق عرضه أعلاه:
directory-outside = لا يغطي Relais بلديتك بعد. إليك أقرب الخدمات: قد تكون بعيدة عنك. أقرب منطقة مغطاة هي { $territory }، على بعد { $km } كم.
directory-lines = الأرقام الوطنية
directory-call = اتصلي بالرقم { $number }
directory-confidential = عنوان سري
directory-organisation-services = خدماتها
directory-address = العنوان
directory-hours = أوقات العمل
directory-contact = التواصل
directory-verified = تم التحقق من المعلومات في { $date }
directory-languages = اللغات المستعملة: { $languages }
directory-wheelchair = يمكن الوصول بالكرسي المتحرك
directory-back = بحث جديد

## الحاجات

need-legal = الحقوق، الاستشارة القانونية
need-complaint = شكوى، تصريح مسجل لدى الشرطة (main courante)
need-protection = الحماية، أمر الحماية
need-housing = الإيواء، السكن
need-health = العلاج، إثبات الإصابات
need-psychological = الاستماع، الدعم النفسي
need-social = المساعدة الاجتماعية والمالية
need-children = الأطفال
need-foreigners = حقوق الأجانب
need-administrative = الإجراءات الإدارية
need-youth = الشباب

## أنواع الهيئات

kind-lawyer = محامٍ، جلسات استشارة قانونية (permanence juridique)
kind-justice-point = نقطة العدالة (معلومات قانونية)
kind-police = الشرطة
kind-gendarmerie = الدرك
kind-social-worker-police = أخصائي اجتماعي لدى الشرطة أو الدرك
kind-victim-support = جمعية مساعدة الضحايا
kind-cidff = مركز الإعلام حول حقوق النساء والأسر (CIDFF)
kind-shelter = مركز استقبال نهاري، إيواء
kind-health = الصحة، وحدة الطب الشرعي
kind-psychologist = أخصائي نفسي
kind-pmi = حماية الأم والطفل (PMI)
kind-family-planning = تنظيم الأسرة
kind-youth-house = دار المراهقين (Maison des Adolescents)
kind-social-service = الخدمة الاجتماعية
kind-ccas = المركز البلدي للعمل الاجتماعي (CCAS)
kind-other = هيئة أخرى

## الأسباب

reason-in-commune = في بلديتك
reason-distance = على بعد { $km } كم
reason-open-now = مفتوح الآن
reason-opens-today = يفتح اليوم على الساعة { $time }
reason-opens-tomorrow = يفتح غدًا على الساعة { $time }
reason-opens-on = يفتح يوم { $day } { $date } على الساعة { $time }
reason-hours-unsure = المواعيد بحاجة إلى تأكيد
reason-minors = يستقبل القاصرين
reason-anonymous = يقبل التواصل دون ذكر الاسم
reason-free = مجاني
reason-lsf = الاستقبال بلغة الإشارة الفرنسية

day-1 = الإثنين
day-2 = الثلاثاء
day-3 = الأربعاء
day-4 = الخميس
day-5 = الجمعة
day-6 = السبت
day-7 = الأحد
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

## البطاقات

sheets-title = بطاقات المعلومات
sheets-intro = حقوقك والإجراءات، مشروحة ببساطة، مع مصادرها الرسمية. تنتهي كل بطاقة بالجهات التي يمكنها مساعدتك. البطاقات مكتوبة حاليًا بالفرنسية.
sheets-search = البحث في البطاقات
sheets-search-button = بحث
sheets-search-missing = اكتبي كلمة أو أكثر، مثلًا «plainte» أو «logement».
sheets-results = { $count ->
    [zero] لم يتم العثور على أي بطاقة لـ «{ $query }»
    [one] تم العثور على بطاقة واحدة لـ «{ $query }»
    [two] تم العثور على بطاقتين لـ «{ $query }»
    [few] تم العثور على { $count } بطاقات لـ «{ $query }»
   *[other] تم العثور على { $count } بطاقة لـ «{ $query }»
}
sheets-none = جربي كلمة أخرى، أو تصفحي البطاقات حسب الموضوع أدناه.
sheets-reviewed = تم التحقق منها في { $date }
sheets-sources = المصادر
sheets-easy = نسخة سهلة القراءة (بالفرنسية)
sheets-standard = النسخة الكاملة
sheets-only-french = هذه البطاقة متوفرة بالفرنسية فقط حاليًا.
sheets-local = تم تكييف هذه البطاقة لمنطقة { $territory }.
sheets-all = كل البطاقات
footer-directory = إيجاد مختص
footer-sheets = بطاقات المعلومات
footer-follow = متابعة طلبي
home-sheets = فهم حقوقك: بطاقات المعلومات

category-urgence-protection = الطوارئ والحماية
category-justice = القضاء والشكوى
category-logement = السكن والإيواء
category-sante = الصحة والأدلة
category-enfants-famille = الأطفال والأسرة
category-etrangers = الأجانب
category-argent-travail = المال والعمل
category-securite-numerique = الهاتف والأمان الرقمي

## المحادثة

conversation-title = أحتاج إلى مساعدة
conversation-privacy = لا تُحفظ إجاباتك في أي مكان: تبقى في هذه الصفحة، لمدة ساعتين على الأكثر. يمكنك التوقف أو الرجوع أو إخفاء الموقع في أي وقت.
conversation-transcript = إجاباتك
conversation-transcript-summary = { $count ->
    [one] إجابة واحدة · تعديل
    [two] إجابتان · تعديل
    [few] { $count } إجابات · تعديل
   *[other] { $count } إجابة · تعديل
}
conversation-continue = متابعة
conversation-skip = تخطي هذا السؤال
conversation-edit = تعديل
conversation-cancel-edit = إلغاء التعديل
conversation-restart = البدء من جديد
conversation-skipped = تم تخطي السؤال
conversation-max-length = { $max } حرف على الأكثر.
form-too-long = هذا النص طويل جدًا: { $max } حرف على الأكثر. لقد اختصرناه؛ أعيدي قراءته قبل المتابعة.
conversation-error-choose = اختاري إجابة.
conversation-error-required = اكتبي إجابتك، أو تخطي السؤال إن كان ذلك ممكنًا.
conversation-error-number = اكتبي رقمًا بين { $min } و{ $max }، مثلًا ⁦34⁩.
conversation-error-too-long = نصك طويل جدًا: { $max } حرف على الأكثر. لم يضِع شيء مما كتبتِه، يمكنك اختصاره.
conversation-error-channel = اختاري الطريقة التي تفضلين أن نتواصل بها معك، أو «لا تتواصلوا معي».
conversation-error-contact-missing = أدخلي الرقم أو العنوان الذي نستعمله، أو اختاري «لا تتواصلوا معي».
conversation-error-phone = يبدو أن هذا الرقم غير مكتمل: ⁦10⁩ أرقام، مثلًا ⁦06 12 34 56 78⁩.
conversation-error-email = يبدو أن عنوان البريد الإلكتروني غير مكتمل، مثلًا name@example.com.
conversation-commune-several = عدة بلديات تطابق «{ $query }». اختاري بلديتك:
conversation-expired = أُغلقت محادثتك لأن أكثر من ساعتين مرتا دون إجابة. حفاظًا على سلامتك، حُذفت إجاباتك. يمكنك البدء من جديد متى شئت.
conversation-changed = تم تحديث الاستبيان في الأثناء. لكي تبقى إجاباتك دقيقة، نقترح عليك البدء من جديد.
conversation-unreadable = تعذر استئناف هذه المحادثة. يمكنك البدء من جديد: لن يستغرق ذلك إلا بضع دقائق.
conversation-contact-channel = كيف تفضلين أن نتواصل معك؟
conversation-channel-phone = بالهاتف
conversation-channel-sms = برسالة نصية
conversation-channel-email = بالبريد الإلكتروني
conversation-channel-none = لا تتواصلوا معي
conversation-contact-value = رقم الهاتف أو عنوان البريد الإلكتروني
conversation-contact-value-hint = الذي تطلعين عليه وحدك.
conversation-contact-times = في أي أوقات يكون ذلك آمنًا؟
conversation-contact-times-hint = مثلًا: أيام الأسبوع بين الساعة ⁦10⁩ و⁦12⁩.
conversation-contact-leave-message = يمكن ترك رسالة لي
conversation-contact-neutral-name = اسم محايد يقدم به المختص نفسه
conversation-contact-neutral-hint = الاسم الذي سيذكره المختص، مثلًا «السيدة مارتان، من شركة التأمين».
conversation-contact-by-phone = بالهاتف على الرقم { $value }
conversation-contact-by-sms = برسالة نصية إلى { $value }
conversation-contact-by-email = بالبريد الإلكتروني إلى { $value }
conversation-contact-none = لا تتواصلوا معي
conversation-contact-message-yes = يمكن ترك رسالة
conversation-contact-message-no = دون رسالة
conversation-contact-neutral = يقدم نفسه باسم «{ $name }»
conversation-youth-or = أو
conversation-youth-at = على الرقم
conversation-youth-place = في أي بلدية تسكنين؟
conversation-youth-place-hint = إن رغبتِ، لرؤية خدمات الشباب القريبة منكِ أيضاً. هذا ليس إلزامياً، ولا يُحفَظ.
conversation-youth-place-button = أرني الخدمات القريبة مني
conversation-youth-place-found = خدمات الشباب في { $territory }:
conversation-youth-place-none = لا نعرف بعد خدمة محلية لهذه البلدية. الخطوط الوطنية أدناه موجودة من أجلكِ.
conversation-next-steps = والآن؟
conversation-next-call = اتصلي بالمختص الذي تختارينه عندما تكونين في أمان. يمكنك أن تقولي له ما تريدين، على مهلك.
conversation-next-danger = إذا تغير الوضع وكنتِ في خطر، اتصلي بالرقم ⁦17⁩ أو ⁦112⁩، أو أرسلي رسالة نصية إلى ⁦114⁩.
conversation-next-sheets = فهم حقوقك: بطاقات المعلومات

## Sending the report (/envoyer) and following it up (/suivi)
send-offer-heading = إرسال قصتك إلى مختص
send-offer-text = يمكنك إرسال ما كتبتِه إلى إحدى هذه الهيئات. لن يستطيع قراءته إلا المختصون فيها. لن تحتاجي إلى سرد كل شيء من جديد.
send-offer-button = إرسال قصتي إلى هذا المختص
send-title = إرسال قصتي
send-explain = لإرسال قصتك إلى مختص، أجيبي أولًا على الأسئلة. في النهاية، نعرض عليك الهيئات التي يمكنها استقبالها.
send-expired = لم تعد إجاباتك متوفرة: حفاظًا على سلامتك، تُحذف بعد ساعتين. يمكنك البدء من جديد متى شئت.
send-unavailable = لا تستطيع هذه الهيئة استقبال القصص حاليًا. يمكنك الاتصال بها، أو اختيار هيئة أخرى.
send-heading = إرسال قصتي إلى { $organisation }
send-intro = راجعي ما سيُرسل. لا يزال بإمكانك تغيير الطريقة التي تفضلين أن نتواصل بها معك.
send-preview-heading = ما سيُرسل
send-preview-needs = حاجاتك
send-preview-free-text = ما تريدين قوله للمختص
send-preview-change = لتغيير إجابة، عودي إلى الأسئلة.
send-urgent-question = هل الأمر عاجل؟
send-urgent-no = لا، الأمر ليس عاجلًا
send-urgent-yes = نعم، أحتاج إلى رد سريع
send-urgent-hint = إذا كنتِ في خطر الآن، اتصلي بالرقم ⁦17⁩ أو ⁦112⁩، أو أرسلي رسالة نصية إلى ⁦114⁩.
send-consent = أوافق على أن يقرأ المختصون في { $organisation } هذه القصة. لن يستطيع أي شخص آخر قراءتها، ولا حتى فريق Relais.
send-consent-missing = لإرسال قصتك، ضعي علامة في الخانة التي تقول إنك موافقة.
send-button = إرسال قصتي
send-back = العودة إلى النتائج
send-sent-heading = تم إرسال قصتك
send-receipt-intro = هذا رمز المتابعة الخاص بك. لن يظهر مرة أخرى أبدًا: دوّنيه الآن.
send-receipt-label = رمز المتابعة الخاص بك
send-receipt-advice-where = دوّنيه في مكان لا ينظر فيه الشخص الذي يؤذيك: مثلًا، تحت اسم مستعار في جهات الاتصال، أو على ورقة تحتفظين بها معك.
send-receipt-advice-not = لا ترسليه برسالة نصية أو بالبريد الإلكتروني من جهاز قد يكون مراقبًا.
send-receipt-advice-lost = بهذا الرمز، يمكنك معرفة أين وصل طلبك، وقراءة الردود، وكتابة رسالة. إذا أضعتِه، يستطيع المختص رغم ذلك التواصل معك بالطريقة التي طلبتِها.
send-receipt-noted = دوّنت رمزي
send-receipt-not-noted = ضعي علامة على «دوّنت رمزي» للمتابعة. لن يمكن عرض هذا الرمز مرة أخرى.
send-done-heading = تم الأمر
send-done-text = وصل طلبك. سيقرؤه مختص ويتواصل معك بالطريقة التي طلبتِها. إذا اخترتِ ألا نتواصل معك، ستجدين ردوده برمز المتابعة الخاص بك.
send-done-follow = متابعة طلبي برمزي
send-already = تم إرسال هذا الطلب من قبل. ظهر رمز المتابعة الخاص بك عند الإرسال الأول.
send-too-many = أُرسلت عدة طلبات من هذا الجهاز خلال الساعة. لتجنّب الإرسال الجماعي إلى المهنيين، انتظري قليلًا قبل إرسال طلب آخر: ما اخترتِه محفوظ هنا. في حالة الخطر: ⁦17⁩ أو ⁦112⁩، رسالة نصية ⁦114⁩.
send-callback-title = طلب معاودة الاتصال بي
send-callback-heading = طلب معاودة الاتصال بي من { $organisation }
send-callback-intro = سيعاود مختص من { $organisation } الاتصال بك على الرقم وفي الأوقات التي تذكرينها هنا. قولي أيضًا هل يمكن ترك رسالة، وما الاسم المحايد الذي يقدّم به نفسه عند الاتصال.
send-callback-phone = الرقم الذي نعاود الاتصال بك عليه
send-callback-phone-hint = رقم لا يردّ عليه ولا يطّلع عليه أحد غيرك.
send-callback-phone-missing = لكي نعاود الاتصال بك، اكتبي رقم هاتف.
send-callback-unavailable = لا تستطيع هذه الهيئة معاودة الاتصال بك حاليًا. يمكنك الاتصال بها بنفسك، أو الاتصال بالرقم ⁦3919⁩ (مجاني، ليلًا ونهارًا)، أو اختيار هيئة أخرى.
send-callback-consent = أوافق على أن يستلم المختصون في { $organisation } طلب معاودة الاتصال بي، مع ما هو معروض هنا. لن يستطيع أي شخص آخر قراءته، ولا حتى فريق Relais.
send-callback-button = اطلبي معاودة الاتصال بك
send-callback-sent-heading = تم إرسال طلب معاودة الاتصال بك
referral-status-sent = مُرسَل
referral-status-sent-help = وصل طلبك. لم يُفتح بعد.
referral-status-read = مقروء
referral-status-read-help = قرأ مختص طلبك.
referral-status-accepted = قيد المتابعة
referral-status-accepted-help = يهتم مختص بطلبك.
referral-status-redirected = أُحيل إلى هيئة أخرى
referral-status-redirected-help = أُحيل طلبك إلى هيئة أخرى أقدر على مساعدتك. لا تحتاجين إلى إعادة أي شيء.
referral-status-closed = مُغلق
referral-status-closed-help = هذا الطلب مُغلق. يمكنك تقديم طلب جديد متى شئت.
follow-title = متابعة طلبي
follow-intro = أدخلي رمز المتابعة المكوّن من ⁦16⁩ رقمًا الذي دوّنتِه بعد الإرسال.
follow-code = رمز المتابعة
follow-code-hint = ⁦16⁩ رقمًا، مع مسافات أو دونها.
follow-see = عرض طلبي
follow-code-format = يتكون رمز المتابعة من ⁦16⁩ رقمًا. تحققي مما كتبتِه.
follow-code-unknown = لم نجد طلبًا بهذا الرمز. تحققي من الأرقام. ربما حُذف الطلب أيضًا.
follow-blocked = محاولات كثيرة لإدخال الرمز من هذا الجهاز. لحماية الطلبات، حاولي مجددًا بعد ساعة.
follow-status = أين وصل طلبك:
follow-organisation = الهيئة التي استلمت طلبك:
follow-sent-on = تم الإرسال في { $date }
follow-readers-heading = من يمكنه قراءته
follow-readers = { $count ->
    [0] لا أحد في { $organisation } يمكنه قراءته بعد: على الفريق أن يمنح نفسه الوصول أولًا.
    [one] شخص واحد في { $organisation } يمكنه قراءة طلبك.
   *[other] { $count } أشخاص في { $organisation } يمكنهم قراءة طلبك.
}
follow-history-access = في { $date }: أصبح بإمكان شخص إضافي في { $organisation } قراءة طلبك.
follow-history-transferred = في { $date }: أُحيل طلبك إلى { $organisation }.
follow-messages = الرسائل
follow-no-message = لا توجد رسائل بعد.
follow-from-me = أنتِ
follow-from-pro = المختص
follow-write = الكتابة إلى المختص
follow-send = إرسال الرسالة
follow-refresh = تحديث
follow-message-empty = رسالتك فارغة.
follow-message-sent = تم إرسال رسالتك.
follow-closed = هذا الطلب مُغلق: لم يعد بإمكانك الكتابة فيه. يمكنك تقديم طلب جديد.
follow-delete = حذف طلبي
follow-delete-confirm = هل تريدين حذف طلبك؟ سيُحذف بالنسبة إليك وإلى المختص، مع كل الرسائل. لا يمكن التراجع عن ذلك.
follow-delete-yes = نعم، احذفيه
follow-delete-no = لا، أريد الاحتفاظ بطلبي
follow-deleted = تم حذف طلبك. لن يستطيع أحد قراءته بعد الآن.

## Live help: "Parler maintenant" (docs/live.md)
live-title = التحدث الآن
live-explain = يمكنك الكتابة فورًا إلى مختص مناوب، عندما يوجد مختص يناسب وضعك. يُقترح ذلك في نهاية أسئلة المساعدة.
live-offer-heading = التحدث الآن مع مختص
live-offer-button = التحدث الآن مع مختص
live-with = يمكن لمختص من { $organisation } أن يجيبك كتابةً.
live-position = { $position ->
    [one] ستكونين أول من يُجاب.
   *[other] سيكون ترتيبك { $position } في قائمة الانتظار.
}
live-wait-now = سيجيبك شخص ما بمجرد أن يتفرغ.
live-wait-minutes = مدة الانتظار المتوقعة: حوالي { $minutes ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
}.
live-wait-unknown = سيجيبك شخص ما بمجرد أن يتفرغ.
live-nobody-heading = لا أحد متاح للتحدث الآن
live-closed = تجيب { $organisation } كتابةً خلال أوقات المناوبة، لكن لا أحد متاح في هذه اللحظة.
live-nobody-hint = يمكنك طلب معاودة الاتصال بك، أو إرسال قصتك، أو الاتصال بالرقم ⁦3919⁩، المجاني والمجهول الهوية، ليلًا ونهارًا. في حالة الخطر: ⁦17⁩ أو ⁦112⁩، أو رسالة نصية إلى ⁦114⁩.
live-nobody = لا أحد متاح للرد عليك في هذه اللحظة. إليك ما يمكنك فعله.
live-callback = طلب معاودة الاتصال بي
live-elsewhere-heading = طرق أخرى للحصول على المساعدة
live-shared-heading = ما سيراه المختص إذا شاركتِ إجاباتك
live-shared-nothing = لم تكتبي شيئًا يمكن مشاركته.
live-shared-hint = إذا لم تشاركي، فلن يرى المختص أيًّا من إجاباتك: تقولين له ما تريدين.
live-shared-name = اسمك الأول أو اسم مستعار
live-shared-commune = بلديتك
live-join-share = مشاركة إجاباتي والتحدث الآن
live-join-alone = التحدث دون مشاركة إجاباتي
live-room-heading = محادثتك مع { $organisation }
live-messages = الرسائل
live-your-message = رسالتك
live-send = إرسال
live-leave = مغادرة المحادثة
live-refresh = رؤية الرسائل الجديدة
live-nojs-hint = تتحدث هذه الصفحة من تلقاء نفسها. إذا توقفت عن التغير، اضغطي على «رؤية الرسائل الجديدة».
live-yes = نعم، موافقة
live-no = لا، شكرًا
live-me = أنتِ
live-them = المختص
live-delivered-short = وصلت
live-delivered = وصلت رسالتك الأخيرة.
live-reconnecting = انقطع الاتصال. جارٍ إعادة المحاولة…
live-waiting = أنتِ في قائمة الانتظار. يمكنك المغادرة في أي وقت.
live-talking = يجيبك مختص من { $organisation }.
live-proposal-callback = يقترح المختص أن تعاود { $organisation } الاتصال بك، بما شاركتِه. هل توافقين؟
live-proposal-referral = يقترح المختص حفظ هذه المحادثة في طلب تتابعه { $organisation }، تجدينه برمز متابعة. هل توافقين؟
live-expired = انتهت هذه المحادثة. يمكنك بدء محادثة أخرى من أسئلة المساعدة.
live-you-left = غادرتِ المحادثة. لا يُحفظ شيء مما كُتب.
live-ended-person = غادرتِ المحادثة.
live-ended-professional = أنهى المختص المحادثة. لا يُحفظ شيء مما كُتب.
live-ended-silent = توقفت المحادثة لأن صفحتك لم تعد ترسل أي خبر.
live-ended-lost = انقطع الاتصال بالمختص. يمكنك طلب معاودة الاتصال بك، أو الاتصال بالرقم ⁦3919⁩.
live-ended-nobody = لم يعد أحد متاحًا للرد عليك الآن. يمكنك طلب معاودة الاتصال بك، أو الاتصال بالرقم ⁦3919⁩.
live-ended-kept = تم: حُفظت المحادثة في طلبك.

## A territory's voice, and its suspension

territory-suspended = هذه الخدمة غير متاحة حاليًا في هذه المنطقة. الخطوط الوطنية متاحة دائمًا، ليلًا ونهارًا:
voice-heading = من يجيبك هنا
voice-more = من يدير هذه الخدمة، مع من، وكيف يمكن الانضمام إليها
voice-logo = شعار { $name }
voice-partners = بالتعاون مع
voice-join = للمهنيين: الانضمام إلى الشبكة
about-title = من نحن: ⁨Relais⁩
about-heading = من يدير هذه الخدمة
about-intro = ⁨Relais⁩ برنامج حر. في كل منطقة، تديره جمعية مع شركائها: هم من يتحققون من جهات الاتصال التي يقترحها الموقع.
footer-about = من نحن
