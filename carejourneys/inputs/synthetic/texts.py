"""Fragments from which synthetic transcripts are composed.

Everything here was written for this project: short, plain sentences that sound like interview
answers but are obviously synthetic. Each code of the codebook has positive and negative
fragments (a "mixed" answer joins one of each); young people's outcome codes have first-person
fragments. Slots in braces are filled by :mod:`carejourneys.inputs.synthetic.qualitative`:

    {name}      a fictional person's name (planted, listed in deny_list.csv)
    {place}     a fictional place (planted)
    {service}   a fictional local service (planted)
    {org}       a fictional organisation such as a college (planted)
    {activity}  one of the site's programme activities that had started by the interview (always
                written after "the")
    {site}      the site's name
"""

from __future__ import annotations

OY = "Outcomes for young people"
PL = "Programme learning"
CO = "Collaboration"
FO = "Five outcomes"

#: fictional names, places, services and organisations planted in transcripts, per site
PLANTED: dict[str, dict[str, tuple[str, ...]]] = {
    "brent": {
        "name": ("Amara Fenwick", "Tariq Bellamy", "Shanice Moorcroft", "Kofi Ashdown", "Priya Lindell"),
        "place": ("Elmstead House", "Marlowe Parade", "Cressfield Tower"),
        "service": ("Northway Youth Hub", "Bridgeline Mentoring", "Keystone Supported Living"),
        "organisation": ("Westmere Academy",),
    },
    "plymouth": {
        "name": ("Morwenna Pascall", "Jago Trevellick", "Tamsin Rowden", "Dylan Hockaday", "Ellis Penwarne"),
        "place": ("Gullstone Court", "Kittiwake House", "Ferrymead Estate"),
        "service": ("Harbourlight Drop-in", "Compass Lodgings", "Seaview Step-Up Project"),
        "organisation": ("Tidewell College",),
    },
    "national": {
        "name": ("Rowan Ellery", "Bernadette Quigley"),
        "place": ("Ashcombe Chambers",),
        "service": ("Pathfinder Leaving Care Network",),
        "organisation": ("Larkfield Trust",),
    },
}

#: fallback activity names (national interviews; a site's own come from programme.ACTIVITIES)
SITE_ACTIVITIES: dict[str, tuple[str, ...]] = {
    "brent": ("Youth Voice Panel", "Skills Academy", "Wellbeing Circle", "Mentoring Scheme"),
    "plymouth": ("Friday Hub", "Journey Bags", "Lifelong Links", "Wellbeing Workshops"),
    "national": ("Care Journeys learning network", "national practice forum"),
}

# ---------------------------------------------------------------------------------- questions
STAFF_QUESTIONS: dict[str, tuple[str, ...]] = {
    OY: ("What difference, if any, have you seen for young people?",
         "Can you give an example of a young person who got something out of it?"),
    PL: ("What has the programme taught you about how this kind of work should be set up?",
         "Looking back, what would you do differently next time?"),
    CO: ("How have people from the different organisations worked together?",
         "What has working alongside the other partner been like day to day?"),
    "Enablers": ("What has helped things move forward?", "What made the difference when things went well?"),
    "Barriers": ("What has got in the way?", "Where did things get stuck?"),
    FO: ("How far do you think the partnership has changed the wider system?",
         "Where has the partnership made a difference beyond individual young people?"),
}
YP_QUESTIONS: dict[str, tuple[str, ...]] = {
    OY: ("How has being involved been for you?", "Has anything changed for you since you got involved?",
         "What do you feel you have got out of it?", "How are things going for you at the moment?",
         "If a friend asked you whether to join, what would you say?"),
    "Enablers": ("What made it easy to come along?", "What kept you coming back?"),
    "Barriers": ("Was anything hard about taking part?", "What nearly stopped you getting involved?"),
    FO: ("Did you get a say in how things were run?", "Were you asked what you thought about it?"),
}
#: used when every question on a topic has been asked already
FOLLOW_UPS = ("Can you say a bit more about that?", "Is there anything else on that?",
              "What would you want people to know about that?")
