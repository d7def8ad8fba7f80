# The words of the AI Agent Impact Report, in English.
#
# One message per phrase; `{ $name }` is a blank the product fills in (numbers
# arrive already written as this file's language writes them, from CLDR: 1,250,000
# and 47.6 in English, 1.250.000 and 47,6 in Indonesian). A count that changes
# the words after it is chosen with `{ $n -> [one] … *[other] … }`. Every message
# here must exist in the other language's file with the same blanks: the build
# checks it (build.rs) and names any that differ.

units-points = 
    { $n ->
        [one] { $n } point
       *[other] { $n } points
    }

units-days = 
    { $n ->
        [one] { $n } day
       *[other] { $n } days
    }

live-chat = Live chat

test-chat-channel = Test chat

about-in-ten = about { $n } in 10

fewer-than-one-in-ten = fewer than 1 in 10

nearly-all = nearly all

report-headline-ok =
    From { $from } to { $to }, your AI solved { $net } of { $eligible ->
        [one] { $eligible } conversation
       *[other] { $eligible } conversations
    } on its own ({ $in_ten }), with no one from your team and no customer having to ask again within 2 days.

report-headline-saved = { " " }By your own estimate of { $rate } an hour and { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    } a conversation, those conversations saved your team about { $hours } hours of work (≈ { $rupiah }).

# The sum behind the hours and the money, to redo with the printed page alone
# (docs/metrics.md §4.4): conversations solved on their own × minutes = hours, × rate.
report-money-sum = Worked out from your own numbers: { $net ->
        [one] { $net } conversation solved on its own
       *[other] { $net } conversations solved on their own
    } × { $minutes } min = { $total_minutes } min, or { $hours } hours; × { $rate } an hour ≈ { $rupiah }.

# What the AI cost against what it saved (docs/metrics.md §4.4), when the
# organization gave its price: the same sentence in the headline and the tile.
report-return-gain = The AI costs you { $price } a month, or { $ai_cost } for this period: the time it saved is worth about { $times } times what it cost.

report-return-loss = The AI costs you { $price } a month, or { $ai_cost } for this period: { $loss } more than the time it saved is worth.

# How far the organization has come since its first 30 days with the AI.
report-since-baseline-up = { " " }That is up from { $baseline } in your first 30 days with the AI.

report-since-baseline-down = { " " }That is down from { $baseline } in your first 30 days with the AI.

report-since-baseline-about-same = { " " }That is about the same as in your first 30 days with the AI ({ $baseline }).

# Where a rate most likely lies: its 95 % range, so a reader knows how sure it is.
report-likely-between = Most likely between { $low } and { $high }.

report-headline-no-conversations = From { $from } to { $to } there were no conversations to report on.

report-headline-baseline-forming =
    So far your AI has taken part in { $ai_handled } of { $eligible ->
        [one] { $eligible } conversation
       *[other] { $eligible } conversations
    } from { $from } to { $to }. We show how well it does once there are at least { $min_days ->
        [one] { $min_days } day
       *[other] { $min_days } days
    } and { $min_conversations ->
        [one] { $min_conversations } conversation
       *[other] { $min_conversations } conversations
    } of data, so the figures are fair.

report-note-counted-through = There is no data after { $day } yet: the AI's cost and the comparison with the period before count only the days up to it.

report-note-own-estimate = Money and time figures use your own cost assumption; they are an estimate, not an audited figure.

report-note-set-assumption = Set your cost assumption to see the hours and money your AI saved.

report-note-reduced-coverage = Customer mood is based on only { $coverage } of conversations, so treat it as a rough sign.

report-note-provisional = Conversations were read up to { $read_day }, { $read_time }. Figures from { $day } on can still change: a customer has 48 hours to come back.

report-trend-provisional = hollow points can still change

report-trend-band = light band: where each point most likely lies (wider over few conversations)

report-note-sentiment-pending = Customer mood for some days is still being collected.

report-note-no-business-hours = Set your business hours to see how many conversations your AI took part in while your team was offline.

report-note-came-back = Leaves out customers who came back within 2 days.

report-forecast-ok = If this keeps up, in { $month } your AI will solve { $in_ten } conversations on its own (most likely between { $low } and { $high }).

