# The words of the AI Agent Impact Report, in Bahasa Indonesia.
#
# One message per phrase; `{ $name }` is a blank the product fills in (numbers
# arrive already written as this file's language writes them, from CLDR: 1,250,000
# and 47.6 in English, 1.250.000 and 47,6 in Indonesian). A count that changes
# the words after it is chosen with `{ $n -> [one] … *[other] … }`. Every message
# here must exist in the other language's file with the same blanks: the build
# checks it (build.rs) and names any that differ.

units-points = { $n } poin

units-days = { $n } hari

live-chat = Live chat

test-chat-channel = Chat uji coba

about-in-ten = sekitar { $n } dari 10

fewer-than-one-in-ten = kurang dari 1 dari 10

nearly-all = hampir semua

report-headline-ok = Dari { $from } sampai { $to }, AI Anda menyelesaikan sendiri { $net } dari { $eligible } percakapan ({ $in_ten }), tanpa bantuan tim dan tanpa pelanggan yang perlu bertanya lagi dalam 2 hari.

report-headline-saved = { " " }Menurut perkiraan Anda sendiri ({ $rate } per jam dan { $minutes } menit per percakapan), percakapan itu menghemat sekitar { $hours } jam kerja tim (≈ { $rupiah }).

# The sum behind the hours and the money, to redo with the printed page alone
# (docs/metrics.md §4.4): conversations solved on their own × minutes = hours, × rate.
report-money-sum = Dihitung dari angka Anda sendiri: { $net } percakapan selesai sendiri × { $minutes } menit = { $total_minutes } menit, atau { $hours } jam; × { $rate } per jam ≈ { $rupiah }.

# What the AI cost against what it saved (docs/metrics.md §4.4), when the
# organization gave its price: the same sentence in the headline and the tile.
report-return-gain = Biaya AI Anda { $price } per bulan, atau { $ai_cost } untuk periode ini: waktu yang dihemat bernilai sekitar { $times } kali biayanya.

report-return-loss = Biaya AI Anda { $price } per bulan, atau { $ai_cost } untuk periode ini: biayanya { $loss } lebih besar daripada nilai waktu yang dihemat.

# How far the organization has come since its first 30 days with the AI.
report-since-baseline-up = { " " }Itu naik dari { $baseline } pada 30 hari pertama Anda dengan AI.

report-since-baseline-down = { " " }Itu turun dari { $baseline } pada 30 hari pertama Anda dengan AI.

report-since-baseline-about-same = { " " }Itu kurang lebih sama dengan 30 hari pertama Anda dengan AI ({ $baseline }).

report-likely-between = Kemungkinan besar antara { $low } dan { $high }.

report-headline-no-conversations = Dari { $from } sampai { $to } belum ada percakapan untuk dilaporkan.

report-headline-baseline-forming = Sejauh ini AI Anda ikut menangani { $ai_handled } dari { $eligible } percakapan dari { $from } sampai { $to }. Penilaian kinerjanya muncul setelah ada data minimal { $min_days } hari dan { $min_conversations } percakapan, supaya angkanya adil.

report-note-counted-through = Belum ada data setelah { $day }: biaya AI dan perbandingan dengan periode sebelumnya hanya menghitung hari sampai tanggal itu.

report-note-own-estimate = Angka uang dan waktu memakai asumsi biaya Anda sendiri; ini perkiraan, bukan angka yang diaudit.

report-note-set-assumption = Atur asumsi biaya Anda untuk melihat jam kerja dan uang yang dihemat AI.

report-note-reduced-coverage = Suasana hati pelanggan hanya berdasarkan { $coverage } percakapan, jadi anggap sebagai gambaran kasar.

report-note-provisional = Percakapan dibaca hingga { $read_day }, pukul { $read_time }. Angka sejak { $day } masih bisa berubah: pelanggan punya waktu 48 jam untuk kembali.