FOCUS_GROUP_PROMPTS = ("Let's go round the room on this one.", "Does anyone see it differently?",
                       "Can I bring someone else in here?")

# ---------------------------------------------------------------------------------- staff fragments
STAFF: dict[str, dict[str, tuple[str, ...]]] = {
    f"{OY}/Social connections": {
        "pos": ("A lot of them now have people they can ring on a bad day, which was not true before.",
                "The {activity} became a place where friendships formed without anyone forcing it.",
                "One lad met his older cousin again through the work, and that changed his whole year."),
        "neg": ("Some of the young people are still very isolated once the sessions stop.",
                "We lose touch with the ones who move out of area, and their networks shrink again.",
                "Friendships made at {place} did not always survive a move to new accommodation."),
    },
    f"{OY}/Wellbeing, confidence and identity": {
        "pos": ("You can see the confidence: some who would not speak in week one were chairing by spring.",
                "Several of them talk about feeling proud of where they come from for the first time.",
                "{name} noticed a real lift in mood across the group after the residential."),
        "neg": ("Mental health waiting lists undo a lot of the good work we do.",
                "Confidence is fragile; one bad placement move and it drops right back.",
                "We were not always equipped to support the young people in crisis."),
    },
    f"{OY}/Skills and knowledge": {
        "pos": ("Young people learned practical stuff: budgeting, cooking, filling in forms.",
                "The co-designers picked up interviewing skills by sitting on recruitment panels.",
                "A few have used what they learned to get a first job or a college place at {org}."),
        "neg": ("The training offer was patchy and depended on who was in post.",
                "Some sessions were pitched too high and people drifted off.",
                "We never properly recorded the skills people gained, so it is hard to show."),
    },
    f"{OY}/Personal goals and positive destinations": {
        "pos": ("A good number moved into work, training or volunteering while they were with us.",
                "Having a named worker who checked in every week kept goals on track.",
                "{name} went from sofa surfing to a tenancy and a part-time job within the year."),
        "neg": ("Positive destinations are hard to sustain when housing keeps falling through.",
                "The jobs on offer locally are mostly short-term and insecure.",
                "We set goals with young people but did not always have the resource to follow them up."),
    },
    f"{PL}/Additional resource": {
        "pos": ("Having extra capacity meant we could try things the statutory team never had time for.",
                "The programme money bought flexibility, a small pot to say yes quickly.",
                "Extra staff hours let us build relationships at the young person's pace."),
        "neg": ("Extra money does not fix things if the core service is stretched thin.",
                "We spent the first year recruiting, so the additional resource arrived late.",
                "When the funded posts ended, the work had nowhere to land."),
    },
    f"{PL}/Power between council and voluntary sector": {
        "pos": ("Over time the council started treating the charity as an equal, not a contractor.",
                "We were invited into decisions that used to be closed to outside partners.",
                "The voluntary sector voice was heard at the top table by the end."),
        "neg": ("At times it felt like the council held all the cards and we were asked to fit in.",
                "Decisions were made in meetings we were not part of.",
                "The charity had to be careful about challenging the local authority too openly."),
    },
    f"{PL}/Decision-making and momentum": {
        "pos": ("Once the board agreed a direction, things moved really quickly.",
                "Clear sign-off routes kept momentum going through the middle years.",
                "Small decisions were pushed down to the people doing the work, which helped."),
        "neg": ("Every change needed three sets of approval and we lost months.",
                "Momentum stalled whenever a key person left.",
                "Proposals sat waiting for a decision for the best part of a year."),
    },
    f"{PL}/Permission to fail": {
        "pos": ("We were allowed to try ideas, drop the ones that did not work and say so openly.",
                "Leaders said it was fine to experiment, and they meant it.",
                "Testing things on a small scale first took the fear out of it."),
        "neg": ("Talk of innovation did not always match how mistakes were treated.",
                "People were nervous about reporting that something had not worked.",
                "Some pilots were quietly dropped rather than learned from."),
    },
    f"{PL}/Endings and legacy": {
        "pos": ("Parts of the work have been taken on by the council and will carry on.",
                "We planned the ending with young people so it did not feel like a cliff edge.",
                "The {activity} is being written into the leaving care offer."),
        "neg": ("The ending came quickly and some young people felt dropped.",
                "Without continued funding a lot of the learning will just walk out the door.",
                "Nobody owned the exit plan until the last few months."),
    },
    f"{PL}/Governance": {
        "pos": ("The partnership board gave the work a clear line of sight to senior leaders.",
                "Regular reporting kept everyone honest about progress.",
                "Having young people at the board changed the tone of the meetings."),
        "neg": ("Board papers arrived late and there was little time to discuss them.",
                "Governance papers were long and the real discussion happened elsewhere.",
                "It was never clear who was accountable when something went wrong."),
    },
    f"{CO}/Ethos across roles": {
        "pos": ("There is a shared belief now that young people should be involved from the start.",
                "Social workers and project staff began to use the same language about relationships.",
                "The ethos spread: other teams started asking how we did it."),
        "neg": ("Some teams saw the programme as a nice extra rather than core business.",
                "Different professional cultures sometimes pulled in opposite directions.",
                "The relational approach was hard to hold on to under caseload pressure."),
    },
    f"{CO}/Leading by example": {
        "pos": ("When the director came to the {activity} it sent a message to everyone.",
                "Managers modelled the approach by sitting down with young people themselves.",
                "Leaders being visible made staff feel it was worth the effort."),
        "neg": ("Leaders talked about co-production but rarely turned up to see it.",
                "Mixed messages from the top made it hard for practitioners to commit.",
                "Some managers kept their distance from the day-to-day work."),
    },
    f"{CO}/Team skills and lived experience": {
        "pos": ("Bringing in staff with lived experience changed how young people engaged.",
                "The team had a great mix of youth work and social work skills.",
                "Paid roles for care leavers brought insight we could not have got any other way."),
        "neg": ("Staff with lived experience were not always well supported in their roles.",
                "High turnover meant skills kept walking out the door.",
                "We underestimated the training new team members needed."),
    },
    f"{CO}/Strategic support": {
        "pos": ("Having a sponsor at director level unlocked doors.",
                "Strategic support from both organisations meant problems got escalated and solved.",
                "The corporate parenting panel backed the work publicly."),
        "neg": ("Strategic leads changed so often that support had to be won again and again.",
                "Without a senior champion, proposals stalled.",
                "Support at the top was warm but not always practical."),
    },
    f"{FO}/Co-production": {
        "pos": ("Young people co-designed the {activity} from the first session.",
                "Co-production became normal: nothing went to the board without young people seeing it.",
                "Care leavers sat on interview panels for new staff."),
        "neg": ("Co-production was sometimes consultation with a new name.",
                "Young people were asked for views but rarely saw what happened next.",
                "It was hard to co-produce when timescales were set elsewhere."),
    },
    f"{FO}/Robust partnership": {
        "pos": ("The partnership survived staff changes because it was built on trust.",
                "We could disagree openly and still keep working together.",
                "Both organisations put their name to the work and stood by it."),
        "neg": ("The partnership depended on a handful of people and was fragile.",
                "There were months when the two organisations barely spoke.",
                "Roles and responsibilities were never written down properly."),
    },
    f"{FO}/Learning shared": {
        "pos": ("Learning events drew in teams from across the region.",
                "We wrote up what worked and it was picked up by other councils.",
                "The evaluation findings were fed straight back into practice."),
        "neg": ("We learned a lot but shared very little outside the two organisations.",
                "Reports were written but nobody had time to read them.",
                "Learning stayed with individuals and left when they did."),
    },
    f"{FO}/Systems improved": {
        "pos": ("The leaving care offer was rewritten with young people's input.",
                "Referral routes between services are clearer than they were.",
                "Pathway planning now asks about relationships, not just housing and work."),
        "neg": ("Systems change is slow and most of it is still on paper.",
                "Practice changed in one team but not across the service.",
                "The same gaps in housing support are still there."),
    },
    f"{FO}/Policy influence": {
        "pos": ("Our evidence was quoted in a national consultation response.",
                "Council policy on care leaver council tax changed partly because of this work.",
                "We briefed the regional network and they took the ideas forward."),
        "neg": ("Influencing national policy was always a stretch for a local programme.",
                "We had good stories but not the evidence policymakers wanted.",
                "Policy influence depended on one person's contacts."),
    },
}

