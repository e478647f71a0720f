"""Word lists that decide what counts as a reporting cue, a document speaker or a role noun.

Kept in one place so the extractor and the attributor agree, and so a user can see (and extend)
exactly which words trigger an attribution.
"""

from __future__ import annotations

# Verbs that introduce reported speech or a stated position (lemmas).
SPEECH_VERBS = frozenset(
    """
    say tell add argue warn insist urge deny write tweet post read state declare announce explain note
    claim assert contend maintain allege acknowledge admit concede confirm reply respond retort answer
    suggest predict promise vow pledge complain lament caution stress emphasize emphasise reiterate repeat
    recall recount report reveal disclose testify remark observe comment continue conclude mention
    agree disagree boast brag joke quip scoff shout yell scream whisper cry exclaim proclaim announce
    counter rebut object protest charge accuse blame dismiss describe call label brand praise criticize
    criticise slam blast condemn denounce attack defend endorse question ask demand recommend propose
    estimate forecast project calculate find show indicate conclude advise inform assure reassure
    threaten offer acknowledge wonder speculate guess figure believe think hope fear worry expect doubt
    feel know realize realise understand recognize recognise imply hint signal tout explain clarify
    """.split()
)

# Verbs that take a clause complement and can cue an indirect quote without "that" (lemmas).
CLAUSE_VERBS = frozenset(
    """
    say tell add argue warn insist urge deny write tweet post state declare announce explain note claim assert
    contend maintain allege acknowledge admit concede confirm reply respond retort answer suggest predict
    promise vow pledge complain lament caution stress emphasize emphasise reiterate repeat recall report
    reveal disclose testify remark observe comment conclude mention agree boast brag joke quip counter
    charge insist estimate forecast project find show indicate advise inform assure reassure threaten
    believe think hope fear worry expect doubt feel know realize realise recognize recognise imply hint
    signal tout clarify read wonder speculate guess figure proclaim surmise reckon
    """.split()
)

# Verbs that never report a position even with a person subject and a clause ("he is sure that", "she made it
# clear" stays covered by the word lists above); the open-cue rule skips them.
NOT_CUE_VERBS = frozenset(
    """
    be have do seem appear look sound mean ensure make let help see hear watch get go come become remain keep
    happen turn prove need take give put set use try start begin stop continue
    """.split()
)

# Verbs whose plain object is the target of a stated position ("Trump also criticized Clinton"); used by the
# open-cue rule, which also needs a person, group or document subject.
POSITION_OBJECT_VERBS = frozenset(
    """
    criticize criticise slam blast condemn denounce praise endorse support back oppose reject dismiss defend
    stress highlight mock blame target challenge applaud echo cite mention address attack welcome hail commend
    laud thank tout question emphasize emphasise acknowledge admit reiterate ridicule deride decry lambaste
    disparage belittle champion embrace favor favour advocate recommend propose demand deny dispute contest
    announce describe explain outline unveil detail express voice predict suggest
    rubbish downplay liken compare equate lament bemoan deplore extol castigate berate excoriate chide scold
    rebuke assail contrast reference
    """.split()
)

# Nouns that carry a stated position in a "that" clause or a "for" phrase, said by their possessor:
# "Trump's claim that the election was rigged", "his call for a recount".
CLAIM_NOUNS = frozenset(
    """
    claim assertion allegation accusation suggestion warning call demand promise pledge vow insistence
    argument contention belief view statement remark comment charge threat prediction proposal plea
    admission denial assurance complaint criticism praise endorsement support opposition
    """.split()
)

# Verbs of intention whose infinitive states a position ("Trump wants to build a wall", "the aide declined to
# specify"); the open-cue rule takes the infinitive as the content unless it is itself a cue.
INTENT_VERBS = frozenset(
    """
    want plan seek decline refuse intend aim hope offer prefer vow pledge promise threaten propose expect
    """.split()
)

