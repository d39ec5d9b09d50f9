"""Named stages of carers and referrals (plain strings: cheap to compare, tidy in tables)."""


class CarerStage:
    ENQUIRY = "enquiry"
    ASSESSMENT = "assessment"
    APPROVED = "approved"  # approved, nobody placed
    ACTIVE = "active"  # approved, supporting at least one person
    LEFT = "left"

    PIPELINE = (ENQUIRY, ASSESSMENT)
    HOUSEHOLDS = (APPROVED, ACTIVE)
    ALIVE = (ENQUIRY, ASSESSMENT, APPROVED, ACTIVE)


class ReferralStage:
    REFERRED = "referred"  # waiting for a compatible carer with a free place
    MATCHING = "matching"  # a carer identified; the scheme exchanges information
    INTRODUCTIONS = "introductions"
    ARRANGED = "arranged"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"  # routed elsewhere

    OPEN = (REFERRED, MATCHING, INTRODUCTIONS, ARRANGED)
    CLOSED = (ENDED, WITHDRAWN)


class Role:
    MANAGER = "manager"
    SCHEME_WORKER = "scheme_worker"
    RECRUITMENT_OFFICER = "recruitment_officer"
    OUTREACH_OFFICER = "outreach_officer"  # only ever bought (investment events); hours go to outreach