report-trend-provisional = titik berongga masih bisa berubah

report-trend-band = pita samar: rentang yang paling mungkin untuk tiap titik (lebih lebar bila percakapannya sedikit)

report-note-sentiment-pending = Suasana hati pelanggan untuk beberapa hari masih dikumpulkan.

report-note-no-business-hours = Atur jam kerja Anda untuk melihat berapa banyak percakapan yang ikut ditangani AI saat tim sedang tidak bertugas.

report-note-came-back = Tidak termasuk pelanggan yang kembali dalam 2 hari.

report-forecast-ok = Jika terus seperti ini, pada { $month } AI Anda akan menyelesaikan sendiri { $in_ten } percakapan (kemungkinan besar antara { $low } dan { $high }).

report-forecast-withheld = Belum ada proyeksi: hasil Anda naik-turun terlalu banyak dari bulan ke bulan untuk diperkirakan dengan jujur.

report-forecast-not-enough-history = Proyeksi muncul setelah ada { $min } bulan data lengkap (sejauh ini: { $months }).

report-net-strong = Kuat

report-net-healthy = Sehat

report-net-room-to-grow = Masih bisa berkembang

report-net-needs-attention = Perlu perhatian

report-reopen-low = Rendah — bagus

report-reopen-moderate = Sedang

report-reopen-high = Tinggi — periksa jawaban AI

report-turns-quick = Cepat

report-turns-typical = Wajar

report-turns-long = Panjang

report-after-hours-always-on = Selalu siaga

report-after-hours-office = Sebagian besar di jam kerja

report-mood-more-positive = Lebih positif

report-mood-less-positive = Kurang positif

report-mood-about-same = Kurang lebih sama

report-ledger = Semuanya { $all } percakapan: { $counted } dihitung; { $test_chats } chat uji coba dan { $spam } spam tidak dihitung.

report-ledger-split = Dari { $counted } yang dihitung: { $parts }.

report-change-points-up = naik { $points } dari { $days } sebelumnya

report-change-points-down = turun { $points } dari { $days } sebelumnya

report-change-more = { $count } lebih banyak dari { $days } sebelumnya

report-change-fewer = { $count } lebih sedikit dari { $days } sebelumnya

report-change-hours-more = { $hours } jam lebih banyak dari { $days } sebelumnya

report-change-hours-fewer = { $hours } jam lebih sedikit dari { $days } sebelumnya

report-change-same = sama dengan { $days } sebelumnya

report-change-about-same = kurang lebih sama dengan { $days } sebelumnya

report-change-about-same-move = kurang lebih sama dengan { $days } sebelumnya: selisih { $points } masih wajar untuk jumlah percakapan sebanyak ini

report-change-slightly-up = naik sedikit (kurang dari 1 poin) dari { $days } sebelumnya

report-change-slightly-down = turun sedikit (kurang dari 1 poin) dari { $days } sebelumnya

report-change-before-first = Belum ada perbandingan dengan { $days } sebelumnya: periode itu mencakup hari sebelum percakapan pertama Anda pada { $day }.

report-mood-too-few = Percakapan dengan suasana hati tercatat terlalu sedikit untuk dibandingkan: { $contained } diselesaikan AI sendiri dan { $human } bersama tim Anda (perlu minimal { $min } untuk masing-masing).

report-headline-few-conversations = Dari { $from } sampai { $to } ada { $eligible } percakapan terhitung, dan AI ikut menangani { $ai_handled }. Jumlah itu terlalu sedikit untuk menilai kinerjanya: pilih rentang yang lebih panjang, dengan minimal { $min_conversations } percakapan.

report-change-incomplete = Belum ada perbandingan dengan { $days } sebelumnya: datanya sudah tidak tersimpan lengkap.

report-change-none = Belum ada perbandingan dengan { $days } sebelumnya: percakapannya terlalu sedikit untuk dinilai.