# ---------------------------------------------------------------------------------- young people
YOUNG: dict[str, dict[str, tuple[str, ...]]] = {
    f"{OY}/Social connections": {
        "pos": ("I've made proper mates through the {activity}, people who get it.",
                "Before, I didn't really talk to anyone. Now there's a group chat and we meet up.",
                "{name} helped me get back in touch with my nan, which means a lot.",
                "It's nice knowing there are people around who've been through the same stuff."),
        "neg": ("When I moved to {place} I lost touch with most of them.",
                "Some weeks I still feel like I've got nobody.",
                "It's hard to keep friends when you keep getting moved."),
    },
    f"{OY}/Wellbeing, confidence and identity": {
        "pos": ("I'm way more confident now. I spoke at a meeting in front of loads of people.",
                "I feel better in myself, like I'm not just a case file.",
                "It made me feel proud of who I am and where I've come from.",
                "I actually look forward to the week now."),
        "neg": ("My mental health has been up and down and the waiting list is massive.",
                "Some days I still don't want to leave the flat.",
                "I felt a bit lost when the sessions finished."),
    },
    f"{OY}/Skills and knowledge": {
        "pos": ("I learned how to budget properly, which I never got taught before.",
                "They showed me how to do a CV and practise for interviews.",
                "I can cook a few proper meals now, not just toast.",
                "I know my rights as a care leaver now, which I didn't before."),
        "neg": ("Some of the sessions were a bit boring, like being back at school.",
                "Nobody explained the forms properly so I still struggle with them."),
    },
    f"{OY}/Personal goals and positive destinations": {
        "pos": ("I started a course at {org} in September and I'm sticking with it.",
                "I got my first job through them and I've kept it.",
                "I've got my own flat now through {service}.",
                "They helped me work out what I actually want to do."),
        "neg": ("I wanted to do an apprenticeship but it fell through.",
                "It's hard to think about college when you don't know where you'll be living.",
                "I dropped out of my course because of money."),
    },
    f"{FO}/Co-production": {
        "pos": ("We got to choose what the sessions were about.",
                "I helped interview the new staff, that was mad.",
                "They actually changed stuff because of what we said."),
        "neg": ("Sometimes they asked us but had already decided.",
                "We said things at the forum and never heard back."),
    },
}

