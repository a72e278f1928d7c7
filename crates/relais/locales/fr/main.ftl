# Relais — textes de l'interface publique, en français (langue de référence).
# Ton : calme, simple, jamais culpabilisant. Vouvoiement. Phrases courtes.

site-name = Relais
site-tagline = Une seule porte vers l'aide, face aux violences conjugales

## Bandeau de sécurité, présent sur chaque page

skip-to-content = Aller au contenu
exit-button = Cacher le site
exit-button-hint = Quitte ce site tout de suite pour un site de météo. Avec JavaScript, trois appuis sur la touche Maj font de même et le bouton Retour ne ramène pas ici ; sans JavaScript, il ramène aux pages déjà vues, sans vos réponses.
exit-shortcut-two = Touche Maj : appuyez encore 2 fois pour cacher le site.
exit-shortcut-one = Touche Maj : appuyez encore 1 fois pour cacher le site.
emergency-label = En cas d'urgence
emergency-danger = Danger immédiat :
emergency-or = ou
emergency-sms = SMS au
emergency-sms-when = si vous ne pouvez pas parler
emergency-3919 = gratuit et anonyme, 24h/24
help-button = J'ai besoin d'aide
help-button-sub = Nous vous orientons vers un professionnel
language-switch = Langue
footer-safety = Naviguer en sécurité
footer-home = Accueil
footer-no-tracking = Ce site ne dépose aucun cookie et ne vous suit pas.

## Accueil

home-title = Relais : trouver de l'aide face aux violences conjugales
home-heading = De l'aide existe, près de chez vous.
home-intro = Relais vous aide à trouver la bonne personne : un avocat, une association, un service social, un lieu de soins, la police ou la gendarmerie.
home-how = Vous répondez à quelques questions simples. Vous pouvez vous arrêter quand vous voulez. Vous n'avez pas besoin de donner votre nom.
home-privacy = Ce site ne garde aucune trace de votre visite. Pour d'autres précautions :
home-start = Commencer
home-safety-link = Naviguer en sécurité
home-lines-heading = Des numéros pour avoir de l'aide tout de suite

## Numéros nationaux

line-17-name = Police et gendarmerie
line-17-text = Si vous êtes en danger maintenant. Appel gratuit, 24h/24.
line-112-name = Numéro d'urgence européen
line-112-text = Valable partout en Europe, depuis un portable ou un fixe. Gratuit.
line-114-name = Urgence par SMS
line-114-text = Si vous ne pouvez pas parler ou entendre : écrivez un SMS au 114. Il arrive à la police, la gendarmerie, les pompiers ou le SAMU.
line-3919-name = Violences Femmes Info
line-3919-text = Écoute, information et orientation. Gratuit et anonyme, 24h/24 et 7j/7. Le numéro n'apparaît pas sur les factures.
line-119-name = Allô Enfance en danger
line-119-text = Si un enfant est en danger ou risque de l'être. Gratuit, 24h/24.
line-115-name = Hébergement d'urgence
line-115-text = Pour trouver un endroit où dormir ce soir. Gratuit, 24h/24.
line-fsj-name = Fil Santé Jeunes
line-fsj-text = Pour les 12-25 ans : écoute, information, orientation. Anonyme et gratuit, tous les jours.
line-call = Appeler le { $number }
line-sms = Écrire au { $number }


## Naviguer en sécurité

safety-title = Naviguer en sécurité

## Pages d'erreur

error-not-found-title = Cette page n'existe pas
error-not-found-message = L'adresse est peut-être incomplète. Vous pouvez revenir à l'accueil : rien n'est perdu.
error-forbidden-title = Cette page ne vous est pas ouverte
error-forbidden-message = Elle ne fait pas partie de votre espace. Si vous pensez devoir y accéder, demandez-le à la coordination de votre territoire.
error-bad-request-title = Cette demande n'a pas pu être lue
error-bad-request-message = Quelque chose dans l'envoi n'a pas fonctionné. Revenez à la page précédente et réessayez.
error-timeout-title = La réponse a pris trop de temps
error-timeout-message = Le site n'a pas pu répondre à temps. Réessayez dans un instant.
error-too-large-title = L'envoi est trop long
error-too-large-message = Ce que vous avez envoyé dépasse la taille acceptée. Revenez à la page précédente et raccourcissez votre texte.
error-too-many-title = Trop de demandes en peu de temps
error-too-many-message = Attendez une minute, puis réessayez. Si vous êtes en danger, n'attendez pas : appelez le 17 ou le 112.
error-internal-title = Une erreur est survenue de notre côté
error-internal-message = Ce n'est pas de votre faute. Réessayez dans quelques minutes.
error-home = Revenir à l'accueil
error-urgent = Si vous êtes en danger, appelez le 17 ou le 112, ou envoyez un SMS au 114.

