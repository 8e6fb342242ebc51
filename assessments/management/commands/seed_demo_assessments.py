"""Northfield's assessments of its places, schools, peer groups and young people, the partners' contributions to
them, and the safety plans for its contexts.

Runs on top of ``seed_demo_contexts`` (which calls it at its end) and writes through the services as the app does:
assessments are started, saved, submitted and decided by people allowed to, contributions are asked for by the
lead authority and answered by the police and the schools, and every write is checked and audited. The one
place that moves a date back in time is said so where it is done.

Reproducible: each assessment and each plan draws from its own generator, seeded from ``SEED`` and its label, so
nothing drawn depends on what this command or anyone else wrote before. Idempotent: an assessment is skipped when
the lead authority already has one on that framework about that subject, and a goal when the subject's plan
already has it (with its interventions), so a second run adds nothing. It all runs in one transaction.

    DEBUG=1 python manage.py seed_demo_assessments [--force]
"""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from faker import Faker

from assessments import frameworks, services
from assessments.models import (
    Assessment,
    AssessmentStatus,
    ContributionRequest,
    Framework,
    Goal,
    GoalStatus,
    Intervention,
    InterventionStatus,
    SafetyPlan,
)
from cases.management.commands.seed_demo import AGENCIES, LEAD, PERSON_ID_PREFIX, STAFF
from cases.models import Case, CaseStatus, YoungPerson
from contexts.models import PeerGroup, Place
from safeguarding import access
from safeguarding.models import Agency, User
from safeguarding.roles import Role

SEED = 2028
LEAD_AUTHORITY = AGENCIES[LEAD][0]
DRAFT, SUBMITTED, RETURNED, APPROVED = (AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED,
                                        AssessmentStatus.RETURNED, AssessmentStatus.APPROVED)
# What happens to a contribution request: answered before the assessment moves on, still waiting, or overdue.
ANSWERED, WAITING, OVERDUE = "answered", "waiting", "overdue"
# Who answers for each partner asked to contribute.
RESPONDERS = {"police": "police.demo", "school": "school.demo", "kestrel": "h.nwosu"}
# Who is responsible for an intervention its agency owns, and reports on it if their agency can see the plan.
OWNERS = {LEAD: "sw.demo", "police": "police.demo", "school": "school.demo", "voluntary": "j.morris",
          "transport": "p.hughes"}
STATE_WORDS = {DRAFT: "drafts", SUBMITTED: "submitted", RETURNED: "returned", APPROVED: "approved"}
SUMMARY_PARTS = {"assessments": ("approved", "submitted", "returned", "drafts"),
                 "contribution requests": ("answered", "overdue requests"), "interventions": ("overdue interventions",)}
REASSESSED_AFTER_DAYS = 182  # the first of the two neighbourhood assessments of one place is about six months old


@dataclass(frozen=True)
class AssessmentSpec:
    label: str  # names the assessment's own random generator
    framework: str
    subject: str  # a place's or a peer group's name
    state: str
    asks: tuple[tuple[str, str], ...] = ()  # (agency key, ANSWERED / WAITING / OVERDUE)


# The place assessed twice is one of the places with a safety plan (the one young people are most linked to);
# these are the other neighbourhoods, in the states they take one by one.
NEIGHBOURHOODS = ["Eastgate Park", "Ring road underpass", "Chicken Express, Station Parade", "Beacon estate",
                  "Canal towpath, Tenter Street"]
NEIGHBOURHOOD_STATES = [
    (DRAFT, (("police", ANSWERED), ("school", WAITING))),
    (SUBMITTED, (("police", ANSWERED),)),
    (RETURNED, ()),
    (DRAFT, (("police", OVERDUE),)),
]
ASSESSMENTS = [
    AssessmentSpec("school-npa", "school", "Northfield Park Academy", SUBMITTED,
                   (("school", ANSWERED), ("police", ANSWERED))),
    AssessmentSpec("school-kestrel", "school", "Kestrel Hill School", DRAFT,
                   (("kestrel", WAITING), ("police", OVERDUE))),
    AssessmentSpec("group-eastgate", "peer-group", "Group seen at Eastgate Park", APPROVED,
                   (("police", ANSWERED), ("school", ANSWERED))),
    AssessmentSpec("group-beacon", "peer-group", "Beacon estate group", DRAFT, (("police", OVERDUE),)),
    AssessmentSpec("group-year-10", "peer-group", "Year 10 friendship group, Kestrel Hill School", RETURNED,
                   (("kestrel", ANSWERED),)),
]
SCREENINGS = 8  # young people with an open case, each screened once
SCREENING_STATES = [
    (APPROVED, ()),
    (DRAFT, (("police", WAITING),)),
    (SUBMITTED, ()),
    (APPROVED, (("police", ANSWERED),)),
    (RETURNED, ()),
    (DRAFT, (("police", OVERDUE),)),
    (APPROVED, ()),
    (SUBMITTED, (("police", ANSWERED),)),
]

# --- What the assessments say (fictional; trauma-informed: the harm is done to young people, by others) --------