report-forecast-withheld = No projection for now: your results have moved around too much from month to month to predict them honestly.

report-forecast-not-enough-history = A projection appears once there are { $min } complete months of data (so far: { $months }).

report-net-strong = Strong

report-net-healthy = Healthy

report-net-room-to-grow = Room to grow

report-net-needs-attention = Needs attention

report-reopen-low = Low — good

report-reopen-moderate = Moderate

report-reopen-high = High — check answers

report-turns-quick = Quick

report-turns-typical = Typical

report-turns-long = Long

report-after-hours-always-on = Always-on

report-after-hours-office = Mostly in office hours

report-mood-more-positive = More positive

report-mood-less-positive = Less positive

report-mood-about-same = About the same

report-ledger =
    { $all ->
        [one] { $all } conversation
       *[other] { $all } conversations
    } in all: { $counted } counted; { $test_chats ->
        [one] { $test_chats } test chat
       *[other] { $test_chats } test chats
    } and { $spam } spam left out.

report-ledger-split = Of the { $counted } counted: { $parts }.

report-change-points-up = up { $points } from the { $days } before

report-change-points-down = down { $points } from the { $days } before

report-change-more = { $count } more than the { $days } before

report-change-fewer = { $count } fewer than the { $days } before

report-change-hours-more = { $hours } hours more than the { $days } before

report-change-hours-fewer = { $hours } hours fewer than the { $days } before

report-change-same = the same as the { $days } before

# A move of a rate too small to be more than chance at this volume (docs/metrics.md §4.10).
report-change-about-same = about the same as the { $days } before

report-change-about-same-move = about the same as the { $days } before: a move of { $points } is normal at this volume

# A real change smaller than the one point the whole percentages can show.
report-change-slightly-up = up slightly (less than 1 point) from the { $days } before

report-change-slightly-down = down slightly (less than 1 point) from the { $days } before

report-change-before-first = No comparison with the { $days } before: they include days before your first conversation on { $day }.

report-mood-too-few = Too few conversations with a recorded mood to compare: { $contained } solved by the AI alone and { $human } with your team (at least { $min } of each are needed).

report-headline-few-conversations =
    From { $from } to { $to } there { $eligible ->
        [one] was { $eligible } counted conversation
       *[other] were { $eligible } counted conversations
    }, and the AI took part in { $ai_handled }. That is too few to judge how well it does: choose a longer range, with at least { $min_conversations } conversations.

report-change-incomplete = No comparison with the { $days } before: their data is no longer kept in full.

report-change-none = No comparison with the { $days } before: they hold too few conversations to judge by.

report-change-still-forming = No comparison with the { $days } before: they fall in your first days with the AI, while its baseline was still forming.

figures-what-your-ai-did = What your AI did

figures-solved-alone = Solved on its own

figures-conversations = Counted conversations

figures-after-hours = While your team was offline

figures-time-saved = Team time saved

figures-together = AI and your team together

# Every conversation the AI closed with no one from the team (gross
# containment): solved on its own and came back together.
figures-closed-alone = Closed by the AI alone

# The rest of the AI's solo closes: the customer came back within 2 days, so
# they do not count as solved.
figures-came-back = Closed by the AI, but the customer came back

figures-ai-assisted = AI helped, then your team took over

figures-escalated = Handed to your team

figures-other = No clear outcome

figures-test-chats = Test chats

figures-spam = Spam

figures-good-job = Is your AI doing a good job?

# The reopen rate: its name says its base (the AI's solo closes), unlike
# `CAME_BACK`, a share of all counted conversations.
figures-reopen-rate = Came back within 2 days, of those the AI closed alone

figures-mood = Customer mood

figures-messages-to-solve = Messages to solve

figures-trend = Solved on its own, over time

# Said in a figure's place when it cannot be worked out.
figures-not-available = Not available

text-report-title = AI Agent Impact Report

text-report-period = Period

text-report-data-through = Data up to

text-report-no-data-yet = no data yet

text-report-conversations-value = { $eligible } counted, the AI took part in { $ai_handled }

text-report-hours-value = { $hours } hours ≈ { $rupiah }

