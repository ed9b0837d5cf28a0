## Menu
menu-title = 🎬 <b>MediaBot</b>
menu-account = 👤 <b>Your account</b>
menu-status-free = • Plan: 👤 Free
menu-status-premium = • Plan: ⭐ Premium
menu-quota = • Today: { $used } / { $limit }
menu-downloads = • Downloads: { $count }
menu-quick = 📥 <b>Quick start:</b> just send me a link!
menu-sites = <b>Supported:</b> YouTube • Instagram • TikTok • X • Reddit • SoundCloud • +1000 sites
button-download = 📥 Download
button-history = 📜 History
button-help = ❓ Help
button-admin = 🛠 Admin
button-menu = ⬅️ Menu
download-how = 📥 Send me a link (or forward a message that contains one) and I will show you the qualities to choose from.

## Help
help-text =
    ❓ <b>How MediaBot works</b>

    Send a link from YouTube, Instagram, TikTok, X, Reddit, SoundCloud or any of 1000+ sites. I answer with a preview: pick a quality or audio only, and the file arrives here with a live progress bar.

    <b>Commands</b>
    /start, /menu — main menu
    /history — your last downloads
    /cancel — stop your running downloads
    /help — this help

    <b>Limits</b>
    Files up to { $maxUpload } · { $quota } a day.

## Preview
preview-analyzing = 🔎 Looking at the link…
preview-by = 👤 { $author }
preview-duration = ⏱ { $duration }
preview-resolution = 🖼 { $resolution }
preview-live = 🔴 Live stream
preview-sizes = 📦 <b>Estimated sizes</b>
preview-choose = Choose a quality:
button-best = ⭐ Best
button-audio = 🎵 Audio only
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
download-done = ✅ Done.
download-cancelled = ✖️ Download cancelled.
download-nothing-to-cancel = Nothing is running.
download-cancelling = { $count ->
    [one] Cancelling one download…
   *[other] Cancelling { $count } downloads…
}

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
error-unsupported = 🤷 I could not find any video or audio at that link.
error-unavailable = 🗑 That media is unavailable: it may have been removed.
error-private = 🔒 That media is private or needs a login, so I cannot download it.
error-timeout = ⌛ The site took too long to answer. Try again later.
error-too-large = 📦 That file is too large for Telegram ({ $limit } max), even at the lowest quality. Try audio only or a lower quality.
error-failed = 😕 The download failed. Please try again later.
error-dead = 😕 The download failed after several attempts. Please try again later.
error-generic = 😕 Something went wrong on my side. Please try again.
error-forbidden = 🚫 This is for administrators only.

## Admin
admin-title = 🛠 <b>Admin</b>
admin-queue = Jobs — ready: { $ready } · running: { $leased } · done: { $done } · failed: { $failed } · dead: { $dead } · cancelled: { $cancelled }
admin-cache = File cache hits: { $hits } / { $total }
