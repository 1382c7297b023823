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
        "neg": ("For a long stretch the board simply did not meet and things drifted.",
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
    "Enablers": {
        "pos": ("Good relationships between the two managers made everything else easier.",
                "Co-locating the team in the council offices helped a lot.",
                "A flexible budget let us respond to what young people asked for.",
                "Working with {service} gave young people a route in."),
        "neg": ("What should have helped, like shared systems, never quite arrived.",
                "The enablers were there on paper but not in practice."),
    },
    "Barriers": {
        "pos": ("Most of the early barriers were sorted once people got to know each other.",
                "We found ways round the data sharing problems in the end."),
        "neg": ("Recruitment delays held up the work for months.",
                "Information sharing between the organisations was a constant struggle.",
                "The pandemic moved everything online and some young people just disappeared.",
                "Staff turnover in the council meant starting relationships from scratch."),
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
    "Enablers": {
        "pos": ("The workers are sound, they actually listen.",
                "They paid for my bus fare so I could get there.",
                "{name} would text me to remind me, which helped.",
                "There was always food, which sounds small but it matters."),
        "neg": ("It only works if you've got a worker who bothers.",
                "When the times changed nobody told me, so I stopped going."),
    },
    "Barriers": {
        "pos": ("Getting there was hard at first but they sorted transport.",
                "I was worried I wouldn't fit in, but that went after the first week.",
                "Honestly nothing much, they made it pretty easy."),
        "neg": ("It was too far from where I was living.",
                "I was nervous walking in on my own the first time.",
                "Sessions clashed with my shifts at work.",
                "My social worker kept changing so nobody followed things up."),
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
        "neg": ("After the chair moved on, meetings kept being cancelled and nobody picked it up.",),
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