# Verbs whose prepositional object is the topic or target of a stated position ("talked about the wall",
# "pushed for a recount"); the open-cue rule reads the object of these prepositions only.
PREP_POSITION_VERBS = {
    "talk": {"about"},
    "ask": {"about"},
    "joke": {"about"},
    "speak": {"about", "against", "for", "out"},
    "refer": {"to"},
    "push": {"for"},
    "call": {"for"},
    "argue": {"for", "against"},
    "campaign": {"for", "against"},
    "lobby": {"for", "against"},
    "rail": {"against"},
    "side": {"with", "against"},
    "vote": {"for", "against"},
    "complain": {"about", "of"},
    "boast": {"about", "of"},
    "brag": {"about"},
    "comment": {"on"},
    "weigh": {"in"},
    "point": {"to"},
    "advocate": {"for"},
    "fight": {"for", "against"},
    "agree": {"with", "on"},
    "disagree": {"with", "on"},
    "worry": {"about"},
    "warn": {"about", "against", "of"},
    "insist": {"on"},
    "hint": {"at"},
    "testify": {"about", "on"},
    "elaborate": {"on"},
    "focus": {"on"},
    "press": {"for"},
}

# Verbs whose object (+ "of"/"as"/"for" phrase) is the reported content: "accused Y of ...".
OBJECT_VERBS = frozenset(
    """
    accuse blame dismiss describe call label brand praise criticize criticise slam blast condemn denounce
    urge ask demand recommend propose endorse deny defend question warn
    """.split()
)

# Phrasal verbs that mean "dismiss" (verb lemma -> particles): "waved off the criticism as old news", "brushed
# aside the report", "shrugged off the poll". Dismissal is the stance many articles are written about, and the
# verb alone ("wave", "brush") reports nothing, so the pair is read as "dismiss".
DISMISS_PHRASAL = {
    "wave": {"off", "away", "aside"},
    "brush": {"off", "aside"},
    "shrug": {"off"},
    "laugh": {"off"},
    "swat": {"away", "aside"},
}

# Direct-quote cues: any verb a writer puts next to a quotation to attribute it.
DIRECT_VERBS = SPEECH_VERBS | frozenset(
    """
    explain begin start go put ask wonder shout sigh laugh smile chuckle muse recall gush rave rant fume
    snap sneer taunt plead beg concede interject interrupt chime quote cite point press exhort implore marvel
    retaliate scoff scold lecture counsel concur recount reminisce vent bristle
    """.split()
)

# Reporting nouns that can be the subject of a cue and are documents, not people.
DOCUMENT_NOUNS = frozenset(
    """
    statement letter report memo memorandum email e-mail tweet post message release filing document complaint
    lawsuit ruling decision order verdict opinion editorial op-ed article story transcript note notice
    announcement communique communiqué affidavit indictment motion brief petition poll survey study analysis
    sign banner headline caption website page blog column book speech video ad advertisement commercial
    policy law bill resolution directive guidance manual text tweets posts record data polling result count
    tally ledger audit estimate projection
    """.split()
)

# Nouns that name a person by role; "the senator said" resolves to the last person with that role.
ROLE_NOUNS = frozenset(
    """
    spokesman spokeswoman spokesperson senator sen. sen representative rep. rep congressman congresswoman
    governor gov. gov mayor president minister secretary chairman chairwoman chair ambassador director
    official aide adviser advisor candidate nominee judge justice attorney lawyer prosecutor sheriff chief
    commissioner councilman councilwoman leader founder ceo executive manager host anchor author professor
    economist analyst strategist pollster general gen. colonel officer detective inspector premier chancellor
    king queen prince princess pope bishop reverend rev. pastor rabbi imam activist organizer
    businessman businesswoman billionaire lawmaker legislator politician MP mp farmer teacher doctor nurse
    worker resident student scientist researcher engineer pilot driver soldier mogul speaker whip treasurer diplomat envoy coach owner
    journalist reporter correspondent editor columnist writer commentator pundit actor actress star singer
    comedian athlete entrepreneur investor economist historian
    """.split()
)

