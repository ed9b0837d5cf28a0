## Menu
menu-title = 🎬 <b>MediaBot</b>
menu-account = 👤 <b>Votre compte</b>
menu-status-free = • Statut : 👤 Gratuit
menu-status-premium = • Statut : ⭐ Premium jusqu’au { $until }
menu-quota = • Dernières 24 h : { $used } / { $limit }
menu-downloads = • Téléchargements : { $count }
menu-quick = 📥 <b>Action rapide :</b> envoyez-moi simplement un lien !
menu-sites = <b>Plateformes :</b> YouTube • Instagram • TikTok • X • Reddit • SoundCloud • +1000 sites
button-download = 📥 Télécharger
button-history = 📜 Historique
button-playlists = 🎵 Playlists
button-help = ❓ Aide
button-premium = ⭐ Premium
button-settings = ⚙️ Paramètres
button-news = 📢 Nouveautés
button-admin = 🔧 Admin
button-menu = ⬅️ Menu
download-how = 📥 Envoyez-moi un lien (ou transférez un message qui en contient un) et je vous proposerai les qualités disponibles.
bot-description =
    Je télécharge les vidéos et l’audio des liens que vous m’envoyez : YouTube, TikTok, Instagram, X, SoundCloud et mille autres sites.

    Envoyez un lien, choisissez une qualité, et recevez le fichier ici. Tapez mon nom dans n’importe quelle discussion pour partager vos téléchargements.
bot-short-description = Envoyez un lien, recevez la vidéo ou l’audio : YouTube, TikTok, Instagram et 1000+ sites.

## Help
help-text =
    ❓ <b>Comment fonctionne MediaBot</b>

    Envoyez un lien YouTube, Instagram, TikTok, X, Reddit, SoundCloud ou de plus de 1000 sites (la liste complète est celle de yt-dlp). Je réponds par un aperçu : le début de sa description, ses vues et ses j’aime, la taille de chaque qualité et celle qui vous convient. Choisissez une qualité ou l’audio seul (⚙️ Compresser… réencode pour tenir, ✂️ Découper envoie une longue vidéo en parties), et le fichier arrive ici avec une barre de progression en direct. ➕ l’ajoute à une playlist, 🌐 traduit un titre dans une autre langue. L’aperçu d’un direct propose des enregistrements 🔴 à la place. Redemander un média déjà téléchargé est instantané.

    <b>Commandes</b>
    /start, /menu — menu principal
    /history — vos derniers téléchargements, à renvoyer
    /stats — vos 30 derniers jours en graphique
    /recommend — des suggestions d’après vos téléchargements
    /playlist — vos playlists : créer, ajouter, voir, partager par lien et page web, inviter des collaborateurs
    /record &lt;lien&gt; &lt;minutes&gt; — enregistrer un direct
    /subs &lt;lien&gt; [langue] [traduire en] — sous-titres en .srt, traduits ou dans la vidéo
    /schedule &lt;lien&gt; &lt;quand&gt; [audio|meilleure|1080|720|480|360] — télécharger plus tard : « 20:00 », « demain 8h », « dans 2 heures », « tous les jours à 19h »
    /schedules — vos téléchargements programmés
    /batch &lt;liens…&gt; — plusieurs liens d’un coup (ou envoyez un fichier .txt, un lien par ligne, ou le lien d’une playlist)
    /settings — langue, qualité, audio, fuseau horaire…
    /premium — plus de quota avec les Telegram Stars
    /profile — votre niveau, vos XP, votre rang, votre série, vos badges et votre lien d’invitation
    /top — le classement, depuis toujours et cette semaine
    /achievements — vos badges et où vous en êtes pour les autres
    /cancel — arrêter vos téléchargements en cours
    /help — cette aide

    <b>XP et séries</b>
    10 XP par téléchargement (15 en Premium), 100 par ami arrivé grâce à votre lien d’invitation (dans /profile). Votre premier message de la journée, dans votre fuseau horaire (/settings), rapporte 5 XP ; revenir le lendemain prolonge votre 🔥 série et ajoute 20 XP. Un jour manqué, et elle repart à 1.

    <b>Votre formule : { $plan }</b>
    Fichiers jusqu’à { $maxUpload } · { $quota } sur toute période de 24 heures : ce que vous recevez compte pendant les 24 heures suivantes, quel que soit votre fuseau horaire.
    Au plus { $places } demandes en attente ou en cours à la fois, dont { $heavy ->
        [one] un seul enregistrement ou réencodage.
       *[other] { $heavy } enregistrements ou réencodages.
    }
    Premium : { $premiumQuota } sur 24 heures, dès { $cheapest } ⭐.

help-admin = /admin — utilisateurs, file d’attente, revenus et tests A/B ; grant, revoke, block, refund (administrateurs)

## Account
plan-free = Gratuit
plan-premium = Premium
news-text =
    📢 <b>Nouveautés</b>

    • Des aperçus avec le début de la description, les vues et les j’aime, les qualités réellement disponibles, leur taille et celle qui vous convient
    • Barre de progression en direct, et un bouton Annuler qui arrête tout de suite
    • Re-téléchargements instantanés : un fichier déjà envoyé est renvoyé par Telegram
    • ⚙️ Compresser et ✂️ Découper pour ce qui est trop gros pour Telegram
    • 🔴 Des directs enregistrés, depuis l’aperçu d’un lien en direct ou avec /record
    • 🎵 Des playlists partagées par lien et page web, avec des collaborateurs : /playlist
    • ⏰ Des téléchargements à l’heure choisie, en audio ou dans la qualité demandée : /schedule, /schedules
    • 📦 Plusieurs liens d’un coup, un fichier .txt ou toute une playlist : /batch
    • 📝 Des sous-titres, traduits ou dans la vidéo : /subs ; 🌐 des titres traduits depuis l’aperçu
    • 📜 Vos téléchargements et votre activité : /history, /stats ; ✨ des suggestions : /recommend
    • 🏆 XP, niveaux, séries, badges et classement : /profile, /achievements, /top
    • ⭐ Premium avec les Telegram Stars : /premium ; vos réglages : /settings ; français et anglais