report-change-still-forming = Belum ada perbandingan dengan { $days } sebelumnya: periode itu masih termasuk hari-hari pertama Anda dengan AI, saat datanya masih terbentuk.

figures-what-your-ai-did = Yang dikerjakan AI Anda

figures-solved-alone = Diselesaikan sendiri

figures-conversations = Percakapan yang dihitung

figures-after-hours = Saat tim sedang tidak bertugas

figures-time-saved = Waktu tim yang dihemat

figures-together = AI dan tim Anda bersama

# Every conversation the AI closed with no one from the team (gross
# containment): solved on its own and came back together.
figures-closed-alone = Ditutup AI sendiri

# The rest of the AI's solo closes: the customer came back within 2 days, so
# they do not count as solved.
figures-came-back = Ditutup AI, tetapi pelanggan kembali

figures-ai-assisted = AI membantu, lalu tim Anda mengambil alih

figures-escalated = Dialihkan ke tim Anda

figures-other = Hasil tidak jelas

figures-test-chats = Chat uji coba

figures-spam = Spam

figures-good-job = Apakah AI Anda bekerja dengan baik?

# The reopen rate: its name says its base (the AI's solo closes), unlike
# `CAME_BACK`, a share of all counted conversations.
figures-reopen-rate = Pelanggan kembali dalam 2 hari, dari yang ditutup AI sendiri

figures-mood = Suasana hati pelanggan

figures-messages-to-solve = Pesan sampai selesai

figures-trend = Diselesaikan sendiri, dari waktu ke waktu

# Said in a figure's place when it cannot be worked out.
figures-not-available = Tidak tersedia

text-report-title = Laporan Dampak Agen AI

text-report-period = Periode

text-report-data-through = Data sampai

text-report-no-data-yet = belum ada data

text-report-conversations-value = { $eligible } dihitung, AI ikut menangani { $ai_handled }

text-report-hours-value = { $hours } jam ≈ { $rupiah }

text-report-mood-value = { $verdict } saat AI menyelesaikan sendiri dibanding saat tim turun tangan

text-report-messages-value = rata-rata { $turns }

text-report-notes = Catatan

api-unauthorized = Silakan masuk lagi: sesi Anda tidak ada, sudah kedaluwarsa, atau tidak valid.

api-not-found = Halaman ini tidak ada.

api-forbidden-assumption = Hanya pemilik atau admin yang dapat mengubah asumsi biaya.

api-cross-site = Perubahan ini harus dilakukan dari halaman laporan. Muat ulang halaman lalu coba lagi.

api-unavailable = Kami tidak dapat memuat laporan Anda. Coba lagi.

api-busy-downloads = Beberapa unduhan sedang disiapkan saat ini. Coba lagi dalam beberapa detik.

api-internal = Terjadi kesalahan di sistem kami. Coba lagi sebentar lagi.

api-invalid-fields = Ada nilai yang tidak valid; tidak ada yang disimpan.

api-bad-date = '{ $value }' bukan tanggal; gunakan YYYY-MM-DD.

api-reversed-range = Tanggal mulai tidak boleh setelah tanggal akhir.

api-range-too-long = Pilih rentang paling lama 12 bulan.

api-range-before-earliest = Pilih rentang yang dimulai pada { $day } atau sesudahnya.

api-range-after-today = Pilih rentang yang berakhir paling lambat hari ini ({ $day }): hari-hari sesudahnya belum terjadi.

api-half-range = Isi 'from' dan 'to' sekaligus, atau kosongkan keduanya untuk 30 hari terakhir.

api-bad-lang = 'lang' harus en atau id.

api-bad-body = Isi permintaan harus JSON seperti { "{" }"agent_hour_rate": 40000, "minutes_per_conversation": 6{ "}" }.

api-rate-bounds = Masukkan bilangan bulat rupiah dari { $min } sampai { $max }.

api-minutes-bounds = Masukkan bilangan bulat menit dari { $min } sampai { $max }.

