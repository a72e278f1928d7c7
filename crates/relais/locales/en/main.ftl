# Relais — public interface strings, in English.

site-name = Relais
site-tagline = One door to help, for people facing domestic violence

## Safety bar, on every page

skip-to-content = Skip to content
exit-button = Hide this site
exit-button-hint = Leaves this site at once for a weather site. With JavaScript, pressing the Shift key three times does the same and the Back button does not return here; without JavaScript, it returns to the pages already seen, without your answers.
exit-shortcut-two = Shift key: press 2 more times to hide this site.
exit-shortcut-one = Shift key: press 1 more time to hide this site.
emergency-label = In an emergency
emergency-danger = Immediate danger:
emergency-or = or
emergency-sms = Text
emergency-sms-when = if you cannot speak
emergency-3919 = free and anonymous, 24/7
help-button = I need help
help-button-sub = We direct you to a professional
language-switch = Language
footer-safety = Browsing safely
footer-home = Home
footer-no-tracking = This site sets no cookie and does not track you.

## Home

home-title = Relais: finding help with domestic violence
home-heading = Help exists, near you.
home-intro = Relais helps you find the right person: a lawyer, an association, a social service, a place for care, the police or the gendarmerie.
home-how = You answer a few simple questions. You can stop whenever you want. You do not need to give your name.
home-privacy = This site keeps no trace of your visit. For more precautions:
home-start = Start
home-safety-link = Browsing safely
home-lines-heading = Numbers to get help right now

## National lines

line-17-name = Police and gendarmerie
line-17-text = If you are in danger now. Free call, 24/7.
line-112-name = European emergency number
line-112-text = Works everywhere in Europe, from a mobile or a landline. Free.
line-114-name = Emergency by text message
line-114-text = If you cannot speak or hear: send a text to 114. It reaches the police, the gendarmerie, the fire brigade or the ambulance service.
line-3919-name = Violences Femmes Info
line-3919-text = Listening, information and guidance. Free and anonymous, 24/7. The number does not appear on phone bills.
line-119-name = Allô Enfance en danger
line-119-text = If a child is in danger or at risk. Free, 24/7.
line-115-name = Emergency shelter
line-115-text = To find somewhere to sleep tonight. Free, 24/7.
line-fsj-name = Fil Santé Jeunes
line-fsj-text = For people aged 12 to 25: listening, information, guidance. Anonymous and free, every day.
line-call = Call { $number }
line-sms = Text { $number }


## Browsing safely

safety-title = Browsing safely

## Error pages

error-not-found-title = This page does not exist
error-not-found-message = The address may be incomplete. You can go back to the home page: nothing is lost.
error-forbidden-title = This page is not open to you
error-forbidden-message = It is not part of your space. If you think you should have access, ask your territory's coordination.
error-bad-request-title = This request could not be read
error-bad-request-message = Something in what was sent did not work. Go back to the previous page and try again.
error-timeout-title = The answer took too long
error-timeout-message = The site could not answer in time. Try again in a moment.
error-too-large-title = What you sent is too long
error-too-large-message = What you sent is larger than we accept. Go back to the previous page and shorten your text.
error-too-many-title = Too many requests in a short time
error-too-many-message = Wait a minute, then try again. If you are in danger, do not wait: call 17 or 112.
error-internal-title = Something went wrong on our side
error-internal-message = It is not your fault. Try again in a few minutes.
error-home = Back to the home page
error-urgent = If you are in danger, call 17 or 112, or text 114.

## Directory