text-report-mood-value = { $verdict } when the AI solved it alone than when your team stepped in

text-report-messages-value = { $turns } on average

text-report-notes = Notes

api-unauthorized = Please sign in again: your session is missing, expired or not valid.

api-not-found = This page does not exist.

api-forbidden-assumption = Only an owner or admin can change the cost assumption.

api-cross-site = This change must be made from the report page itself. Reload the page and try again.

api-unavailable = We couldn't load your report. Try again.

api-busy-downloads = Several downloads are being prepared right now. Try again in a few seconds.

api-internal = Something went wrong on our side. Try again in a moment.

api-invalid-fields = Some values are not valid; nothing was saved.

api-bad-date = '{ $value }' is not a date; use YYYY-MM-DD.

api-reversed-range = The start date must not be after the end date.

api-range-too-long = Choose a range of at most 12 months.

api-range-before-earliest = Choose a range that starts on { $day } or later.

api-range-after-today = Choose a range that ends by today ({ $day }): later days have not happened yet.

api-half-range = Give both 'from' and 'to', or neither for the last 30 days.

api-bad-lang = 'lang' must be en or id.

api-bad-body = The request body must be JSON like { "{" }"agent_hour_rate": 40000, "minutes_per_conversation": 6{ "}" }.

api-rate-bounds = Enter a whole number of rupiah from { $min } to { $max }.

api-minutes-bounds = Enter a whole number of minutes from { $min } to { $max }.

api-ai-price-bounds = Leave it empty, or enter a whole number of rupiah from { $min } to { $max }.

api-not-a-whole-number = Enter a positive whole number.

api-missing-field = This field is required.

api-bad-request = This request is not valid: check its address, parameters and body.

api-method-not-allowed = This address does not accept that kind of request; see the Allow header.

api-body-timeout = The request body took too long to arrive. Send it again.

api-too-large = The request is too large.

api-unsupported-media = Send the body as application/json.

api-bad-outcome = outcome must be one of: { $allowed }.

api-bad-cursor = This cursor does not belong to this list. Start again from the first page.

api-bad-limit = limit must be a whole number from 1 to { $max }.

page-report-title = AI agent impact

page-report-description = How much your AI solved on its own, how well, and what it saved.

demo-title = Demo sign-in

demo-intro = This page exists only in the demo. Pick a person to see the AI agent impact report as they would. In a real installation, people arrive signed in from the web admin.

demo-organization = Organization

demo-what-to-expect = What to expect

demo-sign-in-as = Sign in as

demo-mature = AI add-on, report switched on, a year of data.

demo-mature-forecast = AI add-on, report and forecast switched on, a year of data.

demo-no-business-hours = AI add-on, report on, no business hours set.

demo-brand-new = AI add-on, report on, only 12 days old: the baseline is still forming.

demo-flag-off = AI add-on, but the report is switched off for this account.

demo-no-addon = No AI add-on: the report does not exist here.

demo-eastern = AI add-on, report on, in Jayapura (WIT), no cost numbers set yet.

demo-evening-hours = AI add-on, report on, open into the evening, cost numbers set.

demo-other-language = Bahasa Indonesia

web-page-title = What your AI agent did

web-reports = Reports

web-range = Period

web-last-7 = Last 7 days

web-last-30 = Last 30 days

web-last-90 = Last 90 days

web-this-month = This month

web-last-month = Last month

web-custom = Custom dates

web-from = From

web-to = To

web-show = Show

web-range-invalid = Choose a start date on or before the end date, at most 12 months apart.

web-switch-language = Bahasa Indonesia

web-opening-report = Opening your report…

web-continue = Continue

web-sign-out = Sign out

web-signed-out-title = You are signed out

web-signed-out = To see the report again, open it from your admin panel.

web-cost-settings = Your cost numbers

web-hero-base = { $count } of the { $counted ->
        [one] { $counted } counted conversation
       *[other] { $counted } counted conversations
    }

web-came-back-line = Leaves out customers who came back within 2 days.

web-before-adjustment = Counting those customers too

# What a percentage beside a figure's name is a share of.
web-of-counted = ({ $count } of the { $counted ->
        [one] { $counted } counted conversation)
       *[other] { $counted } counted conversations)
    }

