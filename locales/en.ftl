## Menu
menu-title = 🎬 <b>MediaBot</b>
menu-account = 👤 <b>Your account</b>
menu-status-free = • Plan: 👤 Free
menu-status-premium = • Plan: ⭐ Premium until { $until }
menu-quota = • Last 24 h: { $used } / { $limit }
menu-downloads = • Downloads: { $count }
menu-quick = 📥 <b>Quick start:</b> just send me a link!
menu-sites = <b>Supported:</b> YouTube • Instagram • TikTok • X • Reddit • SoundCloud • +1000 sites
button-download = 📥 Download
button-history = 📜 History
button-playlists = 🎵 Playlists
button-help = ❓ Help
button-premium = ⭐ Premium
button-settings = ⚙️ Settings
button-news = 📢 News
button-admin = 🔧 Admin
button-menu = ⬅️ Menu
download-how = 📥 Send me a link (or forward a message that contains one) and I will show you the qualities to choose from.
bot-description =
    I download videos and audio from the links you send me: YouTube, TikTok, Instagram, X, SoundCloud and a thousand more sites.

    Send a link, pick a quality, and get the file here. Type my name in any chat to share your downloads.
bot-short-description = Send a link, get the video or audio: YouTube, TikTok, Instagram and 1000+ sites.

