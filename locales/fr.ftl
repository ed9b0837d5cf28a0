## Menu
menu-title = 🎬 <b>MediaBot</b>
menu-account = 👤 <b>Votre compte</b>
menu-status-free = • Statut : 👤 Gratuit
menu-status-premium = • Statut : ⭐ Premium
menu-quota = • Aujourd’hui : { $used } / { $limit }
menu-downloads = • Téléchargements : { $count }
menu-quick = 📥 <b>Action rapide :</b> envoyez-moi simplement un lien !
menu-sites = <b>Plateformes :</b> YouTube • Instagram • TikTok • X • Reddit • SoundCloud • +1000 sites
button-download = 📥 Télécharger
button-history = 📜 Historique
button-help = ❓ Aide
button-admin = 🛠 Admin
button-menu = ⬅️ Menu
download-how = 📥 Envoyez-moi un lien (ou transférez un message qui en contient un) et je vous proposerai les qualités disponibles.

## Help
help-text =
    ❓ <b>Comment fonctionne MediaBot</b>

    Envoyez un lien YouTube, Instagram, TikTok, X, Reddit, SoundCloud ou de plus de 1000 sites. Je réponds par un aperçu : choisissez une qualité ou l’audio seul, et le fichier arrive ici avec une barre de progression en direct.

    <b>Commandes</b>
    /start, /menu — menu principal
    /history — vos derniers téléchargements
    /cancel — arrêter vos téléchargements en cours
    /help — cette aide

    <b>Limites</b>
    Fichiers jusqu’à { $maxUpload } · { $quota } par jour.

## Preview
preview-analyzing = 🔎 J’analyse le lien…
preview-by = 👤 { $author }
preview-duration = ⏱ { $duration }
preview-resolution = 🖼 { $resolution }
preview-live = 🔴 Direct
preview-sizes = 📦 <b>Tailles estimées</b>
preview-choose = Choisissez une qualité :
button-best = ⭐ Meilleure
button-audio = 🎵 Audio seul
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
download-done = ✅ Terminé.
download-cancelled = ✖️ Téléchargement annulé.
download-nothing-to-cancel = Rien n’est en cours.
download-cancelling = { $count ->
    [one] J’annule un téléchargement…
   *[other] J’annule { $count } téléchargements…
}

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
error-unsupported = 🤷 Je n’ai trouvé ni vidéo ni audio à ce lien.
error-unavailable = 🗑 Ce média n’est pas disponible : il a peut-être été supprimé.
error-private = 🔒 Ce média est privé ou demande une connexion : je ne peux pas le télécharger.
error-timeout = ⌛ Le site a mis trop de temps à répondre. Réessayez plus tard.
error-too-large = 📦 Ce fichier est trop gros pour Telegram ({ $limit } max), même en qualité minimale. Essayez l’audio seul ou une qualité plus basse.
error-failed = 😕 Le téléchargement a échoué. Réessayez plus tard.
error-dead = 😕 Le téléchargement a échoué après plusieurs essais. Réessayez plus tard.
error-generic = 😕 Un problème est survenu de mon côté. Réessayez.
error-forbidden = 🚫 Réservé aux administrateurs.

## Admin
admin-title = 🛠 <b>Admin</b>
admin-queue = Tâches — prêtes : { $ready } · en cours : { $leased } · terminées : { $done } · échouées : { $failed } · mortes : { $dead } · annulées : { $cancelled }
admin-cache = Cache de fichiers : { $hits } / { $total }