web-bar-caption = Each part is a share of { $counted ->
        [one] the 1 counted conversation.
       *[other] all { $counted } counted conversations.
    }

web-conversations-text = The AI took part in { $ai_handled } of them.

web-after-hours-text = { $share } of the conversations the AI took part in

web-hours = { $hours } hours

web-own-estimate = ≈ { $rupiah }, by your own cost numbers

web-set-assumption = Set your cost numbers to see the hours and money your AI saved.

web-set-assumption-button = Set cost numbers

web-ask-admin = An owner or admin can set them.

web-no-business-hours = Set your business hours in your admin panel's settings to see this.

web-not-enough-data = Not enough conversations yet to show this.

web-tile-failed = We couldn't load this part right now. The rest of your report is up to date.

web-mood-text = when the AI solved it alone, compared with when your team stepped in

web-mood-counts = Based on { $contained ->
        [one] { $contained } conversation
       *[other] { $contained } conversations
    } the AI solved alone and { $human } with your team that have a recorded mood.

web-came-back-base = { $count } of the { $closed } the AI closed alone

web-point-title = { $period }: { $rate } (most likely between { $low } and { $high })

web-messages-text = messages from the customer, on average

web-baseline-line = Your first 30 days with the AI ({ $from } – { $to }): { $rate }

web-baseline-forming = The comparison with your first 30 days with the AI appears once those days are complete.

web-trend-label = Line chart of the share of conversations your AI solved on its own, from { $from } to { $to }.

# Above a printed report, where the page's range form is not printed.
web-print-period = Period: { $from } to { $to } ({ $timezone })

web-print = Print or save as PDF

web-freshness = Figures include conversations up to { $day } ({ $timezone }). Money figures are your own estimate, not an audited amount.

web-no-data-yet = No conversations have been counted yet.

web-forming-title = Your report is getting ready

web-forming-few-title = Choose a longer range

web-forming-few-text = This range holds { $eligible ->
        [one] { $eligible } counted conversation
       *[other] { $eligible } counted conversations
    }. We need at least { $min_conversations } to judge how well your AI does, so the figures are fair. Choose a longer range to see them.

web-forming-text =
    We need at least { $min_days ->
        [one] { $min_days } day
       *[other] { $min_days } days
    } and { $min_conversations ->
        [one] { $min_conversations } conversation
       *[other] { $min_conversations } conversations
    } before we judge how well your AI does, so the figures are fair. So far: { $days }.

web-forming-ready-on = { " " }Your full report will be ready from { $day }.

web-forming-depends-on-volume = { " " }When it is ready depends on how many conversations come in: { $eligible } of the { $min_conversations } needed so far in this period.

web-error-title = We couldn't load your report.

web-error-text = Please try again in a moment.

web-retry = Try again

web-loading = Loading your report…

web-modal-title = Your cost numbers

web-modal-why = With your numbers below we estimate the time and money your AI saved your team and, with its price, what it cost.

web-modal-helper = We use your own numbers — we never guess your costs.

web-rate-label = Cost of one team member per hour (Rp)

web-minutes-label = Average minutes per conversation

web-ai-price-label = What you pay for the AI each month (Rp, optional)

web-ai-price-help = With it, the report compares what the AI saved with what it cost you.

web-save = Save

web-saving = Saving…

web-cancel = Cancel

web-save-failed = We couldn't save. Check your connection and try again.

web-sign-in-again = Please open this report again from your admin panel to sign in.

web-nothing-here = There is no report for you here.

web-no-reports = There are no reports you can open.

# Said to an owner or admin of an organization without the AI add-on.
web-needs-addon = The AI Agent Impact Report comes with the AI Agent add-on, which your organization does not have. Once it is switched on, the report shows here.

web-your-reports = Your reports

web-your-reports-text = Every report you can open.

web-page-not-found-title = Page not found

web-page-not-found = There is nothing at this address. Open the report again from your admin panel.

web-request-problem-title = This request cannot be answered

web-request-problem = Go back and try again. If it keeps happening, open the report again from your admin panel.

web-ledger-title = Where every conversation went

web-see-test-chats = See the test chats ({ $count })