quota-exceeded = 📊 <b>Quota atteint.</b> Il reste { $left } sur vos { $limit } par 24 heures ; ceci demande plus. Assez sera de nouveau libre le { $at }. /premium l’augmente.
quota-exceeded-held = 📊 <b>Quota atteint.</b> Il reste { $left } sur vos { $limit } par 24 heures ; ceci demande plus. Le reste est réservé par vos téléchargements en cours : il se libère quand ils se terminent. /premium l’augmente.
quota-exceeded-short = Quota atteint
limit-places = ⏳ Vous avez déjà { $limit } demandes en attente ou en cours, le maximum de votre formule. Réessayez quand l’une d’elles sera terminée, ou /cancel. /premium relève la limite.
limit-heavy = ⏳ Vous avez déjà { $limit ->
    [one] un enregistrement ou réencodage
   *[other] { $limit } enregistrements ou réencodages
} en attente ou en cours, le maximum de votre formule. Réessayez quand { $limit ->
    [one] il sera terminé
   *[other] l’un d’eux sera terminé
}, ou /cancel.
limit-short = Trop de demandes à la fois

## Settings
settings-title = ⚙️ <b>Paramètres</b>
settings-language = 🌐 Langue : { $value }
settings-quality = 🎞 Qualité par défaut : { $value }
settings-quality-ask = me demander
settings-audio = 🎵 Préférer l’audio : { $value }
settings-audio-format = 🎧 Fichiers audio : { $value }
settings-send = 📤 Envoi : { $value }
settings-send-video = vidéo/audio lisible
settings-send-file = fichier (document)
settings-saver = 💾 Économie de données : { $value }
settings-notifications = 🔔 Notifications : { $value }
settings-timezone = 🕒 Fuseau horaire : { $value }
settings-on = activé
settings-off = désactivé
settings-button-quality = 🎞 → { $value }
settings-button-audio = 🎵 Audio
settings-button-audio-format = 🎧 → { $value }
settings-button-send = 📤 Mode d’envoi
settings-button-saver = 💾 Économie
settings-button-notifications = 🔔 Notifications
settings-button-timezone = 🕒 Fuseau
settings-timezone-choose = 🕒 <b>Choisissez votre fuseau horaire</b>, ou envoyez <code>/settings timezone Zone/Ville</code> (par ex. Europe/Paris).
settings-timezone-invalid = ⚠️ « { $value } » n’est pas un fuseau horaire connu. Exemple : /settings timezone Europe/Paris
settings-saved = Enregistré ✓

## Premium
premium-title = ⭐ <b>MediaBot Premium</b>
premium-benefits = { $quota } de téléchargements par jour au lieu de { $free }, payés en Telegram Stars.
premium-active = ✅ Votre Premium est actif jusqu’au { $until }. Un nouvel achat s’y ajoute.
premium-plan-button = { $days } jours — { $stars } ⭐
premium-invoice-title = MediaBot Premium, { $days } jours
premium-invoice-description = Un quota quotidien plus grand pendant { $days } jours.
premium-invalid = Cette offre n’est plus valable. Rouvrez /premium.
premium-thanks = ⭐ <b>Merci !</b> Premium est actif jusqu’au { $until }.
premium-terms-line = 📜 Conditions : /terms · Aide sur un paiement : /paysupport
paysupport-text =
    🧾 <b>Aide sur un paiement</b>

    Premium se paie en Telegram Stars, dans Telegram. Si un paiement a échoué, ou si Premium n’a pas démarré, indiquez-nous la date et le nombre de Stars ; gardez le reçu envoyé par Telegram.

    Les remboursements sont faits par les admins du bot, en Stars, au compte qui a payé.

    { $contact }
paysupport-contact = 📮 Écrivez à { $contact }.
paysupport-admins = 📮 Écrivez à un admin : { $admins }.
paysupport-none = 📮 Répondez au reçu envoyé par Telegram et écrivez à l’opérateur du bot.
terms-text =
    📜 <b>Conditions d’utilisation</b>

    • MediaBot télécharge les médias dont vous lui envoyez le lien, pour votre usage. Vous êtes responsable d’avoir le droit de les télécharger et de les partager.
    • Les comptes gratuits ont { $free } de téléchargements par jour. <b>Premium</b> donne { $premium } par jour pour les jours achetés ({ $days }), payé une fois en Telegram Stars, sans renouvellement.
    • Remboursements : les admins du bot remboursent en Stars un Premium qui n’a pas fonctionné ; voir /paysupport.
    • Votre historique, vos réglages et vos partages sont gardés pour faire fonctionner le bot ; /history permet d’en retirer.

    { $contact }

## Preview
preview-analyzing = 🔎 J’analyse le lien…
preview-by = 👤 { $author }
preview-duration = ⏱ { $duration }
preview-resolution = 🖼 { $resolution }
preview-live = 🔴 Direct
preview-views = 👁 { $count } vues
preview-likes = 👍 { $count } j’aime
preview-record-choose = 🔴 <b>Enregistrer</b> ce direct pendant :
button-record-minutes = 🔴 { $minutes } min
preview-sizes = 📦 <b>Tailles estimées</b>
preview-choose = Choisissez une qualité :
button-best = ⭐ Meilleure
preview-gallery = 🖼 Album : { $photos ->
    [one] 1 image
   *[other] { $photos } images
}, { $videos ->
    [one] 1 vidéo
   *[other] { $videos } vidéos
}, { $others ->
    [one] 1 autre fichier
   *[other] { $others } autres fichiers
}

    Images et vidéos arrivent en albums de 10 au plus ; avec « envoyer en fichier » (/settings), en documents de qualité originale.
button-album = 📥 Envoyer l’album ({ $items })
button-audio = 🎵 Audio seul
audio-format-mp3 = MP3 { $kbps } kbit/s
audio-format-m4a = M4A (d’origine)
button-cancel = ✖️ Annuler
preview-cancelled = Aperçu fermé.
preview-expired = Cet aperçu a expiré : renvoyez le lien.
preview-not-yours = Cet aperçu appartient à quelqu’un d’autre.
size-unknown = taille inconnue

## Download
progress-queued = ⏳ <b>En file d’attente</b> — en attente d’un worker libre…
progress-downloading = ⬇️ <b>Téléchargement</b>
progress-processing = ⚙️ <b>Traitement</b>
progress-uploading = ⬆️ <b>Envoi vers Telegram</b>
progress-line = { $bar } { $percent }
progress-details = { $done } / { $total } · { $speed }/s · reste { $eta }
progress-details-unknown = { $done } · { $speed }/s
button-stop = ✖️ Annuler
download-started = Téléchargement…
download-cached = ⚡ Déjà disponible : je l’envoie tout de suite.
download-cancelled = ✖️ Téléchargement annulé.
download-nothing-to-cancel = Rien n’est en cours.
download-cancelling = { $count ->
    [one] J’annule un téléchargement…
   *[other] J’annule { $count } téléchargements…
}