directory-title = Find a professional near you
directory-intro = Give your postcode or your commune, and what you need. Results are ranked by distance and opening hours.
directory-place = Postcode or commune
directory-place-hint = For example 62170 or Montreuil-sur-Mer
directory-need = What you need
directory-need-choose = Choose a need
directory-minor = I am under 18
directory-search = Search
directory-place-missing = Give your postcode or the name of your commune.
directory-need-missing = Choose a need from the list.
directory-several = Several communes match "{ $query }". Choose yours:
directory-unknown = We cannot find "{ $query }". Check the postcode or the spelling.
directory-suggestions = Did you mean:
directory-results = Near { $commune }
directory-none = No service in the directory meets this need near you for now. The national numbers below can help you right away.
directory-also-above = Also for this need, already shown above:
directory-outside = Relais does not cover your commune yet. Here are the nearest services: they may be far from you. The nearest covered territory is { $territory }, { $km } km away.
directory-lines = National numbers
directory-call = Call { $number }
directory-confidential = Confidential address
directory-organisation-services = Its services
directory-address = Address
directory-hours = Opening hours
directory-contact = Contact
directory-verified = Information checked on { $date }
directory-languages = Languages spoken: { $languages }
directory-wheelchair = Wheelchair accessible
directory-back = New search

## Needs

need-legal = Rights, legal advice
need-complaint = Complaint, police record (main courante)
need-protection = Protection, protection order
need-housing = Shelter, housing
need-health = Care, recording injuries
need-psychological = Being listened to, psychological support
need-social = Social and financial help
need-children = Children
need-foreigners = Rights of foreign nationals
need-administrative = Administrative steps
need-youth = Young people

## Kinds of organisation

kind-lawyer = Lawyer, legal advice sessions (permanence juridique)
kind-justice-point = Point-justice (legal information)
kind-police = Police
kind-gendarmerie = Gendarmerie
kind-social-worker-police = Social worker at the police or gendarmerie
kind-victim-support = Victim support association
kind-cidff = Information centre on women's and family rights (CIDFF)
kind-shelter = Day centre, shelter
kind-health = Health, forensic medical unit
kind-psychologist = Psychologist
kind-pmi = Mother and child health service (PMI)
kind-family-planning = Family planning
kind-youth-house = Youth centre (Maison des Adolescents)
kind-social-service = Social service
kind-ccas = Municipal social action centre (CCAS)
kind-other = Other organisation

## Reasons

reason-in-commune = in your commune
reason-distance = { $km } km away
reason-open-now = open now
reason-opens-today = opens today at { $time }
reason-opens-tomorrow = opens tomorrow at { $time }
reason-opens-on = opens on { $day } { $date } at { $time }
reason-hours-unsure = hours to be confirmed
reason-minors = receives minors
reason-anonymous = accepts anonymous contact
reason-free = free of charge
reason-lsf = French Sign Language available

day-1 = Monday
day-2 = Tuesday
day-3 = Wednesday
day-4 = Thursday
day-5 = Friday
day-6 = Saturday
day-7 = Sunday
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Sheets

sheets-title = Information sheets
sheets-intro = Your rights and the steps to take, explained simply, with their official sources. Each sheet ends with who can help you.
sheets-search = Search the sheets
sheets-search-button = Search
sheets-search-missing = Write one or more words, for example "complaint" or "housing".
sheets-results = { $count ->
    [0] No sheet found for "{ $query }"
    [one] One sheet found for "{ $query }"
   *[other] { $count } sheets found for "{ $query }"
}
sheets-none = Try another word, or browse the sheets by theme below.
sheets-reviewed = Checked on { $date }
sheets-sources = Sources
sheets-easy = Easy-to-read version (French)
sheets-standard = Full version
sheets-only-french = This sheet exists only in French for now.
sheets-local = This sheet has been adapted for the { $territory } territory.
sheets-all = All sheets
footer-directory = Find a professional
footer-sheets = Information sheets
footer-follow = Follow my request
home-sheets = Understand your rights: the information sheets

category-urgence-protection = Emergency and protection
category-justice = Justice and complaints
category-logement = Housing and shelter
category-sante = Health and evidence
category-enfants-famille = Children and family
category-etrangers = Foreign nationals
category-argent-travail = Money and work
category-securite-numerique = Phone and online safety

## Conversation