web-see-spam = See the spam ({ $count })

web-downloads-title = Download

web-download-daily-xlsx = Daily figures (Excel)

web-download-daily-csv = Daily figures (CSV, for other tools)

web-downloads-hint = Click any figure to see its conversations; each list can be downloaded too.

web-back-to-report = Back to the report

web-list-period = { $from } to { $to }, newest first, times in { $timezone }.

web-list-empty = No conversations in this list for this period.

# How many conversations the list holds (`{n}`, its figure) and this page shows.
web-list-count = 
    { $n ->
        [one] { $n } conversation in all; { $shown } on this page.
       *[other] { $n } conversations in all; { $shown } on this page.
    }

web-older = Older conversations

web-first-page = Back to the newest

web-download-list-xlsx = Download this list (Excel)

web-download-list-csv = Download this list (CSV)

web-list-table = Conversations

web-open-in-inbox = Open

web-came-back-after = { $hours } h later ({ $room })

web-messages-cell = { $customer } from customer, { $ai } from AI

web-list-not-found = This list does not exist. Choose a figure on the report to see its conversations.

# A list's title is the name of the figure it stands behind; its about line says
# what is in it. Each list (`metrics::rooms::LISTS`) has both, by its name.
lists-about-solved-alone = The AI closed them with no one from your team, and the customer did not start another conversation within 2 days.

lists-about-came-back = The AI closed them alone, but the same customer started another conversation within 2 days, so they are not counted as solved.

lists-about-ai-only = Every conversation the AI closed with no one from your team, whether or not the customer came back.

lists-about-ai-assisted = The AI answered, then someone from your team joined.

lists-about-escalated = Someone from your team took over, or the conversation was passed to your team.

lists-about-other = Closed by someone from your team or a timeout, still open, or closed for an unknown reason.

lists-about-after-hours = Conversations the AI took part in that started outside your business hours.

-lists-left-out = Left out of every figure.

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

lists-column-room = Conversation

lists-column-day = Day

lists-column-started = Started (local time)

lists-column-closed = Closed (local time)

lists-column-channel = Channel

lists-column-outcome = Outcome

lists-column-came-back-with = Came back with

lists-column-came-back-hours = Came back after (hours)

lists-column-after-hours = Outside business hours

lists-column-customer-messages = Customer messages

lists-column-ai-messages = AI messages

lists-column-messages = Messages

lists-column-mood = Customer mood (−1 to 1)

lists-column-link = Open in inbox

lists-column-can-still-change = Can still change

lists-yes = yes

lists-no = no

lists-not-set = not set

lists-still-open = still open

lists-mood-positive = Positive ({ $value })

lists-mood-neutral = Neutral ({ $value })

lists-mood-negative = Negative ({ $value })

lists-did-not-come-back = did not come back within 2 days

lists-can-still-change = can still change: the customer's 2 days to come back are not over

lists-mood-none = no mood recorded

lists-daily-day = Day

lists-daily-all = All conversations

lists-daily-counted = Counted

lists-daily-ai-handled = AI took part

lists-daily-net-rate = Solved on its own, share of counted

lists-daily-total = Whole period

lists-daily-hours-saved = Team hours saved

lists-daily-rupiah-saved = Team time saved, your own estimate (Rp)

lists-daily-ai-cost = What the AI cost, by your monthly price (Rp)

lists-sheet-daily = Daily

lists-sheet-conversations = Conversations

lists-sheet-about = What this means

lists-about-title = AI Agent Impact Report — { $org }, { $from } to { $to } ({ $timezone })

lists-about-lines-1 = Each conversation is counted on the day it started, in your organization's time zone.

lists-about-lines-2 = Counted = all conversations except your own test chats and spam, which are left out of every figure.

lists-about-lines-3 = Solved on its own = the AI closed it, no one from your team joined, and the customer did not start another conversation within 48 hours after it closed.

lists-about-lines-4 = Closed by the AI, but the customer came back = the AI closed it alone, but the same customer started another conversation within 48 hours; these are not counted as solved.

lists-about-lines-5 = AI helped, then your team took over = the AI answered and a team member joined; Handed to your team = a team member took over or it was passed to the team; No clear outcome = closed by someone from your team or a timeout, still open, or an unknown reason.