## Share
button-share = 📤 Partager
share-message =
    🎬 <b>{ $title }</b>
    📥 À récupérer avec { $bot } : appuyez sur le bouton ci-dessous.
share-result-description = Pas encore téléchargé : envoie un lien pour l’obtenir avec { $bot }
share-open = 📥 L’obtenir avec { $bot }
share-expired = ⚠️ Ce lien partagé ne fonctionne plus : envoyez le lien de la vidéo pour l’obtenir.
inline-no-history = 📥 Rien de téléchargé : ouvrez le bot et envoyez-lui un lien
inline-no-match = 🔍 Aucun de vos téléchargements ne correspond : ouvrez le bot et envoyez-lui un lien
inline-refused-link = ⚠️ Lien impossible à ouvrir : seulement http(s)
inline-refused-private = 🚫 Les liens doivent mener à un site public
inline-refused-unresolvable = ⚠️ Je n’ai pas trouvé ce site
inline-rate-limited = 🐢 Un peu vite : réessayez dans { $seconds } s

## History
history-title = 📜 <b>Vos derniers téléchargements</b>
history-empty = 📜 Aucun téléchargement pour l’instant. Envoyez-moi un lien pour commencer !
history-item = { $icon } { $title }
    └ { $date } · { $size }

## Errors
error-no-link = 🤔 Je n’ai pas trouvé de lien dans votre message. Envoyez-moi le lien d’une vidéo ou d’une musique.
error-bad-link = ⚠️ Je ne peux pas ouvrir ce lien : seuls les liens http:// et https:// fonctionnent.
error-private-link = 🚫 Cette adresse n’est pas autorisée : le lien doit mener à un site public.
error-unresolvable = ⚠️ Je ne trouve pas ce site. Vérifiez le lien et réessayez.
error-rate-limited = 🐢 Vous allez un peu vite. Réessayez dans { $seconds } s.
error-unsupported = 🤷 Je n’ai trouvé ni vidéo ni audio à ce lien. Envoyez le lien de la page de la vidéo elle-même.
error-unavailable = 🗑 Ce média n’est pas disponible : il a peut-être été supprimé. Vérifiez le lien, ou envoyez-en un autre.
error-private = 🔒 Ce média est privé : seules les personnes autorisées par son propriétaire peuvent le voir. Envoyez un autre lien.
error-needs-login = 🔐 Le site demande une connexion, ou de prouver que je ne suis pas un robot, avant de partager ceci. Réessayez plus tard ; si cela continue, demandez à un administrateur d’ajouter des cookies pour ce site.
error-age-restricted = 🔞 Ce média est soumis à une limite d’âge : le site ne le montre qu’à un compte adulte connecté. Demandez à un administrateur d’ajouter les cookies d’un tel compte, ou envoyez un autre lien.
error-geo-blocked = 🌍 Ce média n’est pas disponible dans le pays d’où je télécharge. Envoyez un autre lien.
error-not-live-yet = ⏰ Ce direct ou cette première n’a pas encore commencé. Renvoyez le lien quand il aura commencé.
error-site-rate-limited = 🐢 Le site limite la fréquence de mes demandes. Réessayez dans une heure environ.
error-network = 📡 Je n’ai pas pu joindre le site, ou il n’a pas su répondre. Réessayez plus tard.
error-timeout = ⌛ Le site a mis trop de temps à répondre. Réessayez plus tard.
error-too-large = 📦 Ce fichier est trop gros pour Telegram ({ $limit } max), même en qualité minimale. Essayez l’audio seul ou une qualité plus basse.
error-failed = 😕 Le téléchargement a échoué. Réessayez plus tard.
error-dead = 😕 Le téléchargement a échoué après plusieurs essais. Réessayez plus tard.
error-generic = 😕 Un problème est survenu de mon côté. Réessayez.
error-undeliverable = ⚠️ Un problème est survenu en terminant votre demande pour « { $what } ». Si rien n’est arrivé, renvoyez le lien.
error-forbidden = 🚫 Réservé aux administrateurs.

## Admin
admin-title = 🔧 <b>Admin</b>
admin-users = 👥 Utilisateurs : { $users } · ⭐ premium : { $premium }
admin-today = 📥 Aujourd’hui : { $downloads } téléchargements · { $bytes }
admin-revenue = 💫 Revenus en Stars : { $stars } ⭐
admin-queue = Tâches — prêtes : { $ready } · en cours : { $leased } · terminées : { $done } · échouées : { $failed } · mortes : { $dead } · annulées : { $cancelled }
admin-undeliverable = 📭 Comptes rendus abandonnés après le dernier essai : { $count }. Derniers :
admin-undeliverable-item = • { $when } · tâche { $kind } <code>{ $job }</code> de l’utilisateur { $user } : { $error }
admin-cache = Cache de fichiers : { $hits } / { $total }
admin-commands = <code>/admin grant ID JOURS</code> · <code>/admin revoke ID</code> · <code>/admin block ID</code> · <code>/admin unblock ID</code> · <code>/admin refund CHARGE_ID</code> · <code>/admin exp</code> · <code>/cookies</code>
admin-usage = Usage : /admin [grant ID JOURS | revoke ID | block ID | unblock ID | refund CHARGE_ID | exp …]
admin-unknown-user = Aucun utilisateur avec cet identifiant.
admin-unknown-payment = Aucun paiement avec cet identifiant.
admin-already-refunded = Ce paiement a déjà été remboursé.
admin-granted = ⭐ L’utilisateur { $id } reçoit { $days } jours de Premium en plus.
admin-revoked = L’utilisateur { $id } repasse en formule gratuite.
admin-blocked = 🚫 L’utilisateur { $id } est bloqué.
admin-unblocked = ✅ L’utilisateur { $id } est débloqué.
admin-refunded = 💫 { $stars } ⭐ remboursées à l’utilisateur { $id } ; le Premium acheté a pris fin.

