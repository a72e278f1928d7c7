# Relais — public interface strings, in English.

site-name = Relais
site-tagline = One door to help, for people facing domestic violence

## Safety bar, on every page

skip-to-content = Skip to content
exit-button = Hide this site
exit-button-hint = Leaves this site at once for a weather site. Shortcut: press the Shift key three times.
exit-shortcut-two = Shift key: press 2 more times to hide this site.
exit-shortcut-one = Shift key: press 1 more time to hide this site.
emergency-label = In an emergency
emergency-danger = Immediate danger:
emergency-or = or
emergency-sms = Text 114 if you cannot speak
emergency-3919 = 3919: free and anonymous, 24/7
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
line-3919-text = Listening, information and guidance, in French. Free and anonymous, 24/7. The number does not appear on phone bills.
line-119-name = Allô Enfance en danger
line-119-text = If a child is in danger or at risk. Free, 24/7.
line-115-name = Emergency shelter
line-115-text = To find somewhere to sleep tonight. Free, 24/7.
line-call = Call { $number }
line-sms = Text { $number }

## Help (until the questionnaire opens)

help-title = I need help
help-heading = I need help
help-not-ready = The questionnaire that directs you to a professional near you is not open on this site yet.
help-meanwhile = Meanwhile, these numbers can help you right now. The people who answer know about domestic violence and can guide you.
help-3919-first = If you do not know where to start, call 3919: it is free, anonymous, and open day and night.

## Browsing safely

safety-title = Browsing safely

## Error pages

error-not-found-title = This page does not exist
error-not-found-message = The address may be incomplete. You can go back to the home page: nothing is lost.
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