TEXTS = {
    "neighbourhood": {
        "who_uses_it": [
            "Mostly young people aged 12 to 16 from the two nearest secondary schools, after school until about "
            "6pm, and a smaller group of older young people later in the evening.",
            "Young people from across the ward pass through on the way to and from school; a group of eight to ten "
            "aged 13 to 15 stays on most evenings until about 9pm.",
        ],
        "collective_strengths": [
            "Young people look out for each other here: they walk home in twos and threes and have told youth "
            "workers when a friend seemed frightened.",
            "Several young people said they would like to help design the space and have ideas about lighting, "
            "seating and activities.",
        ],
        "collective_needs": [
            "Somewhere warm and staffed to go after school, safe routes home after dark, and adults nearby who "
            "know what to do when someone approaches them.",
            "To be able to spend time here without being approached by adults offering lifts, food or money, and "
            "to know who to tell if it happens.",
        ],
        "guardians_present": [
            "A park warden until dusk, staff at the shops on the parade, and the neighbourhood police team on foot "
            "two evenings a week.",
            "Shop staff and bus drivers are here every day and a few residents walk their dogs in the evenings. "
            "After 8pm there is often no adult who could step in.",
        ],
        "guardian_relationships": [
            "Shop staff know many of the young people by name. Some residents feel uneasy about groups of young "
            "people and call the police rather than speak to them.",
            "Mixed: young people describe the warden as fair, but say some security staff move them on without "
            "asking whether they are all right.",
        ],
        "guardian_support_needed": [
            "A short briefing on the signs of exploitation, a named contact in the team, and safe-space scheme "
            "stickers for the shop doors.",
            "Information on what to do when they see an adult approaching young people, and feedback when they "
            "report something so they know it mattered.",
        ],
        "physical_environment": [
            "The path behind the pavilion is unlit and hidden from the road; broken fencing lets cars pull up out "
            "of sight. Young people point to it as where they feel least safe.",
            "A long walkway with two blind corners and no second way out. Several lights have been broken for "
            "months, so nobody passing can see in.",
        ],
        "provision_opening": [
            "The youth club is open on Tuesday and Friday evenings; nothing is open on other evenings or at "
            "weekends, and the library closes at 5pm.",
            "A free football session on Saturday mornings and the holiday scheme at St Anne's church hall. Young "
            "people say there is nothing for them after 6pm.",
        ],
        "licensing_business": [
            "Two takeaways stay open until midnight. One manager has asked for advice and lets young people wait "
            "inside; the other has been visited by licensing officers.",
            "Adults have bought alcohol at the off-licence on the corner and given it to young people; licensing "
            "and trading standards have been told.",
        ],
        "policing_approach": [
            "A dispersal order was used twice last year. Young people say it moved them to places out of sight "
            "where they felt less safe; the neighbourhood team now talk with them instead.",
            "Officers come after reports, but young people say they are stopped and searched more often than the "
            "adults approaching them are, which makes them less likely to report.",
        ],
        "housing_transport": [
            "The last bus home leaves at 10.40pm, so young people who miss it walk the long way round or are "
            "offered lifts. Two flats nearby are empty and boarded up.",
            "Families placed in temporary accommodation nearby have been moved several times; some young people "
            "travel an hour to get to school.",
        ],
        "structural_inequality": [
            "One of the most deprived neighbourhoods in the borough: youth services have halved in five years and "
            "many families are on low incomes.",
            "Black young people told us they are moved on more often than their white friends. Many families here "
            "are struggling with rising costs.",
        ],
    },
    "school": {
        "structures_evidence": [
            "The designated safeguarding lead has a deputy in each key stage and meets the adolescent safeguarding "
            "team monthly. Concerns are recorded on the school's system and brought to the MACE panel when needed.",
            "The designated safeguarding lead also teaches 20 hours a week and has little time to follow up "
            "concerns. Information sharing with the police has improved since the joint meeting in the autumn.",
        ],
        "prevention_evidence": [
            "RSHE lessons cover healthy relationships and online safety; pupils want more on what to do when a "
            "friend is being harmed. The pupil safety group has met twice this term.",
            "Staff had training on harm outside the home in September; pupils say lessons feel distant from what "
            "happens outside the gates.",
        ],
        "identification_evidence": [
            "Staff and pupils mapped where pupils feel unsafe: the back field, the toilets by the sports hall and the "
            "route to the bus stops. The map has not yet been shared with the police.",
            "Pupils reported harmful sexual behaviour towards them on the bus home; staff had not known it was "
            "happening until the pupil survey.",
        ],
        "response_evidence": [
            "The behaviour policy still leads to exclusion after incidents outside school; two excluded pupils were "
            "later harmed while out of school. The school is reviewing this with the team.",
            "Incidents are followed up the same day and parents are told; safety plans now include the journey home "
            "and the places pupils spend time.",
        ],
    },
    "peer-group": {
        "group_relationships": [
            "Close and loyal: most have known each other since primary school. Some younger members say they feel "
            "they owe older young people for gifts and lifts.",
            "Friendly but under strain since two members were assaulted in March; some have stopped going out with "
            "the group, and say they miss each other.",
        ],
        "group_identity": [
            "They describe themselves as friends who have each other's backs. The group gives them a sense of "
            "belonging and protection they say they do not feel elsewhere.",
            "The people they grew up with on the estate; being part of the group matters to them and to how they "
            "are seen at school.",
        ],
        "group_strengths": [
            "They care about each other: when one member went missing the others told a youth worker where to "
            "look. Several are keen footballers.",
            "Humour, loyalty and a shared love of music; two members have started recording tracks at the youth "
            "club studio.",
        ],
        "power_and_influence": [
            "Two older young people hold influence; adults not known to the families appear to be using them to "
            "draw younger members to meet at the park.",
            "An 18-year-old who used to be part of the group gives younger members money and phones, and they feel "
            "they cannot say no to him.",
        ],
        "guardians_who": [
            "Parents of four members, a youth worker at Marsh Lane Youth Club, and a head of year several of them "
            "trust.",
            "A football coach, an aunt who lives on the estate and the school's pastoral lead. Most parents know "
            "some of the group's friends but not all.",
        ],
        "guardian_support": [
            "A parents' group so carers can share what they know, and a named worker they can call in the evening "
            "when a young person has not come home.",
            "Help for the coach and youth workers to know what to do with what they hear, and a safe way to pass "
            "it on.",
        ],
        "group_places": [
            "Eastgate Park after school, the skate park at weekends, and a group chat where meet-ups are arranged. "
            "Most of these places have no adults around after dark.",
            "The garages on the estate, the retail park car park in the evenings, and the youth club on Tuesdays "
            "and Fridays.",
        ],
        "policy_impact": [
            "Three members have been excluded from school this year; on those days they spend time at the park with "
            "no adult around, where older males approach them.",
            "Managed moves have split the group across three schools; they now travel across the borough to meet, "
            "often late in the evening.",
        ],
        "structural_factors": [
            "Most of the group live in overcrowded housing and families are struggling with costs. Several have "
            "experienced racism from adults in the area.",
            "Few affordable activities nearby; the youth club is the only free provision and it is full.",
        ],
    },
    "individual-screening": {
        "ce_signs": [
            "{name} has been found with a second phone and cash they cannot explain, and has been seen at the bus "
            "station late at night with older males.",
            "No clear signs at present. {name}'s family noticed new trainers they did not buy; {name} says a "
            "friend gave them.",
        ],
        "se_signs": [
            "Adult men have been seen picking {name} up in cars near the retail park. School staff noticed new "
            "clothes and a phone the family cannot account for.",
            "None known at present. An adult contacted {name} online and asked for images; {name} blocked the "
            "account and told a teacher.",
        ],
        "violence_experienced": [
            "{name} was assaulted near the canal towpath in March and has since been threatened online. {name} says "
            "they no longer feel safe walking home.",
            "{name} saw a friend being stabbed last year and has had nightmares since. No injuries to {name} are "
            "known.",
        ],
        "online_experiences": [
            "Videos of a fight in which {name} was hurt were shared in a group chat; adults not known to {name} "
            "have sent friend requests and offered game credit.",
            "{name} was sent threatening messages after a video was shared; the school and police helped to have "
            "it taken down.",
        ],
        "missing_context": [
            "Twice {name} was found by police in another town, in a flat used to sell drugs. {name} says older "
            "males took them there and they could not leave.",
            "{name} was with friends at the bus station and then at an address the family does not know. {name} "
            "has not yet felt able to say who they were with.",
        ],
        "education_notes": [
            "{name} is on a part-time timetable after a suspension. On afternoons out of school {name} spends time "
            "at the park, where older males approach young people.",
            "{name} attends most days and gets on well with the pastoral lead. Attendance drops after weekends "
            "when {name} has been missing.",
        ],
        "peer_relationships": [
            "{name} has a small group of close friends from primary school. Some newer friends are older, and the "
            "family worry that others are using them to draw {name} in.",
            "Friends matter a great deal to {name}, who says they look out for each other. Some of the group have "
            "been approached by the same adults.",
        ],
        "trusted_adults": [
            "{name}'s aunt, who {name} stays with at weekends, and the youth worker at Marsh Lane Youth Club. {name} "
            "also talks to the school's pastoral lead.",
            "{name} trusts an older sister and the football coach, and has asked for the coach to come to review "
            "meetings.",
        ],
        "strengths_interests": [
            "{name} is a talented footballer, loves drawing and wants to become a mechanic. {name} is caring "
            "towards younger brothers and sisters.",
            "{name} is funny, thoughtful and good with animals, and has started a music course at the youth club.",
        ],
        "judgement_rationale": [
            "The harm to {name} comes from adults exploiting young people at the bus station and the park, not "
            "from home. The family are protective and want help; the places need a response as well as {name}.",
            "{name} has protective relationships and is connected to school, but adults are targeting {name} online "
            "and near school. Work with the school on the journey home comes first.",
        ],
        "contexts_to_assess": [
            "Northfield Bus Station, and the group {name} spends time with there.",
            "Eastgate Park after school, and the group chat used to arrange meet-ups.",
        ],
        "voice_young_people": [
            "{name} said: 'I just want to be able to walk home without looking over my shoulder.'",
            "{name} said they feel safest at their nan's and at football, and want adults to stop the people "
            "targeting young people rather than stop young people going out.",
        ],
        "voice_parents": [
            "{name}'s mum said she is frightened when {name} does not come home and wants to know who to call at "
            "night.",
            "{name}'s dad said the family want to help and asked to be told what the police are doing about the "
            "adults involved.",
        ],
        "feedback": [
            "The social worker will go through the screening with {name} and their family at the next visit, as "
            "{name} asked: short, with the plan written down.",
            "{name}'s social worker will share the outcome with {name} and the trusted adult {name} chose, within "
            "two weeks.",
        ],
    },
}
# The voice of young people, parents and the community, which every framework asks about.
VOICE = {
    "voice_young_people": [
        "'We only come here because there's nowhere else to go. If there was somewhere warm with people we know, "
        "we'd go there.' (from a conversation with the detached youth workers)",
        "'It's the men in cars that make it feel bad, not us.' Young people want adults to notice what is being "
        "done to them, not to move them on.",
    ],
    "voice_parents": [
        "Parents at the school coffee morning said they worry most about the walk home in winter, and asked for "
        "a number to call when their child is late.",
        "A parent said: 'I didn't know who to tell. I want someone to listen before something happens.'",
    ],
    "voice_community": [
        "{resident}, who manages a shop nearby, wants to help but did not know who to call. Residents asked for "
        "the lighting to be fixed and the youth club to open more evenings.",
        "The residents' association chair, {resident}, said neighbours are worried for the young people, not "
        "about them, and want to be part of the plan.",
    ],
    "feedback": [
        "The detached youth workers will share what is being done at their Friday session within four weeks, and "
        "a leaflet will go to residents.",
        "The social worker will meet the young people and their parents to explain the plan within two weeks; the "
        "school will share it at the parents' evening.",
    ],
}
# Factors: (kind, description, evidence, source).
FACTORS = {
    "neighbourhood": [
        ("risk", "Adults in cars approach young people by the entrance after dark",
         "Six police reports since January", "Northfield Constabulary"),
        ("vulnerability", "No lighting on the path young people use to walk home", "Evening site visit",
         "Social worker"),
        ("strength", "Young people look out for each other and walk home together",
         "Conversations with the detached youth team", "Safe Passage Northfield"),
        ("guardian", "The shop manager lets young people wait inside when they feel unsafe",
         "Visit and conversation with the manager", "Social worker"),
    ],
    "school": [
        ("risk", "Older young people wait for pupils at the gates at home time", "Duty staff's observations",
         "Designated safeguarding lead"),
        ("vulnerability", "No staff on the route to the bus stops", "Harm mapping with pupils",
         "Pupil safety group"),
        ("strength", "The pupil safety group meets every half term", "Minutes of its meetings",
         "Designated safeguarding lead"),
        ("guardian", "Bus drivers on the school route are in the safe-space scheme", "Northfield Metro Buses",
         "Social worker"),
    ],
    "peer-group": [
        ("risk", "An older adult gives younger members money and phones", "Police intelligence, graded",
         "Northfield Constabulary"),
        ("vulnerability", "Three members are out of school after exclusions", "School records",
         "Northfield Park Academy"),
        ("strength", "Members look out for each other and tell adults when they are worried",
         "Youth worker's notes", "Safe Passage Northfield"),
        ("guardian", "A football coach the group trusts", "Young people's own words", "Social worker"),
    ],
    "individual-screening": [
        ("risk", "Adults at the bus station give {name} food and money", "Return home interview and police",
         "Northfield Constabulary"),
        ("vulnerability", "A part-time timetable leaves {name} out of school in the afternoons", "School records",
         "School"),
        ("strength", "{name} plays for the football club's under-16 team", "{name}'s own words",
         "Social worker"),
        ("guardian", "{name}'s aunt, who collects {name} whenever asked", "Family network meeting",
         "Social worker"),
    ],
}
YES_IS_SAFER = {"guardian_training", "cctv_coverage", "youth_provision", "has_trusted_adult"}
# Context weighting: what must change first, and why.
PRIORITIES = {
    "neighbourhood": [
        ("Adults here who notice and act after dark",
         "Most of what young people describe happens after 8pm, when no one who could step in is around. "
         "Guardianship will make the other changes work."),
        ("Lighting and sight lines on the route home",
         "Young people name the dark path as where they are approached; it can be fixed quickly and they asked "
         "for it."),
    ],
    "school": [
        ("The behaviour policy's use of exclusion",
         "Pupils excluded this year were harmed on the days they were out of school; keeping them in school keeps "
         "them with safe adults."),
        ("Staff on the route to the bus stops at home time",
         "Most incidents pupils describe happen between the gates and the bus stops, where no adult is present."),
    ],
    "peer-group": [
        ("The influence of the adults targeting the group",
         "The harm comes from adults drawing younger members in; disrupting them protects the whole group."),
        ("Getting the members back into school full time",
         "Members out of school are the ones approached in the daytime; school is where their trusted adults are."),
    ],
    "individual-screening": [
        ("Safety at the bus station in the evenings",
         "Most of the harm to {name} has happened there, from adults who target young people at the station."),
        ("{name}'s journey to and from school",
         "{name} is approached on the way home; a safer route and a trusted adult at the end of the day come "
         "first."),
    ],
}
APPROVAL_COMMENTS = [
    "Approved. A clear picture, with young people's own words; please bring it to the next context conference.",
    "Approved. Thank you for including the partners' information.",
    "",
]
RETURN_COMMENTS = [
    "Thank you. Please add what young people themselves said, and say who will lead the first change and by when.",
    "The guardianship ratings are not yet backed by the evidence: please add what the police and shop staff told "
    "you.",
]
QUESTIONS = {
    "police": [
        "Please share what is known about adults seen approaching young people here in the last six months, and "
        "any incidents reported, with how reliable the information is.",
        "Please share any missing episodes, searches and incidents in the last three months, and what is known "
        "about the adults involved.",
    ],
    "school": [
        "Please tell us what staff have seen on the journey to and from school, and where pupils say they feel "
        "unsafe.",
        "Please share what the pastoral team knows about the group's attendance, exclusions and who pupils trust.",
    ],
}
QUESTIONS["kestrel"] = QUESTIONS["school"]
RESPONSES = {
    "police": [
        "Six reports since January of adults in cars approaching young people after 8pm; two vehicles identified "
        "and being followed up. Neighbourhood officers now visit on Friday evenings.",
        "Two missing episodes in the last three months, both ending at addresses linked to adults we are "
        "investigating. No offences recorded against the young people.",
    ],
    "school": [
        "Duty staff have seen older young people waiting for pupils at home time. The pastoral team has spoken to "
        "four pupils; two say they feel unsafe on the route to the bus stops.",
        "Attendance has fallen for three pupils since Easter. The head of year is the adult they go to; we can "
        "offer a safe space at lunchtime.",
    ],
}
RESPONSES["kestrel"] = RESPONSES["school"]