## Playlists
playlist-help =
    📁 <b>Playlists</b>

    /playlist create <i>nom</i> — une nouvelle playlist
    /playlist add <i>lien</i> [<i>playlist</i>] — ajouter une vidéo ou un morceau
    /playlist show [<i>playlist</i>] — ouvrir l’une des vôtres ou de celles partagées avec vous
    /playlist share [<i>playlist</i>] — un lien public (/playlist unshare le révoque)
    /playlist invite <i>playlist</i> view|edit|admin — inviter un collaborateur
    /playlist rename <i>playlist</i> <i>nouveau nom</i>
    /playlist remove [<i>playlist</i>] <i>numéro d’élément</i>
    /playlist delete <i>playlist</i>

    Une <i>playlist</i> se désigne par son numéro dans la liste ci-dessous, ou par son nom ; sans elle, votre seule playlist est utilisée, ou je demande laquelle par des boutons. Le bouton ➕ de chaque aperçu ajoute aussi à une playlist.
playlist-list-title = 📁 <b>Vos playlists</b>
playlist-list-empty = Vous n’avez pas encore de playlist : /playlist create <i>nom</i>, ou ➕ sur un aperçu.
playlist-list-item = { $number }. { $icon } <b>{ $name }</b> · { $items }{ $role }
playlist-items-count = { $count ->
    [one] 1 élément
   *[other] { $count } éléments
}
playlist-role-owner = propriétaire
playlist-role-admin = admin
playlist-role-edit = éditeur
playlist-role-view = lecteur
playlist-view-owner = 👤 { $owner } · { $items } · { $visibility }
playlist-public = 🌐 partagée par lien
playlist-private = 🔒 privée
playlist-your-role = Votre rôle : { $role }
playlist-empty = Cette playlist est vide. Envoyez-moi un lien et appuyez sur ➕ sous l’aperçu.
playlist-page = Page { $page }/{ $pages }
playlist-shared-by = 🔗 Partagée avec vous par lien.
playlist-item-position = Élément { $number } sur { $total } dans <b>{ $name }</b>
playlist-button-download-all = ⬇️ Tout télécharger
playlist-button-share = 🔗 Partager
playlist-button-invite = 👥 Inviter
playlist-button-members = 👤 Membres
playlist-button-rename = ✏️ Renommer
playlist-button-describe = 📝 Description
playlist-button-delete = 🗑 Supprimer
playlist-button-leave = 🚪 Quitter
playlist-button-copy = 📋 Copier dans mes playlists
playlist-button-back = ⬅️ Retour
playlist-button-up = ⬆️ Monter
playlist-button-down = ⬇️ Descendre
playlist-button-remove = 🗑 Retirer
playlist-button-revoke = 🚫 Révoquer le lien
playlist-button-open-app = 📱 Ouvrir la page
playlist-button-new = ➕ Nouvelle playlist
playlist-button-confirm-delete = 🗑 Oui, la supprimer
playlist-button-keep = ✖️ La garder
playlist-button-make-owner = 👑 Nommer propriétaire
playlist-button-role-view = 👁 Lecture
playlist-button-role-edit = ✏️ Modification
playlist-button-role-admin = 🛠 Admin
playlist-button-add = ➕ Ajouter à une playlist
playlist-created = ✅ Playlist <b>{ $name }</b> créée. Ajoutez-y des éléments avec ➕ sous un aperçu, ou /playlist add <i>lien</i>.
playlist-default-name = Ma playlist
playlist-choose = ➕ Ajouter <b>{ $title }</b> à quelle playlist ?
playlist-added = ✅ <b>{ $title }</b> ajouté à <b>{ $name }</b>.
playlist-already-added = ☑️ <b>{ $title }</b> est déjà dans <b>{ $name }</b>.
playlist-adding = 🔎 J’examine le lien ; il ira ensuite dans <b>{ $name }</b>.
playlist-share-text =
    🔗 <b>{ $name }</b> est partagée.

    Page web : { $page }
    Dans Telegram : { $deepLink }

    Toute personne qui a ces liens peut voir la playlist, la télécharger et la copier.
playlist-share-revoked = 🚫 Le lien vers <b>{ $name }</b> ne fonctionne plus.
playlist-invite-choose = 👥 Inviter quelqu’un dans <b>{ $name }</b> comme :
playlist-invite-text =
    👥 Invitation dans <b>{ $name }</b> comme { $role } :
    { $link }

    Elle sert une seule fois, pendant 7 jours.
playlist-invite-accepted = 🤝 Vous êtes maintenant { $role } de <b>{ $name }</b>.
playlist-invite-invalid = ⚠️ Cette invitation a expiré ou a déjà servi.
playlist-share-invalid = ⚠️ Ce lien ne fonctionne plus : la playlist n’est plus partagée ou a été supprimée.
playlist-copied = 📋 Copiée dans vos playlists sous le nom <b>{ $name }</b>.
playlist-renamed = ✏️ Renommée en <b>{ $name }</b>.
playlist-described = 📝 Description enregistrée.
playlist-ask-name = ✏️ Envoyez-moi le nouveau nom de <b>{ $name }</b>.
playlist-ask-description = 📝 Envoyez-moi la description de <b>{ $name }</b>.
playlist-delete-confirm = 🗑 Supprimer <b>{ $name }</b> ({ $items }) pour tout le monde ?
playlist-deleted = 🗑 <b>{ $name }</b> a été supprimée.
playlist-left = 🚪 Vous avez quitté <b>{ $name }</b>.
playlist-item-removed = 🗑 Retiré.
playlist-item-moved = Déplacé.
playlist-item-at-end = Il est déjà à ce bout-là.
playlist-members-title = 👥 <b>Membres de { $name }</b>
playlist-member-line = • { $name } — { $role }
playlist-member-removed = Retiré de la playlist.
playlist-transfer-confirm = 👑 Nommer <b>{ $name }</b> propriétaire de <b>{ $playlist }</b> ? Vous restez admin.
playlist-transferred = 👑 <b>{ $name }</b> est maintenant propriétaire de <b>{ $playlist }</b>.
playlist-download-started = ⬇️ Téléchargement de { $count } éléments…
playlist-nothing-to-download = Cette playlist est vide.
playlist-forbidden = 🚫 Vous n’avez pas le droit de faire cela dans cette playlist.
playlist-not-found = ⚠️ Cette playlist n’existe pas (ou plus).
playlist-unknown-ref = ⚠️ Je ne trouve pas de playlist « { $ref } ». Voir /playlist show.
playlist-full = 📦 Une playlist contient au plus { $max } éléments.
playlist-too-many = 📦 Vous avez trop de playlists ({ $max } au plus).
playlist-busy = ⏳ Trop de modifications en même temps : réessayez.
playlist-invalid = ⚠️ Ce n’est pas possible.
playlist-usage = Pas tout à fait : voir /playlist pour les commandes.
playlist-choose-show = 📁 Quelle playlist ?
playlist-choose-share = 🔗 Partager quelle playlist ?
playlist-choose-add = ➕ Ajouter { $link } à quelle playlist ?
playlist-choose-remove = 🗑 Retirer l’élément { $number } de quelle playlist ?
playlist-choice-expired = Cette question a expiré : renvoyez la commande.
playlist-none-shareable = Vous n’avez aucune playlist que vous pouvez partager : seuls son propriétaire et ses administrateurs le peuvent. Créez la vôtre avec /playlist create <i>nom</i>.
playlist-none-editable = Vous n’avez aucune playlist où ajouter. Créez-en une avec /playlist create <i>nom</i>.
playlist-no-such-item = ⚠️ Il n’y a pas d’élément { $number } dans cette playlist.