conversation-title = I need help
conversation-privacy = Your answers are not recorded anywhere: they stay in this page, for two hours at most. You can stop, go back or hide the site at any time.
conversation-transcript = Your answers
conversation-transcript-summary = { $count ->
    [one] 1 answer · Change
   *[other] { $count } answers · Change
}
conversation-continue = Continue
conversation-skip = Skip this question
conversation-edit = Change
conversation-cancel-edit = Cancel the change
conversation-restart = Start again from the beginning
conversation-skipped = Question skipped
conversation-max-length = { $max } characters at most.
form-too-long = This text is too long: { $max } characters at most. We have shortened it; read it again before going on.
conversation-error-choose = Choose an answer.
conversation-error-required = Write your answer, or skip the question if you can.
conversation-error-number = Write a number between { $min } and { $max }, for example 34.
conversation-error-too-long = Your text is too long: { $max } characters at most. Nothing you wrote is lost, you can shorten it.
conversation-error-channel = Choose how you would rather be contacted, or "Do not contact me".
conversation-error-contact-missing = Give the number or address to use, or choose "Do not contact me".
conversation-error-phone = This number does not look complete: 10 digits, for example 06 12 34 56 78.
conversation-error-email = This e-mail address does not look complete, for example name@example.com.
conversation-commune-several = Several communes match "{ $query }". Choose yours:
conversation-expired = Your conversation was closed because more than two hours passed without an answer. For your safety, your answers were erased. You can start again whenever you want.
conversation-changed = The questionnaire was updated in the meantime. So that your answers stay accurate, we suggest starting again.
conversation-unreadable = This conversation could not be resumed. You can start again: it only takes a few minutes.
conversation-contact-channel = How would you rather be contacted?
conversation-channel-phone = By phone
conversation-channel-sms = By text message
conversation-channel-email = By e-mail
conversation-channel-none = Do not contact me
conversation-contact-value = Phone number or e-mail address
conversation-contact-value-hint = One that only you check.
conversation-contact-times = When is it safe?
conversation-contact-times-hint = For example: weekdays between 10 am and noon.
conversation-contact-leave-message = A message may be left for me
conversation-contact-neutral-name = A neutral name to introduce themselves with
conversation-contact-neutral-hint = The name the professional will give, for example "Mrs Martin, from the insurance company".
conversation-contact-by-phone = By phone on { $value }
conversation-contact-by-sms = By text message to { $value }
conversation-contact-by-email = By e-mail to { $value }
conversation-contact-none = Do not contact me
conversation-contact-message-yes = a message may be left
conversation-contact-message-no = no message
conversation-contact-neutral = introduce themselves as "{ $name }"
conversation-youth-or = Or
conversation-youth-at = on
conversation-youth-place = Which town do you live in?
conversation-youth-place-hint = If you wish, to also see the services for young people near you. You do not have to, and it is not kept.
conversation-youth-place-button = See the services near me
conversation-youth-place-found = Services for young people in { $territory }:
conversation-youth-place-none = We do not know of a local service for this town yet. The national lines below are there for you.
conversation-next-steps = What now?
conversation-next-call = Call the professional of your choice when you are safe. You can tell them what you want, at your own pace.
conversation-next-danger = If things change and you are in danger, call 17 or 112, or text 114.
conversation-next-sheets = Understand your rights: the information sheets