## Help
help-text =
    ❓ <b>How MediaBot works</b>

    Send a link from YouTube, Instagram, TikTok, X, Reddit, SoundCloud or any of 1000+ sites (the full list is yt-dlp's). I answer with a preview: the start of its description, its views and likes, the size of each quality and the one that suits you. Pick a quality or audio only (⚙️ Compress… re-encodes to fit, ✂️ Split sends a long video in parts), and the file arrives here with a live progress bar. ➕ adds it to a playlist, 🌐 translates a title in another language. A live stream's preview offers 🔴 recordings instead. Asking again for something already downloaded is instant.

    <b>Commands</b>
    /start, /menu — main menu
    /history — your last downloads, to send again
    /stats — your last 30 days as a chart
    /recommend — picked for you from your downloads
    /playlist — your playlists: create, add, show, share by link and web page, invite collaborators
    /record &lt;link&gt; &lt;minutes&gt; — record a live stream
    /subs &lt;link&gt; [language] [translate to] — subtitles as .srt, translated or in the video
    /schedule &lt;link&gt; &lt;when&gt; [audio|best|1080|720|480|360] — download later: “20:00”, “tomorrow 8am”, “in 2 hours”, “every day at 7pm”
    /schedules — your scheduled downloads
    /batch &lt;links…&gt; — many links at once (or send a .txt file, one link per line, or a playlist's link)
    /settings — language, quality, audio, time zone…
    /premium — more quota with Telegram Stars
    /profile — your level, XP, rank, streak, badges and invite link
    /top — the leaderboard, all time and this week
    /achievements — your badges and how close you are to the others
    /cancel — stop your running downloads
    /help — this help

    <b>XP and streaks</b>
    10 XP per download (15 on Premium), 100 per friend who joins through your invite link (in /profile). Your first message of the day, in your time zone (/settings), gives 5 XP; coming back the next day continues your 🔥 streak and adds 20 XP. Miss a day and it starts again at 1.

    <b>Your plan: { $plan }</b>
    Files up to { $maxUpload } · { $quota } in any 24 hours: what you receive counts for the next 24 hours, whatever your time zone.
    At most { $places } requests waiting or running at once, { $heavy ->
        [one] one of them a recording or re-encoding.
       *[other] { $heavy } of them recordings or re-encodings.
    }
    Premium: { $premiumQuota } in 24 hours, from { $cheapest } ⭐.

help-admin = /admin — users, queue, revenue and A/B tests; grant, revoke, block, refund (administrators)

## Account
plan-free = Free
plan-premium = Premium
news-text =
    📢 <b>What's new</b>

    • Previews with the start of the description, views and likes, the qualities that really exist, their sizes and the one that suits you
    • Live progress bar, and a Cancel button that stops a download at once
    • Instant re-downloads: files already sent are sent again by Telegram
    • ⚙️ Compress and ✂️ Split for what is too big for Telegram
    • 🔴 Live streams recorded, from a live link's preview or with /record
    • 🎵 Playlists shared by link and web page, with collaborators: /playlist
    • ⏰ Downloads at the time you choose, in audio or the quality you name: /schedule, /schedules
    • 📦 Many links at once, a .txt file or a whole playlist: /batch
    • 📝 Subtitles, translated or in the video: /subs; 🌐 titles translated from the preview
    • 📜 Your downloads and activity: /history, /stats; ✨ suggestions: /recommend
    • 🏆 XP, levels, streaks, badges and a leaderboard: /profile, /achievements, /top
    • ⭐ Premium with Telegram Stars: /premium; your settings: /settings; French and English
quota-exceeded = 📊 <b>Quota reached.</b> { $left } left of your { $limit } per 24 hours; this needs more. Enough is free again at { $at }. /premium raises it.
quota-exceeded-held = 📊 <b>Quota reached.</b> { $left } left of your { $limit } per 24 hours; this needs more. The rest is reserved by your downloads in progress: it frees up as they finish. /premium raises it.
quota-exceeded-short = Quota reached
limit-places = ⏳ You already have { $limit } requests waiting or running, the most your plan allows at once. Try again when one has finished, or /cancel. /premium raises the limit.
limit-heavy = ⏳ You already have { $limit ->
    [one] a recording or re-encoding
   *[other] { $limit } recordings or re-encodings
} waiting or running, the most your plan allows at once. Try again when { $limit ->
    [one] it has
   *[other] one has
} finished, or /cancel.
limit-short = Too many requests at once

## Settings
settings-title = ⚙️ <b>Settings</b>
settings-language = 🌐 Language: { $value }
settings-quality = 🎞 Default quality: { $value }
settings-quality-ask = ask me
settings-audio = 🎵 Prefer audio: { $value }
settings-audio-format = 🎧 Audio files: { $value }
settings-send = 📤 Send as: { $value }
settings-send-video = playable video/audio
settings-send-file = file (document)
settings-saver = 💾 Data saver: { $value }
settings-notifications = 🔔 Notifications: { $value }
settings-timezone = 🕒 Time zone: { $value }
settings-on = on
settings-off = off
settings-button-quality = 🎞 → { $value }
settings-button-audio = 🎵 Audio
settings-button-audio-format = 🎧 → { $value }
settings-button-send = 📤 Send mode
settings-button-saver = 💾 Data saver
settings-button-notifications = 🔔 Notifications
settings-button-timezone = 🕒 Time zone
settings-timezone-choose = 🕒 <b>Choose your time zone</b>, or send <code>/settings timezone Area/City</code> (e.g. Europe/Paris).
settings-timezone-invalid = ⚠️ “{ $value }” is not a time zone I know. Example: /settings timezone Europe/Paris
settings-saved = Saved ✓

## Premium
premium-title = ⭐ <b>MediaBot Premium</b>
premium-benefits = { $quota } of downloads a day instead of { $free }, paid with Telegram Stars.
premium-active = ✅ Your Premium runs until { $until }. Buying again adds to it.
premium-plan-button = { $days } days — { $stars } ⭐
premium-invoice-title = MediaBot Premium, { $days } days
premium-invoice-description = A bigger daily download quota for { $days } days.
premium-invalid = This offer is no longer valid. Open /premium again.
premium-thanks = ⭐ <b>Thank you!</b> Premium is active until { $until }.
premium-terms-line = 📜 Terms: /terms · Help with a payment: /paysupport
paysupport-text =
    🧾 <b>Help with a payment</b>

    Premium is paid in Telegram Stars, inside Telegram. If a payment went wrong, or Premium did not start, tell us the date and the number of Stars; keep the receipt Telegram sent you.

    Refunds are made by the bot's admins, in Stars, to the account that paid.

    { $contact }
paysupport-contact = 📮 Write to { $contact }.
paysupport-admins = 📮 Write to an admin: { $admins }.
paysupport-none = 📮 Reply to the receipt Telegram sent you and write to the bot's operator.
terms-text =
    📜 <b>Terms of use</b>

    • MediaBot downloads the media you send it links to, for your own use. You are responsible for having the right to download and share it.
    • Free accounts get { $free } of downloads a day. <b>Premium</b> gives { $premium } a day for the days bought ({ $days }), paid once in Telegram Stars, without renewal.
    • Refunds: the bot's admins refund Stars for a Premium that did not work; see /paysupport.
    • Your history, settings and shares are kept to run the bot; /history lets you remove entries.

    { $contact }

## Preview
preview-analyzing = 🔎 Looking at the link…
preview-by = 👤 { $author }
preview-duration = ⏱ { $duration }
preview-resolution = 🖼 { $resolution }
preview-live = 🔴 Live stream
preview-views = 👁 { $count } views
preview-likes = 👍 { $count } likes
preview-record-choose = 🔴 <b>Record</b> this live stream for:
button-record-minutes = 🔴 { $minutes } min
preview-sizes = 📦 <b>Estimated sizes</b>
preview-choose = Choose a quality:
button-best = ⭐ Best
preview-gallery = 🖼 Album: { $photos ->
    [one] 1 image
   *[other] { $photos } images
}, { $videos ->
    [one] 1 video
   *[other] { $videos } videos
}, { $others ->
    [one] 1 other file
   *[other] { $others } other files
}

    Images and videos come as albums of up to 10; with “send as file” (/settings), as documents in their original quality.
button-album = 📥 Send the album ({ $items })
button-audio = 🎵 Audio only
audio-format-mp3 = MP3 { $kbps } kbps
audio-format-m4a = M4A (original)
button-cancel = ✖️ Cancel
preview-cancelled = Preview closed.
preview-expired = This preview has expired: send the link again.
preview-not-yours = This preview belongs to someone else.
size-unknown = size unknown

## Download
progress-queued = ⏳ <b>Queued</b> — waiting for a free worker…
progress-downloading = ⬇️ <b>Downloading</b>
progress-processing = ⚙️ <b>Processing</b>
progress-uploading = ⬆️ <b>Uploading to Telegram</b>
progress-line = { $bar } { $percent }
progress-details = { $done } / { $total } · { $speed }/s · ETA { $eta }
progress-details-unknown = { $done } · { $speed }/s
button-stop = ✖️ Cancel
download-started = Downloading…
download-cached = ⚡ Already here: sending it now.
download-cancelled = ✖️ Download cancelled.
download-nothing-to-cancel = Nothing is running.
download-cancelling = { $count ->
    [one] Cancelling one download…
   *[other] Cancelling { $count } downloads…
}

## Share
button-share = 📤 Share
share-message =
    🎬 <b>{ $title }</b>
    📥 Get it from { $bot }: press the button below.
share-result-description = Not downloaded yet: sends a link to get it from { $bot }
share-open = 📥 Get it from { $bot }
share-expired = ⚠️ This shared link no longer works: send the video’s link to get it.
inline-no-history = 📥 Nothing downloaded yet: open the bot and send it a link
inline-no-match = 🔍 None of your downloads match: open the bot and send it a link
inline-refused-link = ⚠️ Not a link I can open: only http(s) links
inline-refused-private = 🚫 Links must point to a public website
inline-refused-unresolvable = ⚠️ I could not find that website
inline-rate-limited = 🐢 A bit fast: try again in { $seconds } s

## History
history-title = 📜 <b>Your last downloads</b>
history-empty = 📜 Nothing downloaded yet. Send me a link to start!
history-item = { $icon } { $title }
    └ { $date } · { $size }

## Errors
error-no-link = 🤔 I did not find a link in your message. Send me a link to a video or a song.
error-bad-link = ⚠️ That is not a link I can open: only http:// and https:// links work.
error-private-link = 🚫 That address is not allowed: links must point to a public website.
error-unresolvable = ⚠️ I could not find that website. Check the link and try again.
error-rate-limited = 🐢 You are going a bit fast. Try again in { $seconds } s.
error-unsupported = 🤷 I could not find any video or audio at that link. Send the link of the video's own page.
error-unavailable = 🗑 That media is unavailable: it may have been removed. Check the link, or send another one.
error-private = 🔒 That media is private: only the people its owner allows can see it. Send another link.
error-needs-login = 🔐 The site asks for a sign-in, or to prove I am not a robot, before it shares this. Try again later; if it keeps happening, ask an admin to add cookies for this site.
error-age-restricted = 🔞 That media is age-restricted: the site shows it only to a signed-in adult account. Ask an admin to add such an account's cookies, or send another link.
error-geo-blocked = 🌍 That media is not available in the country I download from. Send another link.
error-not-live-yet = ⏰ That live stream or premiere has not started yet. Send the link again once it has.
error-site-rate-limited = 🐢 The site is limiting how often I may ask it. Try again in an hour or so.
error-network = 📡 I could not reach the site, or it failed to answer. Try again later.
error-timeout = ⌛ The site took too long to answer. Try again later.
error-too-large = 📦 That file is too large for Telegram ({ $limit } max), even at the lowest quality. Try audio only or a lower quality.
error-failed = 😕 The download failed. Please try again later.
error-dead = 😕 The download failed after several attempts. Please try again later.
error-generic = 😕 Something went wrong on my side. Please try again.
error-undeliverable = ⚠️ Something went wrong while finishing your request for “{ $what }”. If nothing came, please send the link again.
error-forbidden = 🚫 This is for administrators only.

## Admin
admin-title = 🔧 <b>Admin</b>
admin-users = 👥 Users: { $users } · ⭐ premium: { $premium }
admin-today = 📥 Today: { $downloads } downloads · { $bytes }
admin-revenue = 💫 Stars revenue: { $stars } ⭐
admin-queue = Jobs — ready: { $ready } · running: { $leased } · done: { $done } · failed: { $failed } · dead: { $dead } · cancelled: { $cancelled }
admin-undeliverable = 📭 Reports given up after their last attempt: { $count }. Latest:
admin-undeliverable-item = • { $when } · { $kind } job <code>{ $job }</code> of user { $user }: { $error }
admin-cache = File cache hits: { $hits } / { $total }
admin-commands = <code>/admin grant ID DAYS</code> · <code>/admin revoke ID</code> · <code>/admin block ID</code> · <code>/admin unblock ID</code> · <code>/admin refund CHARGE_ID</code> · <code>/admin exp</code> · <code>/cookies</code>
admin-usage = Usage: /admin [grant ID DAYS | revoke ID | block ID | unblock ID | refund CHARGE_ID | exp …]
admin-unknown-user = No user with that id.
admin-unknown-payment = No payment with that charge id.
admin-already-refunded = That payment was already refunded.
admin-granted = ⭐ User { $id } gets { $days } more days of Premium.
admin-revoked = User { $id } is back on the free plan.
admin-blocked = 🚫 User { $id } is blocked.
admin-unblocked = ✅ User { $id } is unblocked.
admin-refunded = 💫 { $stars } ⭐ refunded to user { $id }; the Premium it bought has ended.

## Playlists
playlist-help =
    📁 <b>Playlists</b>

    /playlist create <i>name</i> — a new playlist
    /playlist add <i>link</i> [<i>playlist</i>] — add a video or a song
    /playlist show [<i>playlist</i>] — open one of yours or of those shared with you
    /playlist share [<i>playlist</i>] — a public link (/playlist unshare revokes it)
    /playlist invite <i>playlist</i> view|edit|admin — invite a collaborator
    /playlist rename <i>playlist</i> <i>new name</i>
    /playlist remove [<i>playlist</i>] <i>item number</i>
    /playlist delete <i>playlist</i>

    A <i>playlist</i> is its number in the list below, or its name; left out, your only playlist is used, or I ask which by buttons. The ➕ button on every preview adds to a playlist too.
playlist-list-title = 📁 <b>Your playlists</b>
playlist-list-empty = You have no playlist yet: /playlist create <i>name</i>, or ➕ on a preview.
playlist-list-item = { $number }. { $icon } <b>{ $name }</b> · { $items }{ $role }
playlist-items-count = { $count ->
    [one] 1 item
   *[other] { $count } items
}
playlist-role-owner = owner
playlist-role-admin = admin
playlist-role-edit = editor
playlist-role-view = viewer
playlist-view-owner = 👤 { $owner } · { $items } · { $visibility }
playlist-public = 🌐 shared by link
playlist-private = 🔒 private
playlist-your-role = Your role: { $role }
playlist-empty = This playlist is empty. Send me a link and press ➕ on the preview.
playlist-page = Page { $page }/{ $pages }
playlist-shared-by = 🔗 Shared with you by link.
playlist-item-position = Item { $number } of { $total } in <b>{ $name }</b>
playlist-button-download-all = ⬇️ Download all
playlist-button-share = 🔗 Share
playlist-button-invite = 👥 Invite
playlist-button-members = 👤 Members
playlist-button-rename = ✏️ Rename
playlist-button-describe = 📝 Description
playlist-button-delete = 🗑 Delete
playlist-button-leave = 🚪 Leave
playlist-button-copy = 📋 Copy to my playlists
playlist-button-back = ⬅️ Back
playlist-button-up = ⬆️ Up
playlist-button-down = ⬇️ Down
playlist-button-remove = 🗑 Remove
playlist-button-revoke = 🚫 Revoke the link
playlist-button-open-app = 📱 Open the page
playlist-button-new = ➕ New playlist
playlist-button-confirm-delete = 🗑 Yes, delete it
playlist-button-keep = ✖️ Keep it
playlist-button-make-owner = 👑 Make owner
playlist-button-role-view = 👁 Can view
playlist-button-role-edit = ✏️ Can edit
playlist-button-role-admin = 🛠 Admin
playlist-button-add = ➕ Add to playlist
playlist-created = ✅ Playlist <b>{ $name }</b> created. Add to it with ➕ on a preview, or /playlist add <i>link</i>.
playlist-default-name = My playlist
playlist-choose = ➕ Add <b>{ $title }</b> to which playlist?
playlist-added = ✅ <b>{ $title }</b> added to <b>{ $name }</b>.
playlist-already-added = ☑️ <b>{ $title }</b> is already in <b>{ $name }</b>.
playlist-adding = 🔎 Looking at the link; it goes into <b>{ $name }</b> next.
playlist-share-text =
    🔗 <b>{ $name }</b> is shared.

    Web page: { $page }
    In Telegram: { $deepLink }

    Anyone with these links can see the playlist, download it and copy it.
playlist-share-revoked = 🚫 The link to <b>{ $name }</b> no longer works.
playlist-invite-choose = 👥 Invite someone to <b>{ $name }</b> as:
playlist-invite-text =
    👥 Invite to <b>{ $name }</b> as { $role }:
    { $link }

    It works once, for 7 days.
playlist-invite-accepted = 🤝 You are now { $role } of <b>{ $name }</b>.
playlist-invite-invalid = ⚠️ This invite has expired or was already used.
playlist-share-invalid = ⚠️ This link no longer works: the playlist was unshared or deleted.
playlist-copied = 📋 Copied to your playlists as <b>{ $name }</b>.
playlist-renamed = ✏️ Renamed to <b>{ $name }</b>.
playlist-described = 📝 Description saved.
playlist-ask-name = ✏️ Send me the new name of <b>{ $name }</b>.
playlist-ask-description = 📝 Send me the description of <b>{ $name }</b>.
playlist-delete-confirm = 🗑 Delete <b>{ $name }</b> ({ $items }) for everyone?
playlist-deleted = 🗑 <b>{ $name }</b> was deleted.
playlist-left = 🚪 You left <b>{ $name }</b>.
playlist-item-removed = 🗑 Removed.
playlist-item-moved = Moved.
playlist-item-at-end = It is already at that end.
playlist-members-title = 👥 <b>Members of { $name }</b>
playlist-member-line = • { $name } — { $role }
playlist-member-removed = Removed from the playlist.
playlist-transfer-confirm = 👑 Make <b>{ $name }</b> the owner of <b>{ $playlist }</b>? You stay on as admin.
playlist-transferred = 👑 <b>{ $name }</b> now owns <b>{ $playlist }</b>.
playlist-download-started = ⬇️ Downloading { $count } items…
playlist-nothing-to-download = This playlist is empty.
playlist-forbidden = 🚫 You are not allowed to do that in this playlist.
playlist-not-found = ⚠️ This playlist does not exist (any more).
playlist-unknown-ref = ⚠️ I found no playlist “{ $ref }”. See /playlist show.
playlist-full = 📦 A playlist holds { $max } items at most.
playlist-too-many = 📦 You have too many playlists ({ $max } at most).
playlist-busy = ⏳ Many changes at once: please try again.
playlist-invalid = ⚠️ That cannot be done.
playlist-usage = Not quite: see /playlist for the commands.
playlist-choose-show = 📁 Which playlist?
playlist-choose-share = 🔗 Share which playlist?
playlist-choose-add = ➕ Add { $link } to which playlist?
playlist-choose-remove = 🗑 Remove item { $number } from which playlist?
playlist-choice-expired = This question has expired: send the command again.
playlist-none-shareable = You have no playlist you can share: only its owner and admins can. Create your own with /playlist create <i>name</i>.
playlist-none-editable = You have no playlist you can add to. Create one with /playlist create <i>name</i>.
playlist-no-such-item = ⚠️ There is no item { $number } in this playlist.

## Batches
batch-running = ⬇️ <b>{ $title }</b>
batch-finished = ✅ <b>{ $title }</b> — finished
batch-counts = { $finished }/{ $total } · ✅ { $done } · ❌ { $failed }
batch-cancelled = ✖️ { $count } cancelled

## Playlist page
web-items = { $count ->
    [one] 1 item
   *[other] { $count } items
}
web-by = by { $owner }
web-open-in-telegram = Open in Telegram
web-empty = This playlist is empty.
web-live = live
web-source = source
web-not-found-title = Playlist not found
web-not-found-text = This link does not work: the playlist was unshared or deleted.
web-move-up = Move up
web-move-down = Move down
web-remove = Remove
web-rename = Rename
web-delete = Delete the playlist
web-signed-in = Signed in as { $name } ({ $role })
web-sign-in = Sign in with Telegram to edit
web-login-title = Sign in
web-login-text = Sign in with your Telegram account to edit this playlist.
web-login-failed = The sign-in was refused: the data was forged, too old or already used. Open the page again from Telegram.
web-forbidden = You are not allowed to do that.
web-app-opening = Opening…
web-app-no-data = Open this page from Telegram.
web-login-not-started = This sign-in did not start from this page in this browser, or took too long. Open the page again and sign in.
web-blocked = Your account is blocked: you cannot edit playlists.
http-body-too-large = This request is too large.
web-og-description = { $count ->
    [one] A playlist of 1 item, shared on MediaBot
   *[other] A playlist of { $count } items, shared on MediaBot
}

## Live recording and subtitles
record-usage =
    🔴 <b>Record a live stream</b>
    /record &lt;link&gt; &lt;duration&gt;
    The duration is in minutes (<code>15</code>, <code>1.5</code>) or with a unit: <code>90s</code>, <code>10m</code>, <code>1h</code>.
record-too-long = ⏱ Your plan records up to { $minutes } minutes at a time. ⭐ Premium goes up to 3 hours: /premium
record-too-long-premium = ⏱ Recordings last at most { $minutes } minutes.
record-part = part
record-stopping = ⏹ Stopping: sending what was recorded…
record-ended = ⏹ The recording ended after { $recorded } (of { $total } asked).
record-quota-reached = ⏹ The recording ended after { $recorded } (of { $total } asked): it used the { $reserved } of quota you had left.
record-not-live = 📡 This link is not a live stream right now, so there is nothing to record. Here is the normal download instead:
button-record-stop = ⏹ Stop and send
progress-recording = 🔴 <b>Recording</b>
progress-recorded = ⏺ { $elapsed } / { $total }
subs-usage =
    📝 <b>Subtitles</b>
    /subs &lt;link&gt; — choose among the languages on offer
    /subs &lt;link&gt; &lt;language&gt; — that language as an .srt file
    /subs &lt;link&gt; &lt;language&gt; &lt;target&gt; — translated into the target language
    Languages are codes such as <code>en</code>, <code>fr</code>, <code>es</code>.
subs-looking = 🔎 Looking for subtitles…
subs-none = 🤷 No subtitles for <b>{ $title }</b>.
subs-missing = There are no subtitles in “{ $language }”.
subs-choose = { $count ->
    [one] One subtitle language: choose it.
   *[other] { $count } subtitle languages: choose one.
}
subs-automatic-note = 🤖 = made by speech recognition
subs-original = (original)
subs-options = Subtitles in <b>{ $language }</b>: what would you like?
button-subs-srt = 📄 Subtitle file (.srt)
button-subs-translate = 🌐 Translated into { $language } (.srt)
button-subs-soft = 🎬 Video with subtitles
button-subs-burned = 🔥 Video with subtitles burned in
button-subs-back = ⬅️ Languages
subs-translation-failed = ⚠️ The translation is unavailable right now: these subtitles keep their original language.
button-translate-title = 🌐 Translate title
translate-title = 🌐 Title translated (original language: { $language }):
translate-failed = ⚠️ The translation is unavailable right now: this is the original title.

## Quality
quality-mark = 👍 { $label }
quality-recommended = 👍 Recommended: { $label } · { $size } · { $reason }
quality-reason-preference = your preference
quality-reason-history = your usual choice
quality-reason-fits = fits your quota
quality-reason-compressed = compressed to fit
quality-reason-unknown = size checked while downloading
quality-nothing-fits = ⚠️ Nothing here fits the quota you have left.
quality-part = part
button-compress = ⚙️ Compress…
button-compress-low = 🗜 Low
button-compress-medium = 🗜 Medium
button-compress-high = 🗜 High
button-split = ✂️ Split into parts

## Gamification
button-profile = 🏆 Profile
button-achievements = 🏅 Achievements
button-top = 🥇 Top
profile-title = 🏆 <b>{ $name }</b> · level { $level }
profile-xp = ✨ { $xp } XP · { $left } XP to level { $next }
profile-rank = 🥇 Rank: #{ $place } of { $players } · this week: { $week }
profile-unranked = 🥇 Not ranked yet: your first download puts you on the board.
profile-streak = 🔥 Streak: { $days ->
    [one] 1 day
   *[other] { $days } days
} (best: { $best })
profile-badges = 🏅 Badges: { $badges }
profile-no-badges = 🏅 No badges yet: /achievements shows how to earn them.
profile-invite =
    🤝 Your invite link: { $link }
    A friend who joins through it and makes a first download brings you { $xp } XP.
top-title = 🏆 <b>Leaderboard</b>
top-all-time = <b>All time</b>
top-this-week = <b>This week</b> (since Monday 00:00 UTC)
top-row = { $place } { $name } · level { $level } · { $xp } XP
top-empty = Nobody yet.
top-you = You: #{ $place } · { $xp } XP
top-you-unranked = You: not ranked yet.
achievements-title = 🏅 <b>Achievements</b> · { $earned }/{ $total }
achievements-earned = ✅ { $icon } <b>{ $name }</b> — { $description } · +{ $xp } XP
achievements-locked = 🔒 { $icon } <b>{ $name }</b> — { $description } · +{ $xp } XP
achievements-progress = <code>{ $bar }</code> { $done }/{ $target }
achievement-unlocked =
    🏅 <b>Achievement unlocked: { $icon } { $name }</b>
    { $description } · +{ $xp } XP
xp-level-up = 🎉 <b>Level { $level }!</b> You have { $xp } XP. See /profile.
referral-welcome = 🤝 Welcome! You came through { $name }’s invite.
referral-credited = 🤝 <b>{ $name }</b> joined through your invite and made a first download: +{ $xp } XP.
achievement-first-download-name = First Steps
achievement-first-download-description = your first download
achievement-power-user-name = Power User
achievement-power-user-description = 100 downloads
achievement-vip-name = VIP
achievement-vip-description = a Premium member
achievement-recruiter-name = Recruiter
achievement-recruiter-description = 10 friends invited
achievement-curator-name = Curator
achievement-curator-description = 3 playlists created
achievement-live-recorder-name = Live Recorder
achievement-live-recorder-description = a live stream recorded
achievement-polyglot-name = Polyglot
achievement-polyglot-description = subtitles translated into 3 languages
achievement-night-owl-name = Night Owl
achievement-night-owl-description = a download between midnight and 5 a.m.
achievement-collector-name = Collector
achievement-collector-description = 1 GB downloaded
achievement-music-lover-name = Music Lover
achievement-music-lover-description = 25 audio downloads
achievement-streak-7-name = Regular
achievement-streak-7-description = a 7-day streak
achievement-streak-30-name = Unstoppable
achievement-streak-30-description = a 30-day streak

## History, stats, recommendations, analytics and A/B tests
button-stats = 📊 Stats
button-recommend = ✨ For you
history-totals = 📊 { $downloads ->
    [one] 1 download
   *[other] { $downloads } downloads
} · { $bytes } · 🎬 { $videos } · 🎵 { $audio } · 🖼 { $images } · 📄 { $files }
history-empty-filter = Nothing of this kind in your history.
history-button-download = ⬇️ { $number }. { $title }
history-button-remove = 🗑 { $number }
history-filter-all = All
history-filter-video = 🎬 Videos
history-filter-audio = 🎵 Audio
history-filter-photo = 🖼 Images
history-filter-document = 📄 Files
history-newer = ‹ Newer
history-older = Older ›
history-removed = Removed from your history.
history-gone = That item is no longer in your history.
stats-title = 📊 <b>Your last 30 days</b>
stats-summary = { $downloads ->
    [one] 1 download
   *[other] { $downloads } downloads
} · { $bytes }
    🎬 { $videos } · 🎵 { $audio } · 🖼 { $images } · 📄 { $files }
stats-busiest = 📅 Busiest day: { $day } ({ $count })
stats-top-site = 🌐 Top site: { $site } ({ $count })
stats-chart-title = Your activity, last 30 days
stats-chart-per-day = Downloads per day
stats-chart-top-sites = Top sites
stats-chart-empty = No downloads in the last 30 days
stats-kind-video = Videos
stats-kind-audio = Audio
stats-kind-photo = Images
stats-kind-document = Files
recommend-title = ✨ <b>Picked for you</b>
recommend-no-history = ✨ Download a few things first: recommendations come from your history.
recommend-nothing-yet = ✨ Nothing new to suggest yet. Come back after a few more downloads!
recommend-reason-creator = 🎤 More from { $creator }: because you downloaded “{ $because }”
recommend-reason-label = 🏷 { $label }: because you downloaded “{ $because }”
recommend-reason-co-downloaded = 👥 People who downloaded “{ $because }” also got this
recommend-button-download = ⬇️ { $number }. { $title }
recommend-expired = These suggestions expired. Send /recommend for fresh ones.
admin-actives = 🟢 Active: { $daily } today · { $weekly } in 7 days
admin-week = 📦 7 days: { $downloads } downloads · { $bytes }
admin-cache-ratio = ♻️ Cache hits (7 days): { $ratio } ({ $hits } / { $requests } requests)
admin-cache-ratio-none = ♻️ Cache hits (7 days): no requests yet
admin-failures = ⚠️ Failures (7 days): { $failures }
admin-bot-checks = 🤖 Sign-in and bot checks: { $hour } in the last hour · { $day } in 24 h
admin-bot-checks-spike = 🚨 Sign-in and bot checks are spiking: { $hour } in the last hour, against { $mean } an hour the day before. The sites may be refusing this server's address or its cookies: add fresh cookies (/cookies) or proxies (PROXY_URLS).
admin-top-sites = 🌐 Top sites (7 days): { $sites }
admin-none = none
admin-web = 🖥 Web dashboard: { $url }
admin-exp-none = 🧪 No A/B tests. Start one with <code>/admin exp create preview_buttons best_first:1 smallest_first:1</code>
admin-exp-title = 🧪 <b>{ $id }</b> ({ $status })
admin-exp-status-running = running
admin-exp-status-stopped = stopped
admin-exp-variant = • { $name } (weight { $weight }): { $converted }/{ $exposed } = { $rate }
admin-exp-control = · control
admin-exp-compare = uplift { $uplift } · p = { $p }
admin-exp-usage = Usage: /admin exp [create ID variant:weight… | weights ID variant:weight… | stop ID]
admin-exp-known-variants = The product shows { $id } with these variants only: { $variants }.
admin-exp-created = 🧪 { $id } started.
admin-exp-updated = 🧪 New weights for { $id }; users already in it keep their variant.
admin-exp-stopped = 🧪 { $id } stopped; everyone sees the default again.
admin-exp-error-exists = An experiment { $id } already exists.
admin-exp-error-unknown = No experiment { $id }.
admin-exp-error-stopped = { $id } is stopped.
admin-exp-error-invalid = An experiment needs an id (a-z, 0-9, _), two or more distinct variants, and a positive weight.
web-admin-title = MediaBot admin
web-admin-signed-in = Signed in as { $name }
web-admin-sign-in = Sign in with Telegram. Only the bot's admins can see this page.
web-admin-login-failed = The sign-in was refused: the data was forged, too old or already used.
web-admin-forbidden = This page is for the bot's admins only.
web-admin-users = Users
web-admin-premium = Premium users
web-admin-daily-active = Active today
web-admin-weekly-active = Active in 7 days
web-admin-downloads-today = Downloads today
web-admin-downloads-week = Downloads in 7 days
web-admin-bytes-week = Delivered in 7 days
web-admin-cache-ratio = Cache hit ratio (7 days)
web-admin-queue-depth = Queue depth
web-admin-stars = Stars revenue
web-admin-failures = Failures by reason (7 days)
web-admin-bot-checks = Sign-in and bot checks
web-admin-top-sites = Top sites (7 days)
web-admin-jobs = Jobs by state
web-admin-undeliverable = Reports given up after their last attempt ({ $count } in all, latest first)
web-admin-when = When
web-admin-job = Job
web-admin-user = User
web-admin-error = Last error
web-admin-experiments = A/B tests
web-admin-experiment = Experiment
web-admin-variant = Variant
web-admin-exposed = Exposed
web-admin-converted = Converted
web-admin-rate = Rate
web-admin-uplift = Uplift
web-admin-control = control
admin-ytdlp = 🧩 yt-dlp: { $versions }
admin-ytdlp-version = { $version } ({ $count ->
    [one] 1 worker
   *[other] { $count } workers
})
admin-ytdlp-none = 🧩 yt-dlp: no worker has claimed a job in the last day
admin-ytdlp-stale = ⚠️ The oldest yt-dlp in the fleet, { $version }, is { $days } days old (over { $limit }): sites change, update it (README: “Keeping up with sites”).
web-admin-ytdlp = yt-dlp of the workers (last day)
web-admin-ytdlp-version = Version
web-admin-ytdlp-age = Days since its release
web-admin-ytdlp-workers = Workers

## Schedule
schedule-usage = ⏰ <b>Download a link later</b>
    /schedule &lt;link&gt; &lt;when&gt; [audio|quality], for example:
    /schedule https://… 20:00
    /schedule https://… tomorrow 8am
    /schedule https://… in 2 hours
    /schedule https://… every day at 7pm
    /schedule https://… 20:00 audio
    After the time, <code>audio</code> or a quality (<code>best</code>, <code>1080</code>, <code>720</code>, <code>480</code>, <code>360</code>) chooses what I download; without one, audio if you prefer it (/settings), else what I would recommend.
schedule-unparsed = 🤔 I did not understand when “{ $when }” is. Try “20:00”, “tomorrow 8am”, “in 2 hours” or a date.
schedule-past = ⌛ “{ $when }” is already past. Pick a time to come.
schedule-too-far = 📅 That is too far ahead: I schedule up to { $days } days in advance.
schedule-too-many = 📋 You already have { $max } scheduled downloads. Cancel one in /schedules first.
schedule-created = ⏰ <b>Scheduled.</b> I will download { $url }
    on <b>{ $when }</b> ({ $timezone }).
schedule-quality = 🎞 Quality: { $quality }
schedule-repeat-daily = 🔁 Then every day at the same time.
schedule-repeat-weekly = 🔁 Then every week at the same time.
schedule-every-daily = every day
schedule-every-weekly = every week
schedule-button-cancel = ✖️ Cancel this download
schedule-cancelled = ✖️ Scheduled download cancelled.
schedule-gone = This scheduled download is no longer planned.
schedule-list-title = ⏰ <b>Your scheduled downloads</b>
schedule-list-empty = ⏰ Nothing scheduled. Plan a download with /schedule &lt;link&gt; &lt;when&gt;.
schedule-starting = ⏰ Starting the download you scheduled: { $url }
schedule-not-started = ⏰ The download you scheduled could not start: { $url }

## Batch
batch-usage = 📦 <b>Download many links at once</b>
    /batch &lt;link&gt; &lt;link&gt; …, or send me a .txt file with one link per line.
    A playlist or channel link on its own is listed first, then offered as a whole.
batch-title-links = { $count ->
    [one] 1 link
   *[other] { $count } links
}
batch-file-too-large = 📦 That file is too large for a list of links ({ $max } at most).
batch-file-empty = 🤔 I found no link in that file: put one http(s) link per line.
batch-capped = 📦 Your plan downloads { $count } links at once: the first { $count } of { $total } are on their way.
batch-listing = 📚 Reading the playlist…
batch-cancelled-waiting = { $count ->
    [one] ✖️ 1 waiting link of your batches will not be downloaded.
   *[other] ✖️ { $count } waiting links of your batches will not be downloaded.
}
batch-preview-playlist = 📚 Part of <b>{ $title }</b>: { $count } items
batch-button-all = 📚 All { $count } items
batch-playlist-offer = 📚 <b>{ $title }</b>: { $count ->
    [one] 1 item.
   *[other] { $count } items.
}
batch-playlist-capped = Your plan downloads the first { $count } at once.
batch-playlist-download = ⬇️ Download all { $count }
batch-reason-unsupported = no video or audio found
batch-reason-unavailable = not found or removed
batch-reason-private = private
batch-reason-needs_login = the site asks for a sign-in
batch-reason-age_restricted = age-restricted
batch-reason-geo_blocked = not available in this country
batch-reason-not_live_yet = not live yet
batch-reason-rate_limited = the site is limiting us: try later
batch-reason-network = the site could not be reached
batch-reason-timeout = the site took too long
batch-reason-too_large = too large for Telegram
batch-reason-quota = quota reached
batch-reason-bad_link = not a link I can open
batch-reason-failed = download failed
batch-reason-undeliverable = could not be finished
batch-more-failures = … and { $count } more

## Cookies
cookies-title = 🍪 <b>Cookies for sites</b>
cookies-none = No cookies stored yet.
cookies-how-to-add = To add a set, send a cookies.txt (Netscape format, exported from a browser signed in to the site) with the caption /cookies, or send it now: I wait 5 minutes for it. Export only the site's cookies, from an account made for the bot.
cookies-set-details = { $count } cookies · added by { $who } on { $date } · { $expiry }
cookies-set-stale = ⚠️ stale: refused { $failures } times in a row; tried after the others
cookies-session-only = session cookies only
cookies-expires = first expiry { $date }
cookies-expired = ⚠️ a cookie expired on { $date }
cookies-remove = 🗑 { $n }. { $domain }
cookies-removed = Removed.
cookies-already-removed = Already removed.
cookies-no-key = 🔑 Cookies cannot be stored: COOKIES_KEY is not set. Set it to 32 random bytes in base64 (<code>openssl rand -base64 32</code>) and restart the bot.
cookies-too-large = 📦 That file is too large ({ $max } at most). Export only the site's cookies, not the whole browser's.
cookies-too-many = 🍪 There are already 50 sets: remove some first.
cookies-empty = 🤔 I found no cookie in that file. Send a Netscape cookies.txt: one cookie a line, seven fields separated by tabs.
cookies-all-expired = ⌛ Every cookie in that file has expired. Sign in to the site again and export fresh cookies.
cookies-bad-line = ⚠️ Line { $line } is not a Netscape cookie (seven fields separated by tabs: domain, TRUE/FALSE, path, TRUE/FALSE, expiry, name, value). Nothing was stored.
cookies-bad-domain = ⚠️ Line { $line } names no site's domain (a domain such as youtube.com, with a dot). Nothing was stored.
cookies-added = ✅ Stored { $count } cookies for { $domains ->
    [one] 1 site
   *[other] { $domains } sites
}{ $expired ->
    [0] {""}
   *[other] , leaving out { $expired } already expired
}. The message with the file was deleted from this chat.
cookies-went-stale = 🍪 The cookies for <b>{ $domains }</b> were refused { $failures } times in a row: the account may be signed out or blocked. Export fresh ones and send them with /cookies, then remove the old set.

## Groups
group-help =
    👋 <b>MediaBot in this group</b>

    • <code>/dl &lt;link&gt;</code> downloads a link for you; or reply <code>/dl</code> to a message that contains one.
    • The preview and its buttons are yours: others pressing them are told so.
    • The file arrives here, in reply to your request, and counts against your own quota and history.
    • Your history, stats, settings, playlists and Premium stay in our private chat.
group-dl-usage = 🔗 Send <code>/dl &lt;link&gt;</code>, or reply <code>/dl</code> to a message that contains a link.
group-personal = 🔒 That is personal: I answer it in our private chat.
button-open-private = 💬 Open the private chat