## Batches
batch-running = ⬇️ <b>{ $title }</b>
batch-finished = ✅ <b>{ $title }</b> — terminé
batch-counts = { $finished }/{ $total } · ✅ { $done } · ❌ { $failed }
batch-cancelled = ✖️ { $count } annulé(s)

## Playlist page
web-items = { $count ->
    [one] 1 élément
   *[other] { $count } éléments
}
web-by = par { $owner }
web-open-in-telegram = Ouvrir dans Telegram
web-empty = Cette playlist est vide.
web-live = direct
web-source = source
web-not-found-title = Playlist introuvable
web-not-found-text = Ce lien ne fonctionne pas : la playlist n’est plus partagée ou a été supprimée.
web-move-up = Monter
web-move-down = Descendre
web-remove = Retirer
web-rename = Renommer
web-delete = Supprimer la playlist
web-signed-in = Connecté·e comme { $name } ({ $role })
web-sign-in = Se connecter avec Telegram pour modifier
web-login-title = Connexion
web-login-text = Connectez-vous avec votre compte Telegram pour modifier cette playlist.
web-login-failed = La connexion a été refusée : données falsifiées, trop anciennes ou déjà utilisées. Rouvrez la page depuis Telegram.
web-forbidden = Vous n’avez pas le droit de faire cela.
web-app-opening = Ouverture…
web-app-no-data = Ouvrez cette page depuis Telegram.
web-login-not-started = Cette connexion n’a pas commencé sur cette page dans ce navigateur, ou a pris trop de temps. Rouvrez la page et connectez-vous.
web-blocked = Votre compte est bloqué : vous ne pouvez pas modifier de playlists.
http-body-too-large = Cette requête est trop volumineuse.
web-og-description = { $count ->
    [one] Une playlist de 1 élément, partagée sur MediaBot
   *[other] Une playlist de { $count } éléments, partagée sur MediaBot
}

## Live recording and subtitles
record-usage =
    🔴 <b>Enregistrer un direct</b>
    /record &lt;lien&gt; &lt;durée&gt;
    La durée est en minutes (<code>15</code>, <code>1.5</code>) ou avec une unité : <code>90s</code>, <code>10m</code>, <code>1h</code>.
record-too-long = ⏱ Votre formule enregistre jusqu’à { $minutes } minutes d’affilée. ⭐ Premium va jusqu’à 3 heures : /premium
record-too-long-premium = ⏱ Un enregistrement dure au plus { $minutes } minutes.
record-part = partie
record-stopping = ⏹ J’arrête et j’envoie ce qui a été enregistré…
record-ended = ⏹ L’enregistrement s’est arrêté après { $recorded } (sur { $total } demandées).
record-quota-reached = ⏹ L’enregistrement s’est arrêté après { $recorded } (sur { $total } demandées) : il a utilisé les { $reserved } de quota qu’il vous restait.
record-not-live = 📡 Ce lien n’est pas un direct en ce moment : il n’y a rien à enregistrer. Voici le téléchargement normal :
button-record-stop = ⏹ Arrêter et envoyer
progress-recording = 🔴 <b>Enregistrement</b>
progress-recorded = ⏺ { $elapsed } / { $total }
subs-usage =
    📝 <b>Sous-titres</b>
    /subs &lt;lien&gt; — choisir parmi les langues proposées
    /subs &lt;lien&gt; &lt;langue&gt; — cette langue en fichier .srt
    /subs &lt;lien&gt; &lt;langue&gt; &lt;cible&gt; — traduits dans la langue cible
    Les langues sont des codes comme <code>en</code>, <code>fr</code>, <code>es</code>.
subs-looking = 🔎 Je cherche les sous-titres…
subs-none = 🤷 Pas de sous-titres pour <b>{ $title }</b>.
subs-missing = Il n’y a pas de sous-titres en « { $language } ».
subs-choose = { $count ->
    [one] Une langue de sous-titres : choisissez-la.
   *[other] { $count } langues de sous-titres : choisissez-en une.
}
subs-automatic-note = 🤖 = faits par reconnaissance vocale
subs-original = (original)
subs-options = Sous-titres en <b>{ $language }</b> : que voulez-vous ?
button-subs-srt = 📄 Fichier de sous-titres (.srt)
button-subs-translate = 🌐 Traduits en { $language } (.srt)
button-subs-soft = 🎬 Vidéo avec sous-titres
button-subs-burned = 🔥 Vidéo avec sous-titres incrustés
button-subs-back = ⬅️ Langues
subs-translation-failed = ⚠️ La traduction n’est pas disponible pour le moment : ces sous-titres restent dans leur langue d’origine.
button-translate-title = 🌐 Traduire le titre
translate-title = 🌐 Titre traduit (langue d’origine : { $language }) :
translate-failed = ⚠️ La traduction n’est pas disponible pour le moment : voici le titre d’origine.

## Quality
quality-mark = 👍 { $label }
quality-recommended = 👍 Conseillé : { $label } · { $size } · { $reason }
quality-reason-preference = selon vos préférences
quality-reason-history = votre choix habituel
quality-reason-fits = tient dans votre quota
quality-reason-compressed = compressé pour tenir
quality-reason-unknown = taille vérifiée au téléchargement
quality-nothing-fits = ⚠️ Rien ici ne tient dans le quota qu’il vous reste.
quality-part = partie
button-compress = ⚙️ Compresser…
button-compress-low = 🗜 Basse
button-compress-medium = 🗜 Moyenne
button-compress-high = 🗜 Haute
button-split = ✂️ Découper en parties