# --- Safety plans ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InterventionSpec:
    what: str
    agency: str  # a key of seed_demo's AGENCIES
    due_in_days: int
    updates: tuple[tuple[str, str], ...] = ()  # (status, what happened), reported in order
    overdue: bool = False  # shown past its due date


@dataclass(frozen=True)
class GoalSpec:
    statement: str
    met_when: str
    measured_by: str
    interventions: tuple[InterventionSpec, ...]
    status: str = GoalStatus.NOT_MET


@dataclass(frozen=True)
class PlanSpec:
    subject: str  # a place's or a peer group's name
    goals: tuple[GoalSpec, ...]
    # If this place is the one assessed twice: what its second assessment says has changed.
    changed: dict


IN_PROGRESS, DONE = InterventionStatus.IN_PROGRESS, InterventionStatus.DONE
PLANS = [
    PlanSpec("Eastgate Park", (
        GoalSpec("Young people can spend time at the park after school without adults they do not know approaching "
                 "them or offering lifts.",
                 "No reports of adults approaching young people at the park for three months, and young people say "
                 "they feel safer there.",
                 "Police reports each month; what young people tell the detached youth team; a termly pupil survey.",
                 (InterventionSpec("Better lighting on the path behind the pavilion, and the broken fence by the car "
                                   "park repaired", LEAD, 45,
                                   ((IN_PROGRESS, "Parks have repaired the fence. New lights are ordered and due to "
                                                  "be fitted next month."),)),
                  InterventionSpec("Police and the park warden to check cars parked by the gates after 6pm",
                                   "police", 30,
                                   ((IN_PROGRESS, "Checks on three evenings a week since the start of the month; "
                                                  "two vehicles identified and followed up."),))),
                 GoalStatus.PARTLY_MET),
        GoalSpec("There is something young people want to do at the park on weekday evenings, with adults they "
                 "trust.",
                 "A session runs at least two evenings a week and young people come back to it.",
                 "Attendance at the sessions; what young people say about them.",
                 (InterventionSpec("Detached youth work by the pavilion on Friday evenings", "voluntary", 60,
                                   ((IN_PROGRESS, "Two youth workers out every Friday; they now know twelve young "
                                                  "people by name."),)),
                  InterventionSpec("Open the pavilion as a youth space on two evenings a week", LEAD, 90))),
        GoalSpec("Pupils walk home from Northfield Park Academy through the park with staff at the gate at home "
                 "time.",
                 "Staff are at the park gate every school day and pupils know who they are.",
                 "The school's duty rota; pupils' answers in the safety survey.",
                 (InterventionSpec("Duty staff at the park gate from 3.10pm to 3.40pm", "school", 21,
                                   ((DONE, "On the duty rota every school day since half term."),)),),
                 GoalStatus.MET),
    ), {
        "physical_environment": [
            "The path behind the pavilion now has working lights and the fence has been repaired, so cars can no "
            "longer pull up out of sight. Young people say the park feels more open."],
        "guardians_present": [
            "The park warden, detached youth workers on Friday evenings, and school staff at the gate at home "
            "time. Police check cars by the gates three evenings a week."],
        "voice_young_people": [
            "'It's better now there's people about on a Friday. The men in the cars don't really come any more.'"],
    }),
    PlanSpec("Ring road underpass", (
        GoalSpec("Young people can walk through the underpass on the way home from school without being approached "
                 "or robbed.",
                 "No robberies or approaches reported for three months, and young people say they feel safer.",
                 "Police reports each month; a short survey of Year 9 and Year 10 pupils each term.",
                 (InterventionSpec("Replace the broken lights and light both approaches to the underpass, through "
                                   "the council's highways team", LEAD, 40,
                                   ((IN_PROGRESS, "Highways have surveyed the underpass; new lights are ordered."),
                                    (DONE, "New lights fitted on both approaches and inside the underpass."))),
                  InterventionSpec("Neighbourhood officers on foot at the underpass from 3pm to 5pm on school days",
                                   "police", 30,
                                   ((IN_PROGRESS, "Patrols on three school days out of five so far; no approaches "
                                                  "seen."),))),
                 GoalStatus.PARTLY_MET),
        GoalSpec("Adults who use the route know what to do when they see a young person being targeted.",
                 "The school's duty staff and the shop staff nearby have had the briefing and know who to call.",
                 "Who came to the briefings; reports made through the safe-space scheme.",
                 (InterventionSpec("Briefing for the school's duty staff on harm on the journey home and how to report "
                                   "it", "school", 30),
                  InterventionSpec("Clear the walls and cut back the bushes at both ends so people can see in",
                                   LEAD, 20, overdue=True))),
    ), {
        "physical_environment": [
            "New lights on both approaches and inside the underpass; the bushes at the ends are still to be cut "
            "back. Young people say they can now see who is inside before they walk in."],
        "guardians_present": [
            "Neighbourhood officers on foot at home time on most school days, and school duty staff at the top of "
            "the ramp."],
        "voice_young_people": [
            "'It's not as scary with the lights. I still walk with my mates but I don't go the long way round now.'"],
    }),
    PlanSpec("Chicken Express, Station Parade", (
        GoalSpec("Young people waiting for buses on Station Parade are not given free food, money or lifts by adults "
                 "they do not know.",
                 "Staff at the takeaway and the bus station report no adults offering young people food or lifts for "
                 "three months.",
                 "A monthly check-in with the manager; police reports; what young people tell the youth workers.",
                 (InterventionSpec("A licensing conversation with the takeaway owner about who is served after 9pm, "
                                   "and joining the safe-space scheme", "police", 14,
                                   ((DONE, "Met the owner with the licensing officer; he has joined the safe-space "
                                           "scheme and will call the non-emergency line when adults gather "
                                           "outside."),)),
                  InterventionSpec("Training for bus station staff on noticing and reporting exploitation",
                                   "transport", 45,
                                   ((IN_PROGRESS, "Northfield Metro Buses have trained two of the four shifts; the "
                                                  "rest are booked for next month."),)),
                  InterventionSpec("Detached youth work on Friday evenings between the parade and the bus station",
                                   "voluntary", 60)),
                 GoalStatus.PARTLY_MET),
        GoalSpec("Young people have somewhere warm and safe to wait in the evening.",
                 "A staffed space near the station is open until the last bus and young people use it.",
                 "Attendance at the drop-in; young people's feedback.",
                 (InterventionSpec("Open the library's community room until 8pm on two weekday evenings", LEAD, 75),)),
    ), {
        "guardians_present": [
            "The takeaway manager, now in the safe-space scheme, and bus station staff trained to notice and report. "
            "Youth workers are out on Friday evenings."],
        "licensing_business": [
            "After the licensing conversation the owner calls the non-emergency line when adults gather outside, and "
            "lets young people wait inside."],
        "voice_young_people": [
            "'The man in the shop lets us wait inside now if someone's hanging about. The bus lot know us.'"],
    }),
    PlanSpec("Group seen at Eastgate Park", (
        GoalSpec("Members of the group are in school full time, with adults they trust there.",
                 "No member of the group is excluded or on a part-time timetable this term.",
                 "School attendance and exclusion figures each half term.",
                 (InterventionSpec("Change the school's behaviour policy: no exclusion for incidents outside school "
                                   "without a multi-agency meeting first", "school", 60,
                                   ((IN_PROGRESS, "Governors have agreed the change in principle; it goes to the full "
                                                  "board next month."),)),
                  InterventionSpec("Mentoring for the three members on part-time timetables", "voluntary", 45))),
        GoalSpec("The adults drawing younger members to meet at the park are identified and stopped.",
                 "No adult not known to the families is seen with the group for three months.",
                 "Police intelligence; what the young people and the park warden tell us.",
                 (InterventionSpec("A disruption plan for the adults seen with the group, including checks on their "
                                   "vehicles", "police", 30,
                                   ((IN_PROGRESS, "Two adults identified and warned; notices served on one vehicle."),
                                    )),
                  InterventionSpec("A fortnightly group for the parents and carers of the group's members", LEAD, 35))),
    ), {}),
]