api-ai-price-bounds = Kosongkan, atau masukkan bilangan bulat rupiah dari { $min } sampai { $max }.

api-not-a-whole-number = Masukkan bilangan bulat positif.

api-missing-field = Kolom ini wajib diisi.

api-bad-request = Permintaan ini tidak valid: periksa alamat, parameter, dan isinya.

api-method-not-allowed = Alamat ini tidak menerima jenis permintaan itu; lihat header Allow.

api-body-timeout = Isi permintaan terlalu lama diterima. Kirim lagi.

api-too-large = Permintaan terlalu besar.

api-unsupported-media = Kirim isi permintaan sebagai application/json.

api-bad-outcome = outcome harus salah satu dari: { $allowed }.

api-bad-cursor = Cursor ini bukan milik daftar ini. Mulai lagi dari halaman pertama.

api-bad-limit = limit harus bilangan bulat dari 1 sampai { $max }.

page-report-title = Dampak agen AI

page-report-description = Seberapa banyak yang diselesaikan AI sendiri, seberapa baik, dan berapa yang dihemat.

demo-title = Masuk demo

demo-intro = Halaman ini hanya ada di demo. Pilih seseorang untuk melihat laporan dampak agen AI seperti yang mereka lihat. Pada pemasangan sebenarnya, pengguna datang dari admin web dalam keadaan sudah masuk.

demo-organization = Organisasi

demo-what-to-expect = Yang akan terlihat

demo-sign-in-as = Masuk sebagai

demo-mature = Add-on AI, laporan aktif, data setahun.

demo-mature-forecast = Add-on AI, laporan dan prakiraan aktif, data setahun.

demo-no-business-hours = Add-on AI, laporan aktif, jam kerja belum diatur.

demo-brand-new = Add-on AI, laporan aktif, baru 12 hari: data dasar masih terbentuk.

demo-flag-off = Add-on AI, tetapi laporan dinonaktifkan untuk akun ini.

demo-no-addon = Tanpa add-on AI: laporan tidak ada di sini.

demo-eastern = Add-on AI, laporan aktif, di Jayapura (WIT), angka biaya belum diisi.

demo-evening-hours = Add-on AI, laporan aktif, buka sampai malam, angka biaya sudah diisi.

demo-other-language = English

web-page-title = Hasil kerja agen AI Anda

web-reports = Laporan

web-range = Periode

web-last-7 = 7 hari terakhir

web-last-30 = 30 hari terakhir

web-last-90 = 90 hari terakhir

web-this-month = Bulan ini

web-last-month = Bulan lalu

web-custom = Tanggal pilihan

web-from = Dari

web-to = Sampai

web-show = Tampilkan

web-range-invalid = Pilih tanggal mulai yang tidak setelah tanggal akhir, paling lama 12 bulan.

web-switch-language = English

web-opening-report = Membuka laporan Anda…

web-continue = Lanjutkan

web-sign-out = Keluar

web-signed-out-title = Anda sudah keluar

web-signed-out = Untuk melihat laporan lagi, bukalah dari panel admin Anda.

web-cost-settings = Angka biaya Anda

web-hero-base = { $count } dari { $counted } percakapan yang dihitung

web-came-back-line = Tidak termasuk pelanggan yang kembali dalam 2 hari.

web-before-adjustment = Jika pelanggan itu ikut dihitung

# What a percentage beside a figure's name is a share of.
web-of-counted = ({ $count } dari { $counted } percakapan yang dihitung)

web-bar-caption = Tiap bagian adalah persentase dari semua { $counted } percakapan yang dihitung.

web-conversations-text = AI ikut menangani { $ai_handled } di antaranya.

web-after-hours-text = { $share } dari percakapan yang ikut ditangani AI

web-hours = { $hours } jam

web-own-estimate = ≈ { $rupiah }, menurut angka biaya Anda sendiri