## Gamification
button-profile = 🏆 Profil
button-achievements = 🏅 Succès
button-top = 🥇 Classement
profile-title = 🏆 <b>{ $name }</b> · niveau { $level }
profile-xp = ✨ { $xp } XP · encore { $left } XP pour le niveau { $next }
profile-rank = 🥇 Rang : #{ $place } sur { $players } · cette semaine : { $week }
profile-unranked = 🥇 Pas encore classé : votre premier téléchargement vous fait entrer au classement.
profile-streak = 🔥 Série : { $days ->
    [one] 1 jour
   *[other] { $days } jours
} (record : { $best })
profile-badges = 🏅 Badges : { $badges }
profile-no-badges = 🏅 Pas encore de badge : /achievements explique comment les gagner.
profile-invite =
    🤝 Votre lien d’invitation : { $link }
    Un ami qui arrive par ce lien et fait un premier téléchargement vous rapporte { $xp } XP.
top-title = 🏆 <b>Classement</b>
top-all-time = <b>Depuis toujours</b>
top-this-week = <b>Cette semaine</b> (depuis lundi 0 h UTC)
top-row = { $place } { $name } · niveau { $level } · { $xp } XP
top-empty = Personne pour l’instant.
top-you = Vous : #{ $place } · { $xp } XP
top-you-unranked = Vous : pas encore classé.
achievements-title = 🏅 <b>Succès</b> · { $earned }/{ $total }
achievements-earned = ✅ { $icon } <b>{ $name }</b> — { $description } · +{ $xp } XP
achievements-locked = 🔒 { $icon } <b>{ $name }</b> — { $description } · +{ $xp } XP
achievements-progress = <code>{ $bar }</code> { $done }/{ $target }
achievement-unlocked =
    🏅 <b>Succès débloqué : { $icon } { $name }</b>
    { $description } · +{ $xp } XP
xp-level-up = 🎉 <b>Niveau { $level } !</b> Vous avez { $xp } XP. Voir /profile.
referral-welcome = 🤝 Bienvenue ! Vous êtes arrivé grâce à l’invitation de { $name }.
referral-credited = 🤝 <b>{ $name }</b> est arrivé grâce à votre invitation et a fait un premier téléchargement : +{ $xp } XP.
achievement-first-download-name = Premier Pas
achievement-first-download-description = premier téléchargement
achievement-power-user-name = Power User
achievement-power-user-description = 100 téléchargements
achievement-vip-name = VIP
achievement-vip-description = abonné Premium
achievement-recruiter-name = Recruteur
achievement-recruiter-description = 10 parrainages
achievement-curator-name = Curateur
achievement-curator-description = 3 playlists créées
achievement-live-recorder-name = Reporter du direct
achievement-live-recorder-description = un direct enregistré
achievement-polyglot-name = Polyglotte
achievement-polyglot-description = des sous-titres traduits en 3 langues
achievement-night-owl-name = Oiseau de nuit
achievement-night-owl-description = un téléchargement entre minuit et 5 h
achievement-collector-name = Collectionneur
achievement-collector-description = 1 Go téléchargé
achievement-music-lover-name = Mélomane
achievement-music-lover-description = 25 téléchargements audio
achievement-streak-7-name = Habitué
achievement-streak-7-description = une série de 7 jours
achievement-streak-30-name = Inarrêtable
achievement-streak-30-description = une série de 30 jours

## History, stats, recommendations, analytics and A/B tests
button-stats = 📊 Stats
button-recommend = ✨ Pour vous
history-totals = 📊 { $downloads ->
    [one] 1 téléchargement
   *[other] { $downloads } téléchargements
} · { $bytes } · 🎬 { $videos } · 🎵 { $audio } · 🖼 { $images } · 📄 { $files }
history-empty-filter = Rien de ce type dans votre historique.
history-button-download = ⬇️ { $number }. { $title }
history-button-remove = 🗑 { $number }
history-filter-all = Tout
history-filter-video = 🎬 Vidéos
history-filter-audio = 🎵 Audio
history-filter-photo = 🖼 Images
history-filter-document = 📄 Fichiers
history-newer = ‹ Plus récents
history-older = Plus anciens ›
history-removed = Retiré de votre historique.
history-gone = Cet élément n’est plus dans votre historique.
stats-title = 📊 <b>Vos 30 derniers jours</b>
stats-summary = { $downloads ->
    [one] 1 téléchargement
   *[other] { $downloads } téléchargements
} · { $bytes }
    🎬 { $videos } · 🎵 { $audio } · 🖼 { $images } · 📄 { $files }