## Annuaire

directory-title = Trouver un professionnel près de chez vous
directory-intro = Indiquez votre code postal ou votre commune, et ce dont vous avez besoin. Les résultats sont classés selon la distance et l'ouverture.
directory-place = Code postal ou commune
directory-place-hint = Par exemple 62170 ou Montreuil-sur-Mer
directory-need = Votre besoin
directory-need-choose = Choisir un besoin
directory-minor = J'ai moins de 18 ans
directory-search = Chercher
directory-place-missing = Indiquez votre code postal ou le nom de votre commune.
directory-need-missing = Choisissez un besoin dans la liste.
directory-several = Plusieurs communes correspondent à « { $query } ». Choisissez la vôtre :
directory-unknown = Nous ne trouvons pas « { $query } ». Vérifiez le code postal ou l'orthographe.
directory-suggestions = Vouliez-vous dire :
directory-results = Près de { $commune }
directory-none = Aucun service de l'annuaire ne répond à ce besoin près de chez vous pour le moment. Les numéros nationaux ci-dessous peuvent vous aider tout de suite.
directory-also-above = Aussi pour ce besoin, déjà proposé plus haut :
directory-outside = Relais ne couvre pas encore votre commune. Voici les services les plus proches : ils peuvent être loin de chez vous. Le territoire couvert le plus proche est { $territory }, à { $km } km.
directory-lines = Numéros nationaux
directory-call = Appeler le { $number }
directory-confidential = Adresse confidentielle
directory-organisation-services = Ses services
directory-address = Adresse
directory-hours = Horaires
directory-contact = Contact
directory-verified = Informations vérifiées le { $date }
directory-languages = Langues parlées : { $languages }
directory-wheelchair = Accessible en fauteuil roulant
directory-back = Nouvelle recherche

## Besoins

need-legal = Droits, conseil juridique
need-complaint = Plainte, main courante
need-protection = Protection, ordonnance de protection
need-housing = Hébergement, logement
need-health = Soins, constat des blessures
need-psychological = Écoute, soutien psychologique
need-social = Aide sociale et financière
need-children = Enfants
need-foreigners = Droits des personnes étrangères
need-administrative = Démarches administratives
need-youth = Jeunes

## Types de structure

kind-lawyer = Avocat·e, permanence juridique
kind-justice-point = Point-justice
kind-police = Police
kind-gendarmerie = Gendarmerie
kind-social-worker-police = Intervenant·e social·e en commissariat et gendarmerie
kind-victim-support = Association d'aide aux victimes
kind-cidff = Centre d'information sur les droits des femmes et des familles
kind-shelter = Accueil de jour, hébergement
kind-health = Santé, unité médico-judiciaire
kind-psychologist = Psychologue
kind-pmi = Protection maternelle et infantile (PMI)
kind-family-planning = Planning familial
kind-youth-house = Maison des Adolescents
kind-social-service = Service social
kind-ccas = Centre communal d'action sociale (CCAS)
kind-other = Autre structure

## Raisons

reason-in-commune = dans votre commune
reason-distance = à { $km } km
reason-open-now = ouvert maintenant
reason-opens-today = ouvre aujourd'hui à { $time }
reason-opens-tomorrow = ouvre demain à { $time }
reason-opens-on = ouvre { $day } { $date } à { $time }
reason-hours-unsure = horaires à confirmer
reason-minors = reçoit les mineurs
reason-anonymous = accepte les contacts anonymes
reason-free = gratuit
reason-lsf = accueil en langue des signes

day-1 = lundi
day-2 = mardi
day-3 = mercredi
day-4 = jeudi
day-5 = vendredi
day-6 = samedi
day-7 = dimanche
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Fiches