# Pronouns that refer to one person (speaker type person).
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "i", "me"})
GROUP_PRONOUNS = frozenset({"they", "we", "them", "us", "it", "you", "who", "which", "that"})
# Pronouns that say the person's gender (a pronoun agrees with a man's or a woman's name).
MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})

# Phrases that mean "no quote here" when they are the only content.
NO_COMMENT_PATTERNS = (
    r"could\s+not\s+be\s+reached\s+(?:for|to)\s+comment",
    r"did\s+not\s+(?:immediately\s+)?(?:respond|return|reply)",
    r"declined\s+to\s+(?:comment|elaborate|discuss|say)",
    r"refused\s+to\s+comment",
    r"(?:no|without)\s+(?:immediate\s+)?comment",
    r"not\s+immediately\s+available\s+for\s+comment",
)

# Lines that are page furniture rather than article prose (scraped navigation, captions, credits).
JUNK_LINE_PATTERNS = (
    r"^\s*(?:photo|image|picture|video|credit|caption|file photo|source)s?\s*(?::|by\b)",
    r"\((?:photo|image|picture)s?\s*(?::|by|credit)[^)]*\)\s*$",
    r"^\s*(?:AP|Reuters|AFP|Getty Images?|EPA|Shutterstock)\s*(?:Photo|Images?)?\s*(?:/|$)",
    r"^\s*(?:share|tweet|email|print|comments?|advertisement|related|read more|click here|subscribe|sign up|log ?in|"
    r"follow us|skip to|menu|home|next|previous|back to top)\b[^.?!]{0,60}$",
    r"(?:©|copyright)\s*\d{4}",
)

# Common nouns that name an organisation when they head a speaker mention ("the embassy said").
ORG_NOUNS = frozenset(
    """
    embassy ministry government administration police campaign committee department agency party office company
    firm bank court council parliament congress senate house union group organization organisation association
    coalition army military navy commission board team network newspaper paper magazine station channel
    university school hospital foundation institute center centre club league federation alliance authority
    authorities officials spokesmen regime cabinet secretariat bureau service services prosecutors
    outlet daily publication camp
    """.split()
)

# Common English first names, to tell "he" from "she" when the article gives no honorific (lower case).
MALE_NAMES = frozenset(
    """
    aaron adam alan albert alex alexander andrew anthony arthur barack ben benjamin bernie bill billy bob bobby
    brad bradley brandon brian bruce carl charles charlie chris christopher chuck clarence craig dan daniel david
    dennis dick don donald doug douglas ed eddie edward eric frank fred gary george gerald greg gregory harold
    harry henry howard jack jacob james jason jeb jeff jeffrey jeremy jerry jim jimmy joe joel john johnny jon
    jonathan jose joseph josh joshua juan justin keith ken kenneth kevin larry lawrence lindsey luis marco mark
    martin matt matthew michael mike mitch mitt nathan newt nicholas nick patrick paul peter phil philip ralph
    rand randy ray raymond reince richard rick rob robert roger ron ronald roy rudy russell ryan sam samuel scott
    sean stephen steve steven ted terry thomas tim timothy todd tom tony walter wayne william willie
    abraham adrian ahmed ali andy barry bashar boris brett cory curtis dale darrell derek dmitry dustin elijah
    evan franklin gavin glenn gordon grant hank hassan hugh ian isaac jared jay jesse jorge kurt lamar leon lloyd
    lou luke marc mario marvin maurice max mitchell mohammed muhammad neil noah omar oscar pete preston reid rex
    rodney ross sergei shawn simon stan stuart trent trey troy tyler vincent vladimir wade warren wesley zachary
    """.split()
)
FEMALE_NAMES = frozenset(
    """
    alice alicia amanda amy andrea angela ann anna anne barbara betty betsy beverly brenda carly carol carolyn
    catherine cheryl christine cynthia dana deborah debbie debra diana diane donna doris dorothy elizabeth ellen
    emily emma evelyn frances gloria hannah heather heidi helen hillary hope huma ivanka jacqueline jane janet
    janice jean jennifer jessica jill joan joyce judith judy julia julie karen kate katherine kathleen kathy
    kellyanne kelly kimberly laura lauren linda lisa lori louise madeleine margaret maria marie marilyn martha
    mary megan megyn melania melissa michelle nancy nicole nikki olivia pamela patricia paula rachel rebecca
    rose ruth sandra sara sarah sharon shirley stephanie susan teresa theresa tulsi virginia wanda
    abigail allison ashley caroline charlotte christina claire claudia condoleezza danielle denise dianne elaine
    erin gina grace irene jenny joanna kamala katie kirsten kristen lily loretta lucy marcia marsha maxine molly
    monica natalie nina samantha sheila sonia sophia stacey sylvia tammy tina valerie victoria yvonne
    """.split()
)