class Command(BaseCommand):
    help = ("Add Northfield's assessments, contributions and safety plans to the demo data (seed_demo_contexts "
            "runs it). Safe to re-run.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_demo_assessments loads fictional demo data: it runs only with DEBUG=1 or "
                               "--force.")
        lead = Agency.objects.filter(name=LEAD_AUTHORITY, is_lead_authority=True).first()
        if not lead or not Place.objects.filter(owning_agency=lead).exists():
            raise CommandError(f"There is no Northfield demo data ({LEAD_AUTHORITY}, its young people and places) "
                               "to assess. Run seed_demo first.")
        started = time.monotonic()
        tally = Counter()
        with transaction.atomic():
            Seeder(lead, tally).run()
        if not tally:
            self.stdout.write("Northfield's assessments and safety plans are already present: nothing to add.")
        else:
            seconds = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(
                f"Added Northfield's assessments and safety plans in {seconds:.1f} s: {_summary(tally)}."))
        if apps.is_installed("panels"):  # the MACE panel, its meetings and actions, seeded by that app
            call_command("seed_demo_panels", force=True, stdout=self.stdout)


def _summary(tally: Counter) -> str:
    """What was added, with how far the assessments got and what is overdue in brackets."""
    parts = []
    for what in ("assessments", "contribution requests", "safety plans", "goals", "interventions",
                 "intervention updates"):
        if tally[what]:
            detail = ", ".join(f"{tally[part]} {part.split()[0]}" for part in SUMMARY_PARTS.get(what, ())
                               if tally[part])
            parts.append(f"{tally[what]} {what}" + (f" ({detail})" if detail else ""))
    return ", ".join(parts)