lists-about-lines-6 = Team hours saved, time saved (Rp) and what the AI cost come from your own cost numbers, and are empty without them. The AI's cost of a day is its monthly price ÷ the days of that month, so a whole calendar month costs exactly the monthly price; the whole-period row counts only the days with data.

# The organization's own cost numbers, in the workbook's "what this means" sheet.
lists-about-money = Your cost numbers: { $rate } an hour of a team member's time and { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    } a conversation. Team hours saved = conversations solved on their own × { $minutes } ÷ 60; time saved (Rp) = those hours × { $rate }.

lists-about-price = What you pay for the AI: { $price } a month.

lists-about-lines-7 = The figures are the same as on the report page for this period; the whole-period row equals the report's totals.

lists-about-lines-8 = Can still change = solved on its own less than 2 days before the data was last read: if the customer comes back within those 2 days, it moves to "Closed by the AI, but the customer came back".

lists-more-than-fits = This workbook holds the newest { $rows } conversations; download the CSV file for all of them.

# `impact kpis`: the launch's own numbers (docs/operations.md).
kpis-title = Launch numbers for { $month } (a calendar month, UTC)

kpis-running = The month is still running: these numbers count { $from } to { $through }, the last complete day; it ends on { $end }.

kpis-no-usage = No usage recorded in this month: nobody opened a report, a list or a download, so no target below is judged.

kpis-adoption = Adoption: { $numerator } of { $denominator ->
        [one] { $denominator } organization
       *[other] { $denominator } organizations
    } with the AI add-on saw the report: { $rate } (target at least { $target }) — { $met }

kpis-repeat = Repeat engagement: { $numerator } of the { $denominator ->
        [one] { $denominator } person
       *[other] { $denominator } people
    } who saw it the month before saw it again: { $rate } (target at least { $target }) — { $met }

kpis-reliability = Reliability: { $failed ->
        [one] { $failed } failed load
       *[other] { $failed } failed loads
    } for { $views ->
        [one] { $views } report shown
       *[other] { $views } reports shown
    }, so { $rate } (1 − failed ÷ shown; target at least { $target }) — { $met }

kpis-value = Value configured: { $numerator } of { $denominator ->
        [one] { $denominator } organization
       *[other] { $denominator } organizations
    } with the AI add-on saw their team's time saved: { $rate } (target at least { $target }) — { $met }

kpis-forecast = Forecast: { $rendered ->
        [one] { $rendered } organization was
       *[other] { $rendered } organizations were
    } shown a projection for this month, { $realised } of them can be checked against what the month did; mean error { $mae } (target below { $target } points) — { $met }

kpis-review = Review: { $loads ->
        [one] { $loads } report load
       *[other] { $loads } report loads
    }, { $failed } failed; { $forming } of the reports shown while the baseline formed; { $rendered } reports shown with next month's projection; { $lists } lists opened, { $downloads } downloads, { $saves } cost-number saves.

kpis-gates = Gates of { $stage }:

kpis-mae = { $mae } points

kpis-stage-alpha = internal alpha

kpis-stage-closed-beta = closed beta

kpis-stage-open-beta = open beta

kpis-stage-ga = general availability

kpis-met = met

kpis-not-met = not met

kpis-no-data = not enough data

kpis-no-usage-short = no usage recorded

# A gate: what it measures, the value, what it needs, and the result.
kpis-gate-line = { $label }: { $value } (needed: { $needed }) — { $result }

kpis-at-least = at least { $threshold }

kpis-at-most = at most { $threshold }

kpis-below = below { $threshold }

kpis-gate-load-failures = Failed loads, of the reports shown

kpis-gate-loads-over-3s = Loads slower than 3 seconds

kpis-gate-admins-viewing = Organizations in the beta that opened the report

kpis-gate-reliability = Reliability over the month

kpis-gate-forecast-error = Forecast error, in percentage points

kpis-gate-reliability-days = Reliability over the { $days } days from { $from } to { $to }

kpis-gate-tracking-live = Usage of the report is being recorded

kpis-pass = pass

kpis-fail = fail