sheets-title = Fiches d'information
sheets-intro = Vos droits et les démarches, expliqués simplement, avec leurs sources officielles. Chaque fiche se termine par les personnes qui peuvent vous aider.
sheets-search = Chercher dans les fiches
sheets-search-button = Chercher
sheets-search-missing = Écrivez un ou plusieurs mots, par exemple « plainte » ou « logement ».
sheets-results = { $count ->
    [0] Aucune fiche trouvée pour « { $query } »
    [one] Une fiche trouvée pour « { $query } »
   *[other] { $count } fiches trouvées pour « { $query } »
}
sheets-none = Essayez un autre mot, ou parcourez les fiches par thème ci-dessous.
sheets-reviewed = Vérifiée le { $date }
sheets-sources = Sources
sheets-easy = Version facile à lire
sheets-standard = Version complète
sheets-only-french = Cette fiche n'existe qu'en français pour le moment.
sheets-local = Cette fiche a été adaptée pour le territoire { $territory }.
sheets-all = Toutes les fiches
footer-directory = Trouver un professionnel
footer-sheets = Fiches d'information
footer-follow = Suivre ma demande
home-sheets = Comprendre vos droits : les fiches d'information

category-urgence-protection = Urgence et protection
category-justice = Justice et plainte
category-logement = Logement et hébergement
category-sante = Santé et preuves
category-enfants-famille = Enfants et famille
category-etrangers = Personnes étrangères
category-argent-travail = Argent et travail
category-securite-numerique = Téléphone et numérique

## Conversation

conversation-title = J'ai besoin d'aide
conversation-privacy = Vos réponses ne sont enregistrées nulle part : elles restent dans cette page, pendant deux heures au plus. Vous pouvez vous arrêter, revenir en arrière ou cacher le site à tout moment.
conversation-transcript = Vos réponses
conversation-transcript-summary = { $count ->
    [one] 1 réponse · Modifier
   *[other] { $count } réponses · Modifier
}
conversation-continue = Continuer
conversation-skip = Passer cette question
conversation-edit = Modifier
conversation-cancel-edit = Annuler la modification
conversation-restart = Recommencer depuis le début
conversation-skipped = Question passée
conversation-max-length = { $max } caractères au plus.
form-too-long = Ce texte est trop long : { $max } caractères au plus. Nous l'avons raccourci ; relisez-le avant de continuer.
conversation-error-choose = Choisissez une réponse.
conversation-error-required = Écrivez votre réponse, ou passez la question si c'est possible.
conversation-error-number = Écrivez un nombre entre { $min } et { $max }, par exemple 34.
conversation-error-too-long = Votre texte est trop long : { $max } caractères au plus. Rien de ce que vous avez écrit n'est perdu, vous pouvez le raccourcir.
conversation-error-channel = Choisissez comment nous pouvons vous contacter, ou « Ne pas me contacter ».
conversation-error-contact-missing = Indiquez le numéro ou l'adresse à utiliser, ou choisissez « Ne pas me contacter ».
conversation-error-phone = Ce numéro ne semble pas complet : 10 chiffres, par exemple 06 12 34 56 78.
conversation-error-email = Cette adresse e-mail ne semble pas complète, par exemple prenom@exemple.fr.
conversation-commune-several = Plusieurs communes correspondent à « { $query } ». Choisissez la vôtre :
conversation-expired = Votre conversation a été fermée, car plus de deux heures se sont écoulées sans réponse. Pour votre sécurité, vos réponses ont été effacées. Vous pouvez recommencer quand vous voulez.
conversation-changed = Le questionnaire a été mis à jour entre-temps. Pour que vos réponses restent justes, nous vous proposons de recommencer.
conversation-unreadable = Cette conversation n'a pas pu être reprise. Vous pouvez recommencer : cela ne prend que quelques minutes.
conversation-contact-channel = Comment préférez-vous que l'on vous contacte ?
conversation-channel-phone = Par téléphone
conversation-channel-sms = Par SMS
conversation-channel-email = Par e-mail
conversation-channel-none = Ne pas me contacter
conversation-contact-value = Numéro de téléphone ou adresse e-mail
conversation-contact-value-hint = Un numéro ou une adresse que personne d'autre ne consulte.
conversation-contact-times = À quels moments est-ce sans danger ?
conversation-contact-times-hint = Par exemple : en semaine entre 10 h et 12 h.
conversation-contact-leave-message = On peut me laisser un message
conversation-contact-neutral-name = Un nom neutre pour se présenter
conversation-contact-neutral-hint = Le nom que dira le professionnel, par exemple « Madame Martin, de la mutuelle ».
conversation-contact-by-phone = Par téléphone au { $value }
conversation-contact-by-sms = Par SMS au { $value }
conversation-contact-by-email = Par e-mail à { $value }
conversation-contact-none = Ne pas me contacter
conversation-contact-message-yes = message possible
conversation-contact-message-no = pas de message
conversation-contact-neutral = se présenter comme « { $name } »
conversation-youth-or = Ou
conversation-youth-at = au
conversation-youth-place = Dans quelle commune habitez-vous ?
conversation-youth-place-hint = Si vous le souhaitez, pour voir aussi les services pour les jeunes près de chez vous. Ce n'est pas obligatoire, et ce n'est pas gardé.
conversation-youth-place-button = Voir les services près de chez moi
conversation-youth-place-found = Services pour les jeunes du territoire { $territory } :
conversation-youth-place-none = Nous ne connaissons pas encore de service local pour cette commune. Les lignes nationales ci-dessous sont là pour vous.
conversation-next-steps = Et maintenant ?
conversation-next-call = Appelez le professionnel de votre choix quand vous êtes en sécurité. Vous pouvez lui dire ce que vous voulez, à votre rythme.
conversation-next-danger = Si la situation change et que vous êtes en danger, appelez le 17 ou le 112, ou envoyez un SMS au 114.
conversation-next-sheets = Comprendre vos droits : les fiches d'information