# Honorifics that name a person's gender: "m" or "f".
HONORIFICS = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "madam": "f", "lady": "f", "lord": "m"}

# "The agency said": nouns that stand for the organisation the article named just before.
GENERIC_ORG_NOUNS = frozenset("agency company firm organization organisation group office department bureau".split())
# (media nouns: see MEDIA_NOUNS below)

# Titles written before a name; stripped from the name, kept as the role ("Sen. Ted Cruz").
TITLES = frozenset(
    """
    mr mrs ms miss dr sen rep gov gen col lt sgt capt prof rev president senator governor secretary minister judge
    justice mayor speaker representative congressman congresswoman sir lord lady dame prime vice
    """.split()
)

# Nouns for a generic body of people: as a speaker they name no one ("officials said", "the crowd chanted").
GROUP_NOUNS = frozenset(
    """
    officials authorities prosecutors spokesmen people crowd audience public electorate everyone everybody
    many most others observers critics supporters opponents voters experts analysts residents
    """.split()
)

# Nicknames and the first name they shorten, so that "Jim Hart" and "James R. Hart" are one person.
NICKNAMES = {
    "jim": "james", "jimmy": "james", "jamie": "james", "bill": "william", "billy": "william", "will": "william",
    "willie": "william", "liam": "william", "bob": "robert", "bobby": "robert", "rob": "robert", "bert": "robert",
    "mike": "michael", "mick": "michael", "dick": "richard", "rick": "richard", "rich": "richard",
    "ricky": "richard", "tom": "thomas", "tommy": "thomas", "joe": "joseph", "joey": "joseph", "chuck": "charles",
    "charlie": "charles", "chris": "christopher", "dan": "daniel", "danny": "daniel", "dave": "david",
    "ed": "edward", "eddie": "edward", "ted": "edward", "ned": "edward", "steve": "stephen", "steven": "stephen",
    "tony": "anthony", "andy": "andrew", "drew": "andrew", "matt": "matthew", "pat": "patrick", "pete": "peter",
    "sam": "samuel", "ben": "benjamin", "nick": "nicholas", "jon": "jonathan", "jeff": "jeffrey", "greg": "gregory",
    "ken": "kenneth", "larry": "lawrence", "jerry": "gerald", "don": "donald", "ron": "ronald", "tim": "timothy",
    "fred": "frederick", "hank": "henry", "harry": "henry", "jack": "john", "johnny": "john", "al": "albert",
    "alex": "alexander", "doug": "douglas", "phil": "philip", "ray": "raymond", "sandy": "sandra",
    "liz": "elizabeth", "beth": "elizabeth", "betsy": "elizabeth", "betty": "elizabeth", "kate": "katherine",
    "kathy": "katherine", "katie": "katherine", "cathy": "catherine", "sue": "susan", "suzy": "susan",
    "peggy": "margaret", "maggie": "margaret", "meg": "margaret", "jenny": "jennifer", "jen": "jennifer",
    "debbie": "deborah", "deb": "deborah", "pam": "pamela", "patty": "patricia", "trish": "patricia",
    "barb": "barbara", "vicky": "victoria", "becky": "rebecca", "abby": "abigail", "bernie": "bernard",
    "robbie": "robert", "donnie": "donald", "gene": "eugene", "mitch": "mitchell", "newt": "newton",
    "vince": "vincent", "walt": "walter",
}  # fmt: skip