web-set-assumption = Isi angka biaya Anda untuk melihat jam dan uang yang dihemat AI.

web-set-assumption-button = Isi angka biaya

web-ask-admin = Pemilik atau admin dapat mengisinya.

web-no-business-hours = Atur jam kerja di pengaturan panel admin Anda untuk melihat ini.

web-not-enough-data = Belum cukup percakapan untuk menampilkan ini.

web-tile-failed = Bagian ini belum bisa dimuat. Bagian lain laporan Anda tetap terbaru.

web-mood-text = saat AI menyelesaikan sendiri, dibanding saat tim turun tangan

web-mood-counts = Berdasarkan { $contained } percakapan yang diselesaikan AI sendiri dan { $human } bersama tim Anda yang suasana hatinya tercatat.

web-came-back-base = { $count } dari { $closed } yang ditutup AI sendiri

web-point-title = { $period }: { $rate } (kemungkinan besar antara { $low } dan { $high })

web-messages-text = pesan dari pelanggan, rata-rata

web-baseline-line = 30 hari pertama Anda dengan AI ({ $from } – { $to }): { $rate }

web-baseline-forming = Perbandingan dengan 30 hari pertama Anda bersama AI muncul setelah hari-hari itu lengkap.

web-trend-label = Grafik garis porsi percakapan yang diselesaikan AI sendiri, dari { $from } sampai { $to }.

# Above a printed report, where the page's range form is not printed.
web-print-period = Periode: { $from } sampai { $to } ({ $timezone })

web-print = Cetak atau simpan sebagai PDF

web-freshness = Angka mencakup percakapan sampai { $day } ({ $timezone }). Angka uang adalah perkiraan Anda sendiri, bukan angka yang diaudit.

web-no-data-yet = Belum ada percakapan yang dihitung.

web-forming-title = Laporan Anda sedang disiapkan

web-forming-few-title = Pilih rentang yang lebih panjang

web-forming-few-text = Rentang ini berisi { $eligible } percakapan terhitung. Kami perlu minimal { $min_conversations } untuk menilai kinerja AI Anda, supaya angkanya adil. Pilih rentang yang lebih panjang untuk melihatnya.

web-forming-text = Kami perlu minimal { $min_days } hari dan { $min_conversations } percakapan sebelum menilai kinerja AI Anda, supaya angkanya adil. Sejauh ini: { $days }.

web-forming-ready-on = { " " }Laporan lengkap Anda siap mulai { $day }.

web-forming-depends-on-volume = { " " }Kapan siapnya bergantung pada jumlah percakapan yang masuk: sejauh ini { $eligible } dari { $min_conversations } yang diperlukan pada periode ini.

web-error-title = Kami tidak dapat memuat laporan Anda.

web-error-text = Silakan coba lagi sebentar lagi.

web-retry = Coba lagi

web-loading = Memuat laporan Anda…

web-modal-title = Angka biaya Anda

web-modal-why = Dengan angka Anda di bawah ini kami memperkirakan waktu dan uang yang dihemat AI untuk tim Anda dan, bila harganya diisi, berapa biayanya.

web-modal-helper = Kami memakai angka Anda sendiri — kami tidak pernah menebak biaya Anda.

web-rate-label = Biaya satu anggota tim per jam (Rp)

web-minutes-label = Rata-rata menit per percakapan

web-ai-price-label = Yang Anda bayar untuk AI setiap bulan (Rp, opsional)

web-ai-price-help = Dengan angka ini, laporan membandingkan penghematan AI dengan biayanya bagi Anda.

web-save = Simpan

web-saving = Menyimpan…

web-cancel = Batal

web-save-failed = Gagal menyimpan. Periksa koneksi lalu coba lagi.

web-sign-in-again = Silakan buka laporan ini lagi dari panel admin Anda untuk masuk.

web-nothing-here = Tidak ada laporan untuk Anda di sini.