#: short openers for answers (no code of their own)
OPENERS = ("Yeah.", "Honestly?", "That's a good question.", "Let me think.", "Right.", "I suppose so.", "Mm.")
#: link words for a mixed answer: a positive fragment, then one of these, then a negative one
MIXED_LINKS = ("But at the same time,", "Then again,", "On the flip side,", "Saying that,", "Although,")

# ---------------------------------------------------------------------------------- more variety
_MORE_STAFF: dict[str, dict[str, tuple[str, ...]]] = {
    f"{OY}/Social connections": {
        "pos": ("Young people started turning up for each other, not just for the activity.",
                "We put {name} in touch with a mentor and they still meet for coffee."),
        "neg": ("Online sessions during lockdown kept people going but nobody made new friends that way.",),
    },
    f"{OY}/Wellbeing, confidence and identity": {
        "pos": ("A young woman who barely made eye contact now leads the welcome at the {activity}.",
                "They talk about themselves differently, less about the care system and more about plans."),
        "neg": ("Some of the gains disappeared once the weekly contact stopped.",),
    },
    f"{OY}/Skills and knowledge": {
        "pos": ("Running the tuck shop at {place} taught more about money than any worksheet.",),
        "neg": ("The young people who most needed the skills sessions were the least likely to attend.",),
    },
    f"{OY}/Personal goals and positive destinations": {
        "pos": ("Work experience placements through {service} turned into two paid jobs.",),
        "neg": ("A couple of young people got jobs and then lost them when their benefits were reassessed.",),
    },
    f"{PL}/Additional resource": {
        "pos": ("The extra worker meant someone could sit with a young person at a housing appointment.",),
        "neg": ("Everyone wanted a piece of the extra capacity, so it got spread too thinly.",),
    },
    f"{PL}/Power between council and voluntary sector": {
        "pos": ("By year three the charity was chairing one of the council's own working groups.",),
        "neg": ("The contract language kept reminding everyone who was paying.",),
    },
    f"{PL}/Decision-making and momentum": {
        "pos": ("Having one named person who could say yes made all the difference.",),
        "neg": ("The {activity} was agreed in principle and then waited for a job description for ages.",),
    },
    f"{PL}/Permission to fail": {
        "pos": ("We stopped one activity after a term and nobody treated it as a disaster.",),
        "neg": ("Under scrutiny from elected members, the appetite for risk shrank quickly.",),
    },
    f"{PL}/Endings and legacy": {
        "pos": ("Young people wrote a handover guide for whoever picks the work up next.",),
        "neg": ("Staff started leaving for secure jobs a year before the end, which left gaps.",),
    },
    f"{PL}/Governance": {
        "pos": ("The terms of reference were rewritten so that the board could actually make decisions.",),
        "neg": ("The board heard updates but rarely took a decision in the room.",),
    },
    f"{CO}/Ethos across roles": {
        "pos": ("Even the finance team started asking what young people thought.",),
        "neg": ("Front-line staff felt the ethos was for the project team, not for them.",),
    },
    f"{CO}/Leading by example": {
        "pos": ("Our head of service took part in the sleep-out and talked about it for weeks.",),
        "neg": ("It is hard to model openness when your own manager is under pressure to hit targets.",),
    },
    f"{CO}/Team skills and lived experience": {
        "pos": ("{name} brought their own story into training for new social workers, and it landed.",),
        "neg": ("Nobody had thought about supervision for peer workers until someone struggled.",),
    },
    f"{CO}/Strategic support": {
        "pos": ("When things stuck, a call between the two directors usually unstuck them.",),
        "neg": ("The programme slipped down the agenda whenever an inspection was due.",),
    },
    f"{FO}/Co-production": {
        "pos": ("Young people wrote the job advert for the participation worker.",),
        "neg": ("The same small group of confident young people got asked every time.",),
    },
    f"{FO}/Robust partnership": {
        "pos": ("Shared office days did more for the partnership than any agreement on paper.",),
        "neg": ("When budgets tightened, each side went back to protecting its own.",),
    },
    f"{FO}/Learning shared": {
        "pos": ("A short film made by young people was shown to every new starter in children's services.",),
        "neg": ("Nobody outside the project knew the learning events were happening.",),
    },
    f"{FO}/Systems improved": {
        "pos": ("Care leavers now get a named contact at {service} instead of a phone queue.",),
        "neg": ("The new process works only while the people who designed it are still there.",),
    },
    f"{FO}/Policy influence": {
        "pos": ("A regional leaving care group adopted the {site} approach to pathway planning.",),
        "neg": ("National changes happened for other reasons; I would not claim them for us.",),
    },
}
_MORE_YOUNG: dict[str, dict[str, tuple[str, ...]]] = {
    f"{OY}/Social connections": {
        "pos": ("My worker {name} still messages to see how I'm doing, even now.",),
        "neg": ("Lockdown was grim, I didn't see anyone for months.",),
    },
    f"{OY}/Wellbeing, confidence and identity": {
        "pos": ("I used to think nobody would listen to someone like me. Now I know they will.",),
        "neg": ("I still get anxious in big groups.",),
    },
    f"{OY}/Skills and knowledge": {
        "pos": ("I learned how to speak up for myself in meetings about me.",),
        "neg": ("I forgot most of it because there was no follow-up.",),
    },
    f"{OY}/Personal goals and positive destinations": {
        "pos": ("I'm volunteering at {place} two days a week and I want to do it as a job.",),
        "neg": ("I had a place sorted but it fell through when my housing changed.",),
    },
}
for _bank, _more in ((STAFF, _MORE_STAFF), (YOUNG, _MORE_YOUNG)):
    for _code, _extra in _more.items():
        for _kind, _frags in _extra.items():
            _bank[_code][_kind] = (*_bank[_code][_kind], *_frags)