stats-busiest = 📅 Jour le plus actif : { $day } ({ $count })
stats-top-site = 🌐 Site préféré : { $site } ({ $count })
stats-chart-title = Votre activité, 30 derniers jours
stats-chart-per-day = Téléchargements par jour
stats-chart-top-sites = Sites les plus utilisés
stats-chart-empty = Aucun téléchargement ces 30 derniers jours
stats-kind-video = Vidéos
stats-kind-audio = Audio
stats-kind-photo = Images
stats-kind-document = Fichiers
recommend-title = ✨ <b>Choisis pour vous</b>
recommend-no-history = ✨ Téléchargez d’abord quelques médias : les suggestions viennent de votre historique.
recommend-nothing-yet = ✨ Rien de nouveau à suggérer pour l’instant. Revenez après quelques téléchargements !
recommend-reason-creator = 🎤 Plus de { $creator } : parce que vous avez téléchargé « { $because } »
recommend-reason-label = 🏷 { $label } : parce que vous avez téléchargé « { $because } »
recommend-reason-co-downloaded = 👥 Ceux qui ont téléchargé « { $because } » ont aussi pris ceci
recommend-button-download = ⬇️ { $number }. { $title }
recommend-expired = Ces suggestions ont expiré. Envoyez /recommend pour en avoir de nouvelles.
admin-actives = 🟢 Actifs : { $daily } aujourd’hui · { $weekly } sur 7 jours
admin-week = 📦 7 jours : { $downloads } téléchargements · { $bytes }
admin-cache-ratio = ♻️ Cache (7 jours) : { $ratio } ({ $hits } / { $requests } demandes)
admin-cache-ratio-none = ♻️ Cache (7 jours) : aucune demande pour l’instant
admin-failures = ⚠️ Échecs (7 jours) : { $failures }
admin-bot-checks = 🤖 Demandes de connexion et contrôles anti-robot : { $hour } dans la dernière heure · { $day } en 24 h
admin-bot-checks-spike = 🚨 Les demandes de connexion et contrôles anti-robot s’envolent : { $hour } dans la dernière heure, contre { $mean } par heure la veille. Les sites refusent peut-être l’adresse de ce serveur ou ses cookies : ajoutez des cookies frais (/cookies) ou des proxys (PROXY_URLS).
admin-top-sites = 🌐 Sites (7 jours) : { $sites }
admin-none = aucun
admin-web = 🖥 Tableau de bord web : { $url }
admin-exp-none = 🧪 Aucun test A/B. Lancez-en un avec <code>/admin exp create preview_buttons best_first:1 smallest_first:1</code>
admin-exp-title = 🧪 <b>{ $id }</b> ({ $status })
admin-exp-status-running = en cours
admin-exp-status-stopped = arrêté
admin-exp-variant = • { $name } (poids { $weight }) : { $converted }/{ $exposed } = { $rate }
admin-exp-control = · témoin
admin-exp-compare = écart { $uplift } · p = { $p }
admin-exp-usage = Usage : /admin exp [create ID variante:poids… | weights ID variante:poids… | stop ID]
admin-exp-known-variants = Le produit ne montre { $id } qu’avec ces variantes : { $variants }.
admin-exp-created = 🧪 { $id } lancé.
admin-exp-updated = 🧪 Nouveaux poids pour { $id } ; les utilisateurs déjà inclus gardent leur variante.
admin-exp-stopped = 🧪 { $id } arrêté ; tout le monde revoit la version par défaut.
admin-exp-error-exists = Une expérience { $id } existe déjà.
admin-exp-error-unknown = Aucune expérience { $id }.
admin-exp-error-stopped = { $id } est arrêté.
admin-exp-error-invalid = Une expérience demande un id (a-z, 0-9, _), au moins deux variantes distinctes et un poids positif.
web-admin-title = Administration de MediaBot
web-admin-signed-in = Connecté en tant que { $name }
web-admin-sign-in = Connectez-vous avec Telegram. Seuls les administrateurs du bot voient cette page.
web-admin-login-failed = Connexion refusée : les données étaient falsifiées, trop anciennes ou déjà utilisées.
web-admin-forbidden = Cette page est réservée aux administrateurs du bot.
web-admin-users = Utilisateurs
web-admin-premium = Utilisateurs Premium
web-admin-daily-active = Actifs aujourd’hui
web-admin-weekly-active = Actifs sur 7 jours
web-admin-downloads-today = Téléchargements du jour
web-admin-downloads-week = Téléchargements sur 7 jours
web-admin-bytes-week = Livré sur 7 jours
web-admin-cache-ratio = Taux de cache (7 jours)
web-admin-queue-depth = File d’attente
web-admin-stars = Revenus en Stars
web-admin-failures = Échecs par cause (7 jours)
web-admin-bot-checks = Demandes de connexion et contrôles anti-robot
web-admin-top-sites = Sites (7 jours)
web-admin-jobs = Tâches par état
web-admin-undeliverable = Comptes rendus abandonnés après le dernier essai ({ $count } en tout, derniers d’abord)
web-admin-when = Quand
web-admin-job = Tâche
web-admin-user = Utilisateur
web-admin-error = Dernière erreur
web-admin-experiments = Tests A/B
web-admin-experiment = Expérience
web-admin-variant = Variante
web-admin-exposed = Exposés
web-admin-converted = Convertis
web-admin-rate = Taux
web-admin-uplift = Écart
web-admin-control = témoin
admin-ytdlp = 🧩 yt-dlp : { $versions }
admin-ytdlp-version = { $version } ({ $count ->
    [one] 1 worker
   *[other] { $count } workers
})
admin-ytdlp-none = 🧩 yt-dlp : aucun worker n’a demandé de tâche depuis un jour
admin-ytdlp-stale = ⚠️ Le plus ancien yt-dlp de la flotte, { $version }, a { $days } jours (plus de { $limit }) : les sites changent, mettez-le à jour (README : « Keeping up with sites »).
web-admin-ytdlp = yt-dlp des workers (dernier jour)
web-admin-ytdlp-version = Version
web-admin-ytdlp-age = Jours depuis sa sortie
web-admin-ytdlp-workers = Workers

## Schedule
schedule-usage = ⏰ <b>Télécharger un lien plus tard</b>
    /schedule &lt;lien&gt; &lt;quand&gt; [audio|qualité], par exemple :
    /schedule https://… 20:00
    /schedule https://… demain 8h
    /schedule https://… dans 2 heures
    /schedule https://… tous les jours à 19h
    /schedule https://… 20:00 audio
    Après l’heure, <code>audio</code> ou une qualité (<code>meilleure</code>, <code>1080</code>, <code>720</code>, <code>480</code>, <code>360</code>) choisit ce que je télécharge ; sans rien, l’audio si vous le préférez (/settings), sinon ce que je recommanderais.
schedule-unparsed = 🤔 Je n’ai pas compris quand est « { $when } ». Essayez « 20:00 », « demain 8h », « dans 2 heures » ou une date.
schedule-past = ⌛ « { $when } » est déjà passé. Choisissez un moment à venir.
schedule-too-far = 📅 C’est trop loin : je programme jusqu’à { $days } jours à l’avance.
schedule-too-many = 📋 Vous avez déjà { $max } téléchargements programmés. Annulez-en un dans /schedules d’abord.
schedule-created = ⏰ <b>C’est programmé.</b> Je téléchargerai { $url }
    le <b>{ $when }</b> ({ $timezone }).