web-no-reports = Tidak ada laporan yang dapat Anda buka.

# Said to an owner or admin of an organization without the AI add-on.
web-needs-addon = Laporan Dampak Agen AI tersedia bersama add-on Agen AI, yang belum dimiliki organisasi Anda. Setelah add-on diaktifkan, laporan akan tampil di sini.

web-your-reports = Laporan Anda

web-your-reports-text = Semua laporan yang dapat Anda buka.

web-page-not-found-title = Halaman tidak ditemukan

web-page-not-found = Tidak ada apa pun di alamat ini. Buka laporan lagi dari panel admin Anda.

web-request-problem-title = Permintaan ini tidak dapat dijawab

web-request-problem = Kembali lalu coba lagi. Jika terus terjadi, buka laporan lagi dari panel admin Anda.

web-ledger-title = Ke mana setiap percakapan

web-see-test-chats = Lihat chat uji coba ({ $count })

web-see-spam = Lihat spam ({ $count })

web-downloads-title = Unduh

web-download-daily-xlsx = Angka harian (Excel)

web-download-daily-csv = Angka harian (CSV, untuk aplikasi lain)

web-downloads-hint = Klik angka mana pun untuk melihat percakapannya; setiap daftar juga bisa diunduh.

web-back-to-report = Kembali ke laporan

web-list-period = { $from } sampai { $to }, terbaru di atas, waktu { $timezone }.

web-list-empty = Tidak ada percakapan di daftar ini untuk periode ini.

# How many conversations the list holds (`{n}`, its figure) and this page shows.
web-list-count = Semuanya { $n } percakapan; { $shown } di halaman ini.

web-older = Percakapan lebih lama

web-first-page = Kembali ke yang terbaru

web-download-list-xlsx = Unduh daftar ini (Excel)

web-download-list-csv = Unduh daftar ini (CSV)

web-list-table = Percakapan

web-open-in-inbox = Buka

web-came-back-after = { $hours } jam kemudian ({ $room })

web-messages-cell = { $customer } dari pelanggan, { $ai } dari AI

web-list-not-found = Daftar ini tidak ada. Pilih angka di laporan untuk melihat percakapannya.

# Judul daftar adalah nama angka yang diwakilinya; baris about menjelaskan isinya.
# Setiap daftar (`metrics::rooms::LISTS`) punya keduanya, menurut namanya.
lists-about-solved-alone = AI menutupnya tanpa anggota tim, dan pelanggan tidak memulai percakapan lain dalam 2 hari.

lists-about-came-back = AI menutupnya sendiri, tetapi pelanggan yang sama memulai percakapan lain dalam 2 hari, jadi tidak dihitung selesai.

lists-about-ai-only = Semua percakapan yang ditutup AI tanpa anggota tim, baik pelanggan kembali maupun tidak.

lists-about-ai-assisted = AI menjawab, lalu anggota tim Anda ikut menangani.

lists-about-escalated = Anggota tim Anda mengambil alih, atau percakapan diteruskan ke tim Anda.

lists-about-other = Ditutup oleh anggota tim atau otomatis, masih terbuka, atau ditutup dengan alasan yang tidak diketahui.

lists-about-after-hours = Percakapan yang ikut ditangani AI dan dimulai di luar jam kerja Anda.

-lists-left-out = Tidak dihitung di angka mana pun.

lists-about-test-chat = { -lists-left-out }

lists-about-spam = { -lists-left-out }

lists-title-solved-alone = { figures-solved-alone }

lists-title-came-back = { figures-came-back }

lists-title-ai-only = { figures-closed-alone }

lists-title-ai-assisted = { figures-ai-assisted }

lists-title-escalated = { figures-escalated }

lists-title-other = { figures-other }

lists-title-after-hours = { figures-after-hours }

lists-title-test-chat = { figures-test-chats }

lists-title-spam = { figures-spam }