## Sending the report (/envoyer) and following it up (/suivi)
send-offer-heading = Send your story to a professional
send-offer-text = You can send what you wrote to one of these organisations. Only its professionals will be able to read it. You will not have to tell everything again.
send-offer-button = Send my story to this professional
send-title = Send my story
send-explain = To send your story to a professional, first answer the questions. At the end, we show you the organisations that can receive it.
send-expired = Your answers are no longer available: for your safety, they are erased after two hours. You can start again whenever you want.
send-unavailable = This organisation cannot receive stories for now. You can call it, or choose another organisation.
send-heading = Send my story to { $organisation }
send-intro = Check what will be sent. You can still change how you would rather be contacted.
send-preview-heading = What will be sent
send-preview-needs = Your needs
send-preview-free-text = What you want to tell the professional
send-preview-change = To change an answer, go back to the questions.
send-urgent-question = Is it urgent?
send-urgent-no = No, it is not urgent
send-urgent-yes = Yes, I need a quick answer
send-urgent-hint = If you are in danger now, call 17 or 112, or text 114.
send-consent = I agree that the professionals of { $organisation } may read this story. Nobody else will be able to read it, not even the Relais team.
send-consent-missing = To send your story, tick the box that says you agree.
send-button = Send my story
send-back = Back to the results
send-sent-heading = Your story has been sent
send-receipt-intro = Here is your follow-up code. It will never be shown again: write it down now.
send-receipt-label = Your follow-up code
send-receipt-advice-where = Write it down somewhere the person hurting you does not look: for example, under a made-up name in your contacts, or on a piece of paper you keep on you.
send-receipt-advice-not = Do not send it by text message or by e-mail from a device that could be watched.
send-receipt-advice-lost = With this code, you can see where your request stands, read the replies and write a message. If you lose it, the professional can still contact you the way you asked.
send-receipt-noted = I have written down my code
send-receipt-not-noted = Tick "I have written down my code" to continue. This code cannot be shown again.
send-done-heading = It is done
send-done-text = Your request has arrived. A professional will read it and contact you the way you asked. If you chose not to be contacted, you will find their replies with your follow-up code.
send-done-follow = Follow my request with my code
send-already = This request has already been sent. Your follow-up code was shown when it was first sent.
send-too-many = Several requests have already been sent from this device within the hour. To keep professionals from mass sendings, wait a little before sending another: what you chose is kept here. In danger: 17 or 112, SMS 114.
send-callback-title = Be called back
send-callback-heading = Be called back by { $organisation }
send-callback-intro = A professional of { $organisation } will call you back at the number and at the times you give here. Say too whether a message may be left, and which neutral name they should give when they call.
send-callback-phone = The number to call you back on
send-callback-phone-hint = A number that nobody else answers or checks.
send-callback-phone-missing = To be called back, please give a phone number.
send-callback-unavailable = This organisation cannot call you back for now. You can call it yourself, call 3919 (free, day and night), or choose another organisation.
send-callback-consent = I agree that the professionals of { $organisation } receive my request to be called back, with what is shown here. Nobody else will be able to read it, not even the Relais team.
send-callback-button = Ask to be called back
send-callback-sent-heading = Your request to be called back has been sent
referral-status-sent = Sent
referral-status-sent-help = Your request has arrived. It has not been opened yet.
referral-status-read = Read
referral-status-read-help = A professional has read your request.
referral-status-accepted = Taken on
referral-status-accepted-help = A professional is taking care of your request.
referral-status-redirected = Passed on
referral-status-redirected-help = Your request was passed on to another organisation that is better placed to help you. You do not need to do anything again.
referral-status-closed = Closed
referral-status-closed-help = This request is closed. You can make a new one whenever you want.
follow-title = Follow my request
follow-intro = Enter the 16-digit follow-up code you wrote down after sending.
follow-code = Follow-up code
follow-code-hint = 16 digits, with or without spaces.
follow-see = See my request
follow-code-format = The follow-up code has 16 digits. Check what you typed.
follow-code-unknown = We cannot find a request with this code. Check the digits. The request may also have been erased.
follow-blocked = Too many code attempts from this device. To protect requests, try again in an hour.
follow-status = Where your request stands:
follow-organisation = Organisation that received your request:
follow-sent-on = Sent on { $date }
follow-readers-heading = Who can read it
follow-readers = { $count ->
    [0] Nobody at { $organisation } can read it yet: the team must first give itself access.
    [one] One person at { $organisation } can read your request.
   *[other] { $count } people at { $organisation } can read your request.
}
follow-history-access = On { $date }: one more person at { $organisation } can read your request.
follow-history-transferred = On { $date }: your request was handed to { $organisation }.
follow-messages = Messages
follow-no-message = No message yet.
follow-from-me = You
follow-from-pro = The professional
follow-write = Write to the professional
follow-send = Send the message
follow-refresh = Refresh
follow-message-empty = Your message is empty.
follow-message-sent = Your message has been sent.
follow-closed = This request is closed: you can no longer write in it. You can make a new request.
follow-delete = Delete my request
follow-delete-confirm = Delete your request? It will be erased for you and for the professional, with all the messages. This cannot be undone.
follow-delete-yes = Yes, delete
follow-delete-no = No, keep my request
follow-deleted = Your request has been deleted. Nobody can read it any more.