## Sending the report (/envoyer) and following it up (/suivi)
send-offer-heading = Envoyer votre récit à un professionnel
send-offer-text = Vous pouvez envoyer ce que vous avez écrit à l'une de ces structures. Seuls ses professionnels pourront le lire. Vous n'aurez pas à tout raconter à nouveau.
send-offer-button = Envoyer mon récit à ce professionnel
send-title = Envoyer mon récit
send-explain = Pour envoyer votre récit à un professionnel, répondez d'abord aux questions. À la fin, nous vous proposons les structures qui peuvent le recevoir.
send-expired = Vos réponses ne sont plus disponibles : pour votre sécurité, elles sont effacées au bout de deux heures. Vous pouvez recommencer quand vous voulez.
send-unavailable = Cette structure ne peut pas recevoir de récit pour le moment. Vous pouvez l'appeler, ou choisir une autre structure.
send-heading = Envoyer mon récit à { $organisation }
send-intro = Relisez ce qui sera envoyé. Vous pouvez encore changer la façon de vous contacter.
send-preview-heading = Ce qui sera envoyé
send-preview-needs = Vos besoins
send-preview-free-text = Ce que vous voulez dire au professionnel
send-preview-change = Pour changer une réponse, revenez aux questions.
send-urgent-question = Est-ce urgent ?
send-urgent-no = Non, ce n'est pas urgent
send-urgent-yes = Oui, j'ai besoin d'une réponse rapide
send-urgent-hint = Si vous êtes en danger maintenant, appelez le 17 ou le 112, ou envoyez un SMS au 114.
send-consent = J'accepte que les professionnels de { $organisation } lisent ce récit. Personne d'autre ne pourra le lire, pas même l'équipe de Relais.
send-consent-missing = Pour envoyer votre récit, cochez la case qui dit que vous êtes d'accord.
send-button = Envoyer mon récit
send-back = Revenir aux résultats
send-sent-heading = Votre récit est envoyé
send-receipt-intro = Voici votre code de suivi. Il ne sera plus jamais affiché : notez-le maintenant.
send-receipt-label = Votre code de suivi
send-receipt-advice-where = Notez-le dans un endroit que la personne qui vous fait du mal ne regarde pas : par exemple, sous un faux nom dans vos contacts, ou sur un papier que vous gardez sur vous.
send-receipt-advice-not = Ne l'envoyez pas par SMS ou par e-mail depuis un appareil qui pourrait être surveillé.
send-receipt-advice-lost = Avec ce code, vous pourrez voir où en est votre demande, lire les réponses et écrire un message. Si vous le perdez, le professionnel pourra quand même vous contacter comme vous l'avez demandé.
send-receipt-noted = J'ai noté mon code
send-receipt-not-noted = Cochez « J'ai noté mon code » pour continuer. Ce code ne pourra plus être affiché.
send-done-heading = C'est fait
send-done-text = Votre demande est arrivée. Un professionnel la lira et vous contactera comme vous l'avez demandé. Si vous avez choisi de ne pas être contactée, vous trouverez ses réponses avec votre code de suivi.
send-done-follow = Suivre ma demande avec mon code
send-already = Cette demande a déjà été envoyée. Votre code de suivi a été affiché lors du premier envoi.
send-too-many = Plusieurs demandes sont déjà parties de cet appareil dans l'heure. Pour éviter les envois en masse aux professionnels, attendez un peu avant d'en envoyer une autre : ce que vous avez choisi est gardé ici. En cas de danger : 17 ou 112, SMS 114.
send-callback-title = Être rappelée
send-callback-heading = Être rappelée par { $organisation }
send-callback-intro = Un professionnel de { $organisation } vous rappellera au numéro et aux moments que vous indiquez ici. Dites aussi s'il peut laisser un message, et quel nom neutre il doit donner en appelant.
send-callback-phone = Le numéro où vous rappeler
send-callback-phone-hint = Un numéro que personne d'autre ne décroche ni ne consulte.
send-callback-phone-missing = Pour être rappelée, indiquez un numéro de téléphone.
send-callback-unavailable = Cette structure ne peut pas vous rappeler pour le moment. Vous pouvez l'appeler vous-même, appeler le 3919 (gratuit, jour et nuit), ou choisir une autre structure.
send-callback-consent = J'accepte que les professionnels de { $organisation } reçoivent ma demande de rappel, avec ce qui est affiché ici. Personne d'autre ne pourra la lire, pas même l'équipe de Relais.
send-callback-button = Demander à être rappelée
send-callback-sent-heading = Votre demande de rappel est envoyée
referral-status-sent = Envoyée
referral-status-sent-help = Votre demande est arrivée. Elle n'a pas encore été ouverte.
referral-status-read = Lue
referral-status-read-help = Un professionnel a lu votre demande.
referral-status-accepted = Prise en charge
referral-status-accepted-help = Un professionnel s'occupe de votre demande.
referral-status-redirected = Réorientée
referral-status-redirected-help = Votre demande a été transmise à une autre structure, plus à même de vous aider. Vous n'avez rien à refaire.
referral-status-closed = Close
referral-status-closed-help = Cette demande est close. Vous pouvez en faire une nouvelle quand vous voulez.
follow-title = Suivre ma demande
follow-intro = Entrez le code de suivi de 16 chiffres que vous avez noté après l'envoi.
follow-code = Code de suivi
follow-code-hint = 16 chiffres, avec ou sans espaces.
follow-see = Voir ma demande
follow-code-format = Le code de suivi compte 16 chiffres. Vérifiez ce que vous avez tapé.
follow-code-unknown = Nous ne trouvons pas de demande avec ce code. Vérifiez les chiffres. La demande a peut-être aussi été effacée.
follow-blocked = Trop d'essais de code depuis cet appareil. Pour protéger les demandes, réessayez dans une heure.
follow-status = Où en est votre demande :
follow-organisation = Structure qui a reçu votre demande :
follow-sent-on = Envoyée le { $date }
follow-readers-heading = Qui peut la lire
follow-readers = { $count ->
    [0] Personne de { $organisation } ne peut encore la lire : l'équipe doit d'abord s'en donner l'accès.
    [one] Une personne de { $organisation } peut lire votre demande.
   *[other] { $count } personnes de { $organisation } peuvent lire votre demande.
}
follow-history-access = Le { $date } : une personne de plus de { $organisation } peut lire votre demande.
follow-history-transferred = Le { $date } : votre demande a été confiée à { $organisation }.
follow-messages = Messages
follow-no-message = Pas encore de message.
follow-from-me = Vous
follow-from-pro = Le professionnel
follow-write = Écrire au professionnel
follow-send = Envoyer le message
follow-refresh = Actualiser
follow-message-empty = Votre message est vide.
follow-message-sent = Votre message est envoyé.
follow-closed = Cette demande est close : vous ne pouvez plus y écrire. Vous pouvez faire une nouvelle demande.
follow-delete = Supprimer ma demande
follow-delete-confirm = Supprimer votre demande ? Elle sera effacée pour vous et pour le professionnel, avec tous les messages. Cela ne peut pas être annulé.
follow-delete-yes = Oui, supprimer
follow-delete-no = Non, garder ma demande
follow-deleted = Votre demande est supprimée. Personne ne pourra plus la lire.