lists-column-room = Percakapan

lists-column-day = Tanggal

lists-column-started = Mulai (waktu setempat)

lists-column-closed = Ditutup (waktu setempat)

lists-column-channel = Kanal

lists-column-outcome = Hasil

lists-column-came-back-with = Kembali lewat percakapan

lists-column-came-back-hours = Kembali setelah (jam)

lists-column-after-hours = Di luar jam kerja

lists-column-customer-messages = Pesan pelanggan

lists-column-ai-messages = Pesan AI

lists-column-messages = Pesan

lists-column-mood = Suasana hati pelanggan (−1 sampai 1)

lists-column-link = Buka di kotak masuk

lists-column-can-still-change = Masih bisa berubah

lists-yes = ya

lists-no = tidak

lists-not-set = belum diatur

lists-still-open = masih terbuka

lists-mood-positive = Positif ({ $value })

lists-mood-neutral = Netral ({ $value })

lists-mood-negative = Negatif ({ $value })

lists-did-not-come-back = tidak kembali dalam 2 hari

lists-can-still-change = masih bisa berubah: waktu 2 hari bagi pelanggan untuk kembali belum habis

lists-mood-none = suasana hati tidak tercatat

lists-daily-day = Tanggal

lists-daily-all = Semua percakapan

lists-daily-counted = Dihitung

lists-daily-ai-handled = AI ikut menangani

lists-daily-net-rate = Diselesaikan sendiri, bagian dari yang dihitung

lists-daily-total = Seluruh periode

lists-daily-hours-saved = Jam tim yang dihemat

lists-daily-rupiah-saved = Waktu tim yang dihemat, perkiraan Anda sendiri (Rp)

lists-daily-ai-cost = Biaya AI, menurut harga bulanan Anda (Rp)

lists-sheet-daily = Harian

lists-sheet-conversations = Percakapan

lists-sheet-about = Penjelasan

lists-about-title = Laporan Dampak Agen AI — { $org }, { $from } sampai { $to } ({ $timezone })

lists-about-lines-1 = Setiap percakapan dihitung pada hari dimulainya, menurut zona waktu organisasi Anda.

lists-about-lines-2 = Dihitung = semua percakapan kecuali chat uji coba Anda dan spam, yang tidak dihitung di angka mana pun.

lists-about-lines-3 = Diselesaikan sendiri = AI menutupnya, tidak ada anggota tim yang ikut, dan pelanggan tidak memulai percakapan lain dalam 48 jam setelah ditutup.

lists-about-lines-4 = Ditutup AI, tetapi pelanggan kembali = AI menutupnya sendiri, tetapi pelanggan yang sama memulai percakapan lain dalam 48 jam; ini tidak dihitung sebagai selesai.

lists-about-lines-5 = AI membantu, lalu tim Anda mengambil alih = AI menjawab dan anggota tim ikut; Dialihkan ke tim Anda = anggota tim mengambil alih atau percakapan diteruskan ke tim; Hasil tidak jelas = ditutup oleh anggota tim atau otomatis, masih terbuka, atau alasan tidak diketahui.

lists-about-lines-6 = Jam tim yang dihemat, waktu yang dihemat (Rp) dan biaya AI berasal dari angka biaya Anda sendiri, dan kosong tanpanya. Biaya AI sehari adalah harga bulanannya ÷ jumlah hari bulan itu, jadi satu bulan kalender penuh sama persis dengan harga bulanannya; baris seluruh periode hanya menghitung hari yang ada datanya.

# The organization's own cost numbers, in the workbook's "what this means" sheet.
lists-about-money = Angka biaya Anda: { $rate } per jam kerja satu anggota tim dan { $minutes } menit per percakapan. Jam tim yang dihemat = percakapan yang selesai sendiri × { $minutes } ÷ 60; waktu yang dihemat (Rp) = jam itu × { $rate }.