## Live help: "Parler maintenant" (docs/live.md)
live-title = Talk now
live-explain = You can write straight away to a professional on duty, when there is one for your situation. It is offered at the end of the help questions.
live-offer-heading = Talk now with a professional
live-offer-button = Talk now with a professional
live-with = A professional from { $organisation } can answer you in writing.
live-position = { $position ->
    [one] You would be the next person to be answered.
   *[other] You would be number { $position } in the queue.
}
live-wait-now = Someone will answer you as soon as they can.
live-wait-minutes = Estimated wait: about { $minutes ->
    [one] 1 minute
   *[other] { $minutes } minutes
}.
live-wait-unknown = Someone will answer you as soon as they can.
live-nobody-heading = Nobody is available to talk right now
live-closed = { $organisation } answers in writing during its duty hours, but nobody is available right now.
live-nobody-hint = You can ask to be called back, send your account, or call 3919, free and anonymous, day and night. In danger: 17 or 112, text 114.
live-nobody = Nobody is available to answer you right now. Here is what you can do.
live-callback = Ask to be called back
live-elsewhere-heading = Other ways to get help
live-shared-heading = What the professional will see if you share your answers
live-shared-nothing = You have not written anything that could be shared.
live-shared-hint = If you do not share, the professional sees none of your answers: you tell them what you want.
live-shared-name = Your first name or nickname
live-shared-commune = Your town
live-join-share = Share my answers and talk now
live-join-alone = Talk without sharing my answers
live-room-heading = Your conversation with { $organisation }
live-messages = Messages
live-your-message = Your message
live-send = Send
live-leave = Leave the conversation
live-refresh = See new messages
live-nojs-hint = This page updates by itself. If it stops moving, press “See new messages”.
live-yes = Yes, all right
live-no = No, thank you
live-me = You
live-them = The professional
live-delivered-short = received
live-delivered = Your last message was received.
live-reconnecting = The connection was lost. Trying again…
live-waiting = You are in the queue. You can leave at any time.
live-talking = A professional from { $organisation } is answering you.
live-proposal-callback = The professional suggests that { $organisation } calls you back, with what you shared. Do you agree?
live-proposal-referral = The professional suggests keeping this conversation in a request followed by { $organisation }, which you will find with a follow-up code. Do you agree?
live-expired = This conversation has ended. You can start another one from the help questions.
live-you-left = You left the conversation. Nothing that was written is kept.
live-ended-person = You left the conversation.
live-ended-professional = The professional ended the conversation. Nothing that was written is kept.
live-ended-silent = The conversation stopped, as your page gave no news.
live-ended-lost = The connection with the professional was lost. You can ask to be called back, or call 3919.
live-ended-nobody = Nobody is available to answer you any more right now. You can ask to be called back, or call 3919.
live-ended-kept = Done: the conversation is kept in your request.

## A territory's voice, and its suspension

territory-suspended = This service is not available in this area at the moment. The national lines are still there, day and night:
voice-heading = Who answers you here
voice-more = Who runs this service, with whom, and how to join
voice-logo = Logo of { $name }
voice-partners = With
voice-join = Professionals: join the network
about-title = About: Relais
about-heading = Who runs this service
about-intro = Relais is open-source software. In each area, an association runs it with its partners: they check the contacts the site gives.
footer-about = About