## Live help: "Parler maintenant" (docs/live.md)
live-title = Parler maintenant
live-explain = Vous pouvez écrire tout de suite à un professionnel de permanence, quand il y en a un pour votre situation. Cela se propose à la fin des questions d'aide.
live-offer-heading = Parler maintenant avec un professionnel
live-offer-button = Parler maintenant avec un professionnel
live-with = Un professionnel de { $organisation } peut vous répondre par écrit.
live-position = { $position ->
    [one] Vous seriez la première personne à être répondue.
   *[other] Vous seriez la { $position }e personne à être répondue.
}
live-wait-now = Une personne vous répond dès qu'elle est libre.
live-wait-minutes = Attente estimée : environ { $minutes ->
    [one] 1 minute
   *[other] { $minutes } minutes
}.
live-wait-unknown = Une personne vous répond dès qu'elle est libre.
live-nobody-heading = Personne n'est disponible pour parler maintenant
live-closed = { $organisation } répond par écrit pendant ses permanences, mais personne n'est disponible en ce moment.
live-nobody-hint = Vous pouvez demander à être rappelée, envoyer votre récit, ou appeler le 3919, gratuit et anonyme, jour et nuit. En cas de danger : 17 ou 112, SMS au 114.
live-nobody = Personne n'est disponible pour vous répondre en ce moment. Voici ce que vous pouvez faire.
live-callback = Être rappelée
live-elsewhere-heading = Autres façons d'être aidée
live-shared-heading = Ce que le professionnel verra si vous partagez vos réponses
live-shared-nothing = Vous n'avez rien écrit qui puisse être partagé.
live-shared-hint = Si vous ne partagez pas, le professionnel ne voit rien de vos réponses : vous lui dites ce que vous voulez.
live-shared-name = Votre prénom ou pseudonyme
live-shared-commune = Votre commune
live-join-share = Partager mes réponses et parler maintenant
live-join-alone = Parler sans partager mes réponses
live-room-heading = Votre conversation avec { $organisation }
live-messages = Les messages
live-your-message = Votre message
live-send = Envoyer
live-leave = Quitter la conversation
live-refresh = Voir les nouveaux messages
live-nojs-hint = Cette page se met à jour toute seule. Si elle ne bouge plus, appuyez sur « Voir les nouveaux messages ».
live-yes = Oui, d'accord
live-no = Non, merci
live-me = Vous
live-them = Le professionnel
live-delivered-short = reçu
live-delivered = Votre dernier message a été reçu.
live-reconnecting = La connexion est perdue. Nouvelle tentative…
live-waiting = Vous êtes dans la file d'attente. Vous pouvez partir à tout moment.
live-talking = Un professionnel de { $organisation } vous répond.
live-proposal-callback = Le professionnel propose que { $organisation } vous rappelle, avec ce que vous avez partagé. Êtes-vous d'accord ?
live-proposal-referral = Le professionnel propose de garder cette conversation dans une demande suivie par { $organisation }, que vous retrouverez avec un code de suivi. Êtes-vous d'accord ?
live-expired = Cette conversation est terminée. Vous pouvez en commencer une autre depuis les questions d'aide.
live-you-left = Vous avez quitté la conversation. Rien de ce qui a été écrit n'est gardé.
live-ended-person = Vous avez quitté la conversation.
live-ended-professional = Le professionnel a terminé la conversation. Rien de ce qui a été écrit n'est gardé.
live-ended-silent = La conversation s'est arrêtée, faute de nouvelles de votre page.
live-ended-lost = La connexion avec le professionnel a été perdue. Vous pouvez demander à être rappelée, ou appeler le 3919.
live-ended-nobody = Plus personne n'est disponible pour vous répondre en ce moment. Vous pouvez demander à être rappelée, ou appeler le 3919.
live-ended-kept = C'est noté : la conversation est gardée dans votre demande.

## A territory's voice, and its suspension

territory-suspended = Ce service n'est pas disponible en ce moment sur ce territoire. Les lignes nationales restent là, jour et nuit :
voice-heading = Qui vous répond ici
voice-more = Qui fait ce service, avec qui, et comment le rejoindre
voice-logo = Logo de { $name }
voice-partners = Avec
voice-join = Professionnels : rejoindre le réseau
about-title = À propos : Relais
about-heading = Qui fait ce service
about-intro = Relais est un logiciel libre. Sur chaque territoire, une association le fait vivre avec ses partenaires : ce sont eux qui vérifient les contacts que le site propose.
footer-about = À propos