#: contact details planted now and then in answers (fictional: drama numbers and example domains),
#: so that anonymisation of emails and phone numbers has something to find
CONTACT_FRAGMENTS = {
    "staff": ("You can reach me on {phone} if you need anything else.",
              "Send it to {email} and I'll pass it on."),
    "young": ("My old worker's number was {phone}, I still have it saved.",
              "They emailed me from {email} to check I was alright."),
}

# ---------------------------------------------------------------------------------- enablers and barriers
EN, BA = "Enablers", "Barriers"

#: what staff said helped (Enablers/...) or got in the way (Barriers/...): each sentence names its factor
STAFF_FACTORS: dict[str, tuple[str, ...]] = {
    f"{EN}/Dedicated resource": (
        "Having a worker whose whole job was this work meant it did not get squeezed out.",
        "The ring-fenced programme budget paid for time nobody in the statutory team had.",
        "A few protected days a week for the project made all the difference."),
    f"{EN}/Senior sponsorship": (
        "Our director put her name to it, so doors opened that would normally stay shut.",
        "A senior sponsor on each side meant blockages got sorted at the right level.",
        "When the assistant director backed a proposal, it went through."),
    f"{EN}/Lived-experience staff": (
        "Staff who had been in care themselves were trusted by young people from day one.",
        "Our care-experienced colleague could say things to managers that landed differently.",
        "Employing care leavers in the team changed what we noticed and what we asked."),
    f"{EN}/Flexible funding": (
        "A small pot we could spend without a committee let us say yes on the day.",
        "Because the money was not tied to targets, we could follow what young people wanted.",
        "Flexible spending meant we could pay for a deposit or a bus pass when it mattered."),
    f"{EN}/Joint ownership of decisions": (
        "Decisions were made together, with the council and the charity round the same table.",
        "Both partners signed off the plan, so both felt it was theirs.",
        "Shared decisions meant nobody could quietly walk away from them."),
    f"{EN}/Space to experiment": (
        "We had room to try something small, see what happened and change course.",
        "Being told it was fine if a pilot did not work freed people up.",
        "Trying ideas out for a term before committing took the pressure off."),
    f"{BA}/Staff turnover": (
        "Every time a manager left we went back to square one with the relationship.",
        "Turnover in both organisations meant nobody held the history of the work.",
        "We had four different leads in two years, and each one wanted to start again."),
    f"{BA}/Procurement and contracting": (
        "Getting a contract in place with the outside provider took the best part of a year.",
        "Procurement rules meant we could not just buy in the training we needed.",
        "The legal side of agreeing the service kept bouncing between the two organisations."),
    f"{BA}/Data sharing": (
        "We could not see the council's records, so we never knew who to reach.",
        "Without a data sharing agreement, referrals relied on goodwill and email.",
        "Monitoring data never came through, so it was hard to show what worked."),
    f"{BA}/Short-term funding": (
        "Knowing the money would run out made people look for other jobs early.",
        "Short-term funding meant every plan had one eye on the exit.",
        "When funding was pulled early, the last year became about winding down."),
    f"{BA}/Competing priorities": (
        "An inspection came along and the programme dropped down everyone's list.",
        "Managers were pulled into crisis work and the project waited.",
        "It was one more meeting on top of corporate parenting and safeguarding boards."),
    f"{BA}/COVID-19": (
        "The pandemic stopped face-to-face work just as things were getting going.",
        "Lockdowns meant we lost touch with young people who had no data or phone credit.",
        "COVID pulled council staff into emergency work for months."),
    f"{BA}/Slow decision-making": (
        "Sign-off took so long that the idea had gone cold by the time it came.",
        "We waited months for a protocol to be signed off while everything sat ready to go.",
        "Decisions went round the houses and nobody could say yes."),
    f"{BA}/Different views of systems change": (
        "We never agreed what systems change would look like, so we measured different things.",
        "The council wanted service targets and we wanted to change relationships.",
        "People meant different things by transformation and that caused friction."),
}
#: what young people said helped or got in the way
YOUNG_FACTORS: dict[str, tuple[str, ...]] = {
    f"{EN}/Approachable, flexible workers": (
        "The workers are sound, they actually listen.",
        "{name} would text me to remind me, which helped.",
        "They fitted round me, not the other way round."),
    f"{EN}/Practical help": (
        "They paid for my bus fare so I could get there.",
        "There was always food, which sounds small but it matters.",
        "They lent me a laptop so I could do the online bits."),
    f"{EN}/Lived-experience staff": (
        "One of the workers had been in care too, so I didn't have to explain everything.",),
    f"{BA}/Travel and timing": (
        "It was too far from where I was living.",
        "Sessions clashed with my shifts at work.",
        "When the times changed nobody told me, so I stopped going."),
    f"{BA}/Staff turnover": (
        "My social worker kept changing so nobody followed things up.",
        "I got used to one worker and then she left."),
    f"{BA}/COVID-19": (
        "Lockdown meant everything went online and I just stopped logging on.",),
}
#: the theme a factor sentence also speaks to (coded on the same passage)
FACTOR_THEMES: dict[str, str] = {
    f"{EN}/Dedicated resource": f"{PL}/Additional resource",
    f"{EN}/Senior sponsorship": f"{CO}/Strategic support",
    f"{EN}/Lived-experience staff": f"{CO}/Team skills and lived experience",
    f"{EN}/Joint ownership of decisions": f"{PL}/Power between council and voluntary sector",
    f"{EN}/Space to experiment": f"{PL}/Permission to fail",
    f"{BA}/Procurement and contracting": f"{PL}/Decision-making and momentum",
    f"{BA}/Slow decision-making": f"{PL}/Decision-making and momentum",
    f"{BA}/Short-term funding": f"{PL}/Endings and legacy",
    f"{BA}/Staff turnover": f"{PL}/Governance",
    f"{BA}/Different views of systems change": f"{FO}/Systems improved",
}
#: how often each factor comes up at a site (relative weights; 1 when not listed)
FACTOR_WEIGHTS: dict[str, dict[str, float]] = {
    "brent": {f"{EN}/Lived-experience staff": 3.0, f"{EN}/Senior sponsorship": 2.5,
              f"{EN}/Dedicated resource": 2.0, f"{EN}/Flexible funding": 2.0,
              f"{BA}/Short-term funding": 2.5, f"{BA}/Different views of systems change": 0.4,
              f"{BA}/Slow decision-making": 0.6},
    "plymouth": {f"{BA}/Staff turnover": 3.0, f"{BA}/Slow decision-making": 3.0,
                 f"{BA}/Short-term funding": 2.0, f"{BA}/COVID-19": 1.8, f"{BA}/Competing priorities": 1.8,
                 f"{BA}/Different views of systems change": 1.5, f"{BA}/Procurement and contracting": 1.5,
                 f"{EN}/Joint ownership of decisions": 1.8, f"{EN}/Space to experiment": 1.6,
                 f"{EN}/Dedicated resource": 1.8, f"{EN}/Lived-experience staff": 0.3,
                 f"{EN}/Practical help": 0.6},
}