schedule-quality = 🎞 Qualité : { $quality }
schedule-repeat-daily = 🔁 Puis chaque jour à la même heure.
schedule-repeat-weekly = 🔁 Puis chaque semaine à la même heure.
schedule-every-daily = chaque jour
schedule-every-weekly = chaque semaine
schedule-button-cancel = ✖️ Annuler ce téléchargement
schedule-cancelled = ✖️ Téléchargement programmé annulé.
schedule-gone = Ce téléchargement n’est plus programmé.
schedule-list-title = ⏰ <b>Vos téléchargements programmés</b>
schedule-list-empty = ⏰ Rien de programmé. Prévoyez un téléchargement avec /schedule &lt;lien&gt; &lt;quand&gt;.
schedule-starting = ⏰ Je lance le téléchargement que vous avez programmé : { $url }
schedule-not-started = ⏰ Le téléchargement programmé n’a pas pu démarrer : { $url }

## Batch
batch-usage = 📦 <b>Télécharger plusieurs liens d’un coup</b>
    /batch &lt;lien&gt; &lt;lien&gt; …, ou envoyez-moi un fichier .txt avec un lien par ligne.
    Un lien de playlist ou de chaîne seul est d’abord listé, puis proposé en entier.
batch-title-links = { $count ->
    [one] 1 lien
   *[other] { $count } liens
}
batch-file-too-large = 📦 Ce fichier est trop gros pour une liste de liens ({ $max } au plus).
batch-file-empty = 🤔 Je n’ai trouvé aucun lien dans ce fichier : mettez un lien http(s) par ligne.
batch-capped = 📦 Votre formule télécharge { $count } liens d’un coup : les { $count } premiers sur { $total } arrivent.
batch-listing = 📚 Je lis la playlist…
batch-cancelled-waiting = { $count ->
    [one] ✖️ 1 lien en attente de vos lots ne sera pas téléchargé.
   *[other] ✖️ { $count } liens en attente de vos lots ne seront pas téléchargés.
}
batch-preview-playlist = 📚 Fait partie de <b>{ $title }</b> : { $count } éléments
batch-button-all = 📚 Les { $count } éléments
batch-playlist-offer = 📚 <b>{ $title }</b> : { $count ->
    [one] 1 élément.
   *[other] { $count } éléments.
}
batch-playlist-capped = Votre formule télécharge les { $count } premiers d’un coup.
batch-playlist-download = ⬇️ Tout télécharger ({ $count })
batch-reason-unsupported = aucune vidéo ni aucun son trouvé
batch-reason-unavailable = introuvable ou supprimé
batch-reason-private = privé
batch-reason-needs_login = le site demande une connexion
batch-reason-age_restricted = limite d’âge
batch-reason-geo_blocked = indisponible dans ce pays
batch-reason-not_live_yet = pas encore en direct
batch-reason-rate_limited = le site nous limite : réessayez plus tard
batch-reason-network = site injoignable
batch-reason-timeout = le site a mis trop de temps
batch-reason-too_large = trop gros pour Telegram
batch-reason-quota = quota atteint
batch-reason-bad_link = pas un lien que je peux ouvrir
batch-reason-failed = échec du téléchargement
batch-reason-undeliverable = n’a pas pu être terminé
batch-more-failures = … et { $count } de plus

## Cookies
cookies-title = 🍪 <b>Cookies des sites</b>
cookies-none = Aucun cookie enregistré pour l’instant.
cookies-how-to-add = Pour ajouter un jeu, envoyez un cookies.txt (format Netscape, exporté d’un navigateur connecté au site) avec la légende /cookies, ou envoyez-le maintenant : je l’attends 5 minutes. N’exportez que les cookies du site, d’un compte créé pour le bot.
cookies-set-details = { $count } cookies · ajoutés par { $who } le { $date } · { $expiry }
cookies-set-stale = ⚠️ périmé : refusé { $failures } fois de suite ; essayé après les autres
cookies-session-only = cookies de session seulement
cookies-expires = première expiration le { $date }
cookies-expired = ⚠️ un cookie a expiré le { $date }
cookies-remove = 🗑 { $n }. { $domain }
cookies-removed = Supprimé.
cookies-already-removed = Déjà supprimé.
cookies-no-key = 🔑 Impossible d’enregistrer des cookies : COOKIES_KEY n’est pas défini. Donnez-lui 32 octets aléatoires en base64 (<code>openssl rand -base64 32</code>) et redémarrez le bot.
cookies-too-large = 📦 Ce fichier est trop gros ({ $max } au plus). N’exportez que les cookies du site, pas ceux de tout le navigateur.
cookies-too-many = 🍪 Il y a déjà 50 jeux : supprimez-en d’abord.
cookies-empty = 🤔 Je n’ai trouvé aucun cookie dans ce fichier. Envoyez un cookies.txt au format Netscape : un cookie par ligne, sept champs séparés par des tabulations.
cookies-all-expired = ⌛ Tous les cookies de ce fichier ont expiré. Reconnectez-vous au site et exportez des cookies frais.
cookies-bad-line = ⚠️ La ligne { $line } n’est pas un cookie Netscape (sept champs séparés par des tabulations : domaine, TRUE/FALSE, chemin, TRUE/FALSE, expiration, nom, valeur). Rien n’a été enregistré.
cookies-bad-domain = ⚠️ La ligne { $line } ne nomme le domaine d’aucun site (un domaine comme youtube.com, avec un point). Rien n’a été enregistré.
cookies-added = ✅ { $count } cookies enregistrés pour { $domains ->
    [one] 1 site
   *[other] { $domains } sites
}{ $expired ->
    [0] {""}
   *[other] , sans { $expired } déjà expirés
}. Le message contenant le fichier a été supprimé de cette conversation.
cookies-went-stale = 🍪 Les cookies de <b>{ $domains }</b> ont été refusés { $failures } fois de suite : le compte est peut-être déconnecté ou bloqué. Exportez-en de frais et envoyez-les avec /cookies, puis supprimez l’ancien jeu.

## Groups
group-help =
    👋 <b>MediaBot dans ce groupe</b>

    • <code>/dl &lt;lien&gt;</code> télécharge un lien pour vous ; ou répondez <code>/dl</code> à un message qui en contient un.
    • L’aperçu et ses boutons sont à vous : les autres qui les pressent en sont avertis.
    • Le fichier arrive ici, en réponse à votre demande, et compte dans votre propre quota et votre historique.
    • Votre historique, vos statistiques, réglages, playlists et Premium restent dans notre conversation privée.
group-dl-usage = 🔗 Envoyez <code>/dl &lt;lien&gt;</code>, ou répondez <code>/dl</code> à un message qui contient un lien.
group-personal = 🔒 C’est personnel : je vous réponds dans notre conversation privée.
button-open-private = 💬 Ouvrir la conversation privée