def _draw(rng: random.Random, level: float, spread: float) -> float:
    """How safe one answer says things are, from 0 (serious concern) to 1, within ``spread`` of ``level``."""
    return min(1.0, max(0.0, level + rng.uniform(-spread, spread)))


class Seeder:
    """Each assessment and plan draws from its own seeded generator; then what is missing is written."""

    def __init__(self, lead: Agency, tally: Counter):
        self.lead, self.tally = lead, tally
        self.today, self.now = timezone.localdate(), timezone.now()
        self.fake = Faker("en_GB")
        by_name = {agency.name: agency for agency in Agency.objects.filter(name__in=[n for n, _ in AGENCIES.values()])}
        self.agencies = {key: by_name[name] for key, (name, _) in AGENCIES.items() if name in by_name}
        self.users = User.objects.select_related("agency").filter(is_active=True).in_bulk(
            [s.username for s in STAFF], field_name="username")
        needed = {"sw.demo", "tm.demo", *RESPONDERS.values(), *OWNERS.values()}
        missing = needed - set(self.users)
        if missing or {*RESPONDERS, *OWNERS} - set(self.agencies):
            raise CommandError(f"Northfield's demo staff or agencies are missing ({', '.join(sorted(missing))}). "
                               "Run seed_demo first.")
        self.sw, self.tm = self.users["sw.demo"], self.users["tm.demo"]
        # Assessments are written by the lead authority's social workers (sw.demo most often), approved by tm.demo.
        self.authors = [self.users[s.username] for s in STAFF
                        if s.agency == LEAD and s.role == Role.SOCIAL_WORKER and s.username in self.users]
        self.frameworks = {f.key: f for f in Framework.objects.filter(is_active=True)}
        self.places = {p.name: p for p in Place.objects.filter(owning_agency=lead)}
        self.groups = {g.name: g for g in PeerGroup.objects.filter(owning_agency=lead)}
        self.overdue_requests: list[int] = []
        self.overdue_interventions: list[int] = []

    def run(self):
        reassessed = self._reassessment()
        others = [name for name in NEIGHBOURHOODS if name != reassessed]
        for name, (state, asks) in zip(others, NEIGHBOURHOOD_STATES, strict=False):
            self._assess(AssessmentSpec(f"neighbourhood-{name}", "neighbourhood", name, state, asks))
        for spec in ASSESSMENTS:
            self._assess(spec)
        self._screenings()
        for spec in PLANS:
            self._plan(spec)
        self._make_some_overdue()

    # --- Assessments ------------------------------------------------------------------------------------------

    def _subject(self, name: str):
        return self.places.get(name) or self.groups.get(name)

    def _exists(self, framework: Framework, subject) -> bool:
        field = {Place: "place", PeerGroup: "peer_group", YoungPerson: "young_person"}[type(subject)]
        return Assessment.objects.filter(owning_agency=self.lead, framework_version__framework=framework,
                                         **{field: subject}).exists()

    def _assess(self, spec: AssessmentSpec, *, subject=None, author=None, level=None, spread=0.35, words=None,
                changed=None, check=True) -> Assessment | None:
        """Write one assessment, as far as ``spec.state``, unless the lead already has one of its subject."""
        rng = random.Random(f"{SEED}:{spec.label}")
        self.fake.seed_instance(f"{SEED}:{spec.label}")
        framework = self.frameworks.get(spec.framework)
        subject = subject or self._subject(spec.subject)
        if framework is None or subject is None:
            return None
        words = {"resident": f"{self.fake.first_name()} {self.fake.last_name()}", **(words or {})}
        level = rng.uniform(0.15, 0.65) if level is None else level
        author = author or rng.choices(self.authors, weights=[4 if u == self.sw else 1 for u in self.authors])[0]
        definition = services.current_version(framework).definition
        answers = self._answers(rng, spec.framework, definition, (level, spread), spec.state != DRAFT, words,
                               changed or {})
        priority, reason = (text.format(**words) for text in rng.choice(PRIORITIES[spec.framework]))
        weighting = {"priority": priority, "priority_reason": reason} if spec.state != DRAFT or rng.random() < 0.5 \
            else {}
        asks = [(key, outcome, rng.choice(QUESTIONS[key]), rng.choice(RESPONSES[key]), rng.randint(7, 21))
                for key, outcome in spec.asks]
        comments = rng.choice(APPROVAL_COMMENTS if spec.state == APPROVED else RETURN_COMMENTS)
        if check and self._exists(framework, subject):
            return None

        assessment = services.assessment_start(actor=author, subject=subject, framework=framework)
        assessment = services.assessment_save(actor=author, assessment=assessment,
                                              expected_version=assessment.version, answers=answers, **weighting)
        self.tally["assessments"] += 1
        for key, outcome, question, response, due_in in asks:
            asked = services.contribution_request(actor=author, assessment=assessment, agency=self.agencies[key],
                                                  question=question, due_on=self.today + timedelta(days=due_in))
            self.tally["contribution requests"] += 1
            if outcome == ANSWERED:
                services.contribution_answer(actor=self.users[RESPONDERS[key]], contribution=asked,
                                             expected_version=asked.version, response=response)
                self.tally["answered"] += 1
            elif outcome == OVERDUE:
                self.overdue_requests.append(asked.pk)
        self.tally[STATE_WORDS[spec.state]] += 1
        if spec.state == DRAFT:
            return assessment
        assessment = services.assessment_submit(actor=author, assessment=assessment,
                                                expected_version=assessment.version)
        if spec.state != SUBMITTED:
            assessment = services.assessment_decide(actor=self.tm, assessment=assessment,
                                                    expected_version=assessment.version,
                                                    approve=spec.state == APPROVED, comments=comments)
        return assessment

    def _answers(self, rng: random.Random, key: str, definition: dict, level: tuple[float, float], complete: bool,
                 words: dict, changed: dict) -> dict:
        """Every required answer (and most others) for a complete assessment; a draft's first sections."""
        sections = frameworks.sections(definition)
        written = len(sections) if complete else rng.randint(1, len(sections) - 2)
        answers = {}
        for index, section in enumerate(sections):
            for question in section.questions:
                answer = self._answer(rng, key, question, level, words, changed)
                skip = (not question.required and rng.random() < 0.3) or index > written or (
                    index == written and rng.random() < 0.5)
                if not skip:
                    answers[question.key] = answer
        return answers

    def _answer(self, rng: random.Random, key: str, question: frameworks.Question, level: tuple[float, float],
                words: dict, changed: dict):
        if question.type == "text":
            options = changed.get(question.key) or TEXTS[key].get(question.key) or VOICE[question.key]
            return rng.choice(options).format(**words)
        if question.type == "rag":
            safety = _draw(rng, *level)
            return "red" if safety < 0.3 else "amber" if safety < 0.7 else "green"
        if question.type == "scale":
            low, high = question.scale[:2]
            return low + round(_draw(rng, *level) * (high - low))
        if question.type == "yes_no":
            safer = rng.random() < level[0]
            return "yes" if safer == (question.key in YES_IS_SAFER) else "no"
        if question.type == "choice":
            return rng.choice(question.choices)
        rows = rng.sample(FACTORS[key], rng.randint(1, 2))
        return [{"kind": kind, "description": description.format(**words), "evidence": evidence.format(**words),
                 "source": source} for kind, description, evidence, source in rows]

    def _reassessment(self) -> str | None:
        """One place assessed twice, six months apart, so that the change can be measured.

        The place with a plan that young people are most linked to. Its first assessment (mostly red and amber,
        low scales) is approved and then moved back six months; the second, now, shows what the plan changed.
        """
        planned = [spec.subject for spec in PLANS if spec.subject in self.places]
        if not planned or "neighbourhood" not in self.frameworks:
            return None
        links = dict(Place.objects.filter(name__in=planned, owning_agency=self.lead).annotate(
            n=Count("links", filter=Q(links__ended_on__isnull=True))).values_list("name", "n"))
        name = max(planned, key=lambda place: (links.get(place, 0), -planned.index(place)))
        place = self.places[name]
        if self._exists(self.frameworks["neighbourhood"], place):
            return name
        changed = next(spec.changed for spec in PLANS if spec.subject == name)
        before = self._assess(AssessmentSpec("reassessment-before", "neighbourhood", name, APPROVED),
                              author=self.sw, level=0.3, spread=0.15, check=False)
        # The services date everything now; moving the first assessment back six months is the only way for the
        # demo to show change over time. The change history keeps the update.
        created = self.now - timedelta(days=REASSESSED_AFTER_DAYS + 14)
        submitted = self.now - timedelta(days=REASSESSED_AFTER_DAYS + 2)
        decided = self.now - timedelta(days=REASSESSED_AFTER_DAYS)
        Assessment.objects.filter(pk=before.pk).update(created_at=created, updated_at=submitted,
                                                       submitted_at=submitted, decided_at=decided)
        self._assess(AssessmentSpec("reassessment-after", "neighbourhood", name, APPROVED, (("police", ANSWERED),)),
                     author=self.sw, level=0.85, spread=0.15, changed=changed, check=False)
        return name

    def _screenings(self):
        """Individual screenings of young people with an open case, each by their case's lead practitioner."""
        framework = self.frameworks.get("individual-screening")
        if framework is None:
            return
        cases = (Case.objects.filter(owning_agency=self.lead, status=CaseStatus.OPEN,
                                     young_person__la_person_id__startswith=PERSON_ID_PREFIX)
                 .select_related("young_person", "lead_practitioner").order_by("young_person__la_person_id", "pk"))
        leads = {}
        for case in cases:
            leads.setdefault(case.young_person, case.lead_practitioner)
        people = list(leads)
        rng = random.Random(f"{SEED}:screenings")
        chosen = sorted(rng.sample(people, min(SCREENINGS, len(people))), key=lambda p: p.la_person_id)
        for person, (state, asks) in zip(chosen, SCREENING_STATES, strict=False):
            author = leads[person] if leads[person] in self.authors else self.sw
            self._assess(AssessmentSpec(f"screening-{person.la_person_id}", "individual-screening", "", state, asks),
                         subject=person, author=author, words={"name": person.first_name})

    # --- Safety plans -----------------------------------------------------------------------------------------

    def _plan(self, spec: PlanSpec):
        subject = self._subject(spec.subject)
        if subject is None:
            return
        field = "place" if isinstance(subject, Place) else "peer_group"
        for goal_spec in spec.goals:
            if Goal.objects.filter(**{f"plan__{field}": subject}, statement=goal_spec.statement).exists():
                continue  # there with its interventions
            new_plan = not SafetyPlan.objects.filter(**{field: subject}).exists()
            goal = services.goal_add(actor=self.sw, subject=subject, statement=goal_spec.statement,
                                     met_when=goal_spec.met_when, measured_by=goal_spec.measured_by,
                                     status=goal_spec.status)
            if new_plan:
                self.tally["safety plans"] += 1
            self.tally["goals"] += 1
            for item in goal_spec.interventions:
                self._intervention(goal, item)

    def _intervention(self, goal: Goal, spec: InterventionSpec):
        owner = self.users[OWNERS[spec.agency]]
        intervention = services.intervention_add(actor=self.sw, goal=goal, what=spec.what,
                                                 owner_agency=self.agencies[spec.agency], owner=owner,
                                                 due_on=self.today + timedelta(days=spec.due_in_days))
        self.tally["interventions"] += 1
        # The owner reports on it if their agency can see the plan; otherwise the social worker passes it on.
        reporter = owner if access.can(owner, intervention) else self.sw
        for status, text in spec.updates:
            services.intervention_report(actor=reporter, intervention=intervention, text=text, status=status)
            self.tally["intervention updates"] += 1
        if spec.overdue:
            self.overdue_interventions.append(intervention.pk)

    def _make_some_overdue(self):
        """Put a few contribution requests and one intervention past their dates.

        The services rightly refuse a date in the past, so a queryset update written here is the only way to give
        the demo's lists something overdue (seed_demo_contexts does the same for links past their review date).
        An overdue request was asked for three weeks ago, so its assessment is moved back with it. The change
        history still records each update.
        """
        asked = self.now - timedelta(days=21)
        for n, pk in enumerate(self.overdue_requests):
            request = ContributionRequest.objects.get(pk=pk)
            ContributionRequest.objects.filter(pk=pk).update(due_on=self.today - timedelta(days=3 + 2 * n),
                                                             created_at=asked)
            Assessment.objects.filter(pk=request.assessment_id, created_at__gt=asked).update(
                created_at=asked - timedelta(days=2))
            self.tally["overdue requests"] += 1
        for pk in self.overdue_interventions:
            Intervention.objects.filter(pk=pk).update(due_on=self.today - timedelta(days=9))
            self.tally["overdue interventions"] += 1