# ---------------------------------------------------------------------------------- site-specific fragments
#: extra staff fragments heard at one site only (added to the bank for that site's transcripts)
SITE_STAFF: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "plymouth": {
        f"{PL}/Additional resource": {
            "pos": ("The council seconding someone half time to the family-finding work showed it meant it.",
                    "Bringing in outside money let us test the drop-in in a building that did not feel "
                    "like the council."),
            "neg": ("Half a post was never going to carry a whole new service.",),
        },
        f"{PL}/Power between council and voluntary sector": {
            "pos": ("Because the charity brought its own money, it could push back on targets.",
                    "The charity sat in senior meetings and kept asking what a good corporate parent "
                    "would do."),
            "neg": ("People still called it the charity's project, as if the council was a guest.",),
        },
        f"{PL}/Decision-making and momentum": {
            "neg": ("Everything else was put on hold while the family-finding service was argued over.",
                    "The bags sat in a cupboard for months while the protocol waited to be approved.",
                    "By the time the worker started, there was hardly any time left to take referrals.",
                    "The referrals just never came in the numbers the business case promised."),
        },
        f"{PL}/Permission to fail": {
            "neg": ("When the money got tight, a pilot that struggled looked like a reason to cut.",
                    "With an inspection hanging over the service, nobody wanted to be seen to fail."),
        },
        f"{PL}/Endings and legacy": {
            "pos": ("We held celebration meals with the young people so the ending was marked.",
                    "The council is planning its own hub for care leavers, built on the Friday drop-in."),
            "neg": ("When the building went, the Friday drop-in went with it and left a hole.",
                    "We stopped bringing new young people in so we would not let them down at the end.",
                    "The handover to council staff was rushed because posts were ending."),
        },
        f"{PL}/Governance": {
            "neg": ("The board stopped meeting for most of a year and decisions drifted.",
                    "After the chair moved on, meetings kept being cancelled and nobody picked it up.",
                    "It felt like another partnership table on top of all the others."),
        },
        f"{FO}/Systems improved": {
            "pos": ("The council now treats care experience like a protected characteristic.",
                    "The care leaver covenant was rewritten and is stronger than it was."),
        },
        f"{FO}/Policy influence": {
            "pos": ("The shoes exhibition went to Westminster and young people spoke to MPs about "
                    "rent guarantors.",),
        },
        f"{FO}/Co-production": {
            "neg": ("The family-finding service was chosen by managers, not by young people.",
                    "Front-line staff heard about decisions after they were made."),
        },
    },
    "brent": {
        f"{CO}/Ethos across roles": {
            "pos": ("Everyone in the room was treated as an expert, whether they were a director or "
                    "nineteen.",
                    "Titles did not matter in our sessions; young people and managers planned together."),
        },
        f"{CO}/Leading by example": {
            "pos": ("The team did not just talk about sharing power, they showed you what it felt like.",
                    "Managers came to a session as learners and went away doing things differently."),
        },
        f"{CO}/Team skills and lived experience": {
            "pos": ("The team brought creative skills, lived experience and real patience.",
                    "Their passion was obvious, and they knew the system inside out."),
        },
        f"{CO}/Strategic support": {
            "pos": ("Leaders in both organisations protected the budget so the films could be made well.",),
        },
        f"{PL}/Endings and legacy": {
            "pos": ("The welcome packs are now something every semi-independent provider has to give.",
                    "Training for social workers carries on after the team has gone.",
                    "The work with inspectors means young people's films are part of how services are "
                    "judged."),
            "neg": ("When a team this skilled disbands, you cannot just hand over the relationships.",
                    "Some young people will miss the one-to-one support that cannot carry on."),
        },
        f"{FO}/Learning shared": {
            "pos": ("The poetry and films travelled further than any report would have.",),
        },
    },
}