lists-about-price = Harga AI yang Anda bayar: { $price } per bulan.

lists-about-lines-7 = Angkanya sama dengan halaman laporan untuk periode ini; baris seluruh periode sama dengan total di laporan.

lists-about-lines-8 = Masih bisa berubah = diselesaikan sendiri kurang dari 2 hari sebelum data terakhir dibaca: bila pelanggan kembali dalam 2 hari itu, percakapan ini pindah ke "Ditutup AI, tetapi pelanggan kembali".

lists-more-than-fits = Buku kerja ini berisi { $rows } percakapan terbaru; unduh berkas CSV untuk semuanya.

# `impact kpis`: the launch's own numbers (docs/operations.md).
kpis-title = Angka peluncuran untuk { $month } (bulan kalender, UTC)

kpis-running = Bulan ini masih berjalan: angka ini menghitung { $from } sampai { $through }, hari terakhir yang sudah lengkap; bulannya berakhir pada { $end }.

kpis-no-usage = Belum ada penggunaan yang tercatat bulan ini: belum ada yang membuka laporan, daftar, atau unduhan, jadi tidak ada target di bawah yang dinilai.

kpis-adoption = Adopsi: { $numerator } dari { $denominator } organisasi dengan add-on AI melihat laporan: { $rate } (target minimal { $target }) — { $met }

kpis-repeat = Keterlibatan berulang: { $numerator } dari { $denominator } orang yang melihatnya bulan sebelumnya melihatnya lagi: { $rate } (target minimal { $target }) — { $met }

kpis-reliability = Keandalan: { $failed } pemuatan gagal untuk { $views } laporan yang ditampilkan, jadi { $rate } (1 − gagal ÷ ditampilkan; target minimal { $target }) — { $met }

kpis-value = Nilai terlihat: { $numerator } dari { $denominator } organisasi dengan add-on AI melihat waktu tim yang dihemat: { $rate } (target minimal { $target }) — { $met }

kpis-forecast = Proyeksi: { $rendered } organisasi melihat proyeksi untuk bulan ini, { $realised } di antaranya bisa dicek dengan hasil bulan itu; rata-rata selisih { $mae } (target di bawah { $target } poin) — { $met }

kpis-review = Tinjauan: { $loads } pemuatan laporan, { $failed } gagal; { $forming } laporan ditampilkan saat baseline masih terbentuk; { $rendered } laporan ditampilkan dengan proyeksi bulan berikutnya; { $lists } daftar dibuka, { $downloads } unduhan, { $saves } kali angka biaya disimpan.

kpis-gates = Syarat tahap { $stage }:

kpis-mae = { $mae } poin

kpis-stage-alpha = alfa internal

kpis-stage-closed-beta = beta tertutup

kpis-stage-open-beta = beta terbuka

kpis-stage-ga = ketersediaan umum

kpis-met = tercapai

kpis-not-met = belum tercapai

kpis-no-data = data belum cukup

kpis-no-usage-short = belum ada penggunaan tercatat

# A gate: what it measures, the value, what it needs, and the result.
kpis-gate-line = { $label }: { $value } (syarat: { $needed }) — { $result }

kpis-at-least = minimal { $threshold }

kpis-at-most = maksimal { $threshold }

kpis-below = di bawah { $threshold }

kpis-gate-load-failures = Pemuatan yang gagal, dari laporan yang ditampilkan

kpis-gate-loads-over-3s = Pemuatan yang lebih lambat dari 3 detik

kpis-gate-admins-viewing = Organisasi peserta beta yang membuka laporan

kpis-gate-reliability = Keandalan selama sebulan

kpis-gate-forecast-error = Selisih proyeksi, dalam poin persentase

kpis-gate-reliability-days = Keandalan selama { $days } hari dari { $from } sampai { $to }

kpis-gate-tracking-live = Penggunaan laporan sedang tercatat

kpis-pass = lulus

kpis-fail = gagal