# Nouns that describe one person without naming them; "the investor said" refers to the person the passage is
# about when the article gives no one that role.
EPITHET_NOUNS = frozenset(
    """
    tycoon magnate investor entrepreneur columnist journalist reporter writer commentator pundit star actor
    actress singer rapper comedian celebrity frontrunner front-runner hopeful contender challenger incumbent
    veteran businessman businesswoman billionaire mogul developer host anchor novelist historian scholar
    """.split()
)

# Organisation nouns that stand for the organisation of their kind the article named last ("the paper said").
MEDIA_NOUNS = frozenset("paper newspaper daily outlet network publication station channel magazine website".split())

# What someone said or published, as the subject of a cue: it speaks for its author ("His remarks suggested",
# "the polling average shows"). Used only to resolve speakers, with DOCUMENT_NOUNS.
UTTERANCE_NOUNS = frozenset("remark comment words testimony interview answer response average".split())

# Verbs whose subject wrote or put out a document: "Henry added the caption which reads ...", "the statement she
# posted said ...": the document speaks for that subject.
AUTHOR_VERBS = frozenset(
    "write add post tweet publish release issue send sign share pen draft file deliver give read".split()
)

# Verbs whose subject puts out the document that is their object ("the group is running ads", "aired an ad").
PUBLISH_VERBS = AUTHOR_VERBS | frozenset("run air launch unveil produce broadcast circulate distribute".split())

# Words in an organisation's name that make it a news outlet, what "the paper" or "the network" refers to.
MEDIA_NAME_WORDS = frozenset(
    """
    times post news journal daily herald tribune gazette sentinel globe press review magazine network tv radio
    telegraph guardian chronicle examiner observer inquirer register star sun mail express independent reuters
    cnn fox msnbc nbc abc cbs bbc npr politico breitbart axios bloomberg economist atlantic hill
    """.split()
)

# US states by the abbreviations of a party-state tag ("Sen. Marco Rubio, R-Fla." is "the Florida senator"):
# AP style and postal codes.
STATE_ABBREVIATIONS = {
    **{a: n for n, abbrs in {
        "alabama": "ala al", "alaska": "ak", "arizona": "ariz az", "arkansas": "ark ar", "california": "calif ca",
        "colorado": "colo co", "connecticut": "conn ct", "delaware": "del de", "florida": "fla fl", "georgia": "ga",
        "hawaii": "hi", "idaho": "id", "illinois": "ill il", "indiana": "ind in", "iowa": "ia", "kansas": "kan ks",
        "kentucky": "ky", "louisiana": "la", "maine": "me", "maryland": "md", "massachusetts": "mass ma",
        "michigan": "mich mi", "minnesota": "minn mn", "mississippi": "miss ms", "missouri": "mo",
        "montana": "mont mt", "nebraska": "neb ne", "nevada": "nev nv", "new hampshire": "nh", "new jersey": "nj",
        "new mexico": "nm", "new york": "ny", "north carolina": "nc", "north dakota": "nd", "ohio": "oh",
        "oklahoma": "okla ok", "oregon": "ore or", "pennsylvania": "pa", "rhode island": "ri",
        "south carolina": "sc", "south dakota": "sd", "tennessee": "tenn tn", "texas": "tex tx", "utah": "ut",
        "vermont": "vt", "virginia": "va", "washington": "wash wa", "west virginia": "wva wv",
        "wisconsin": "wis wi", "wyoming": "wyo wy",
    }.items() for a in abbrs.split()}
}  # fmt: skip
