"""The event table: one row per thing that happened, with week and ids; and the referral table.

Columnar lists (appends are cheap); turned into a DataFrame once at the end.
Ids are Mesa ``unique_id`` values, -1 where an event has no such party.

:class:`ReferralLog` keeps one row per referral made (who the person is, which
team referred them, by which route), so measures such as the needs mix by
referring team or the share of crisis referrals can be computed
(:mod:`slsim.simulation.measures`). It is kept in memory
(``RunResult.referrals``) and not written to run folders.
"""

import pandas as pd

EVENT_KINDS = (
    "enquiry",  # a household enquires (detail: source)
    "assessment_start",
    "carer_approved",
    "carer_notice",  # a household gives notice of retirement (detail: retirement); it leaves within carers.retirement_notice_weeks
    "carer_exit",  # detail: reason (enquiry_dropout, not_applying, assessment_dropout, retirement, dissatisfied, idle, other)
    "referral",  # detail: arrangement type sought, or "rematch" when a person's carer left
    "matching_start",
    "introductions_start",
    "match_declined",
    "placement",  # detail: arrangement type ("initial" rows at initialisation)
    "withdrawal",  # routed elsewhere after waiting past tolerance
    "screened_out",  # a referral no approved household could support, turned away at referral (no referral_id)
    "arrangement_end",  # detail: planned, breakdown, death, pandemic (stopped by one), carer_left (the person is then re-matched)
    "social_worker_turnover",
    "scheme_worker_leaver",  # a scheme worker leaves; the post is vacant for scheme.vacancy_weeks (detail: funder)
)


class EventLog:
    __slots__ = ("week", "event", "referral_id", "carer_id", "social_worker_id", "team", "detail")

    def __init__(self):
        for name in self.__slots__:
            setattr(self, name, [])

    def record(self, week, event, *, referral=-1, carer=-1, social_worker=-1, team="", detail=""):
        self.week.append(week)
        self.event.append(event)
        self.referral_id.append(referral)
        self.carer_id.append(carer)
        self.social_worker_id.append(social_worker)
        self.team.append(team)
        self.detail.append(detail)

    def __len__(self):
        return len(self.week)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "week": pd.array(self.week, dtype="int32"),
                "event": pd.Categorical(self.event, categories=EVENT_KINDS),
                "referral_id": pd.array(self.referral_id, dtype="int64"),
                "carer_id": pd.array(self.carer_id, dtype="int64"),
                "social_worker_id": pd.array(self.social_worker_id, dtype="int64"),
                "team": pd.array(self.team, dtype="string"),
                "detail": pd.array(self.detail, dtype="string"),
            }
        )


REFERRAL_ROUTES = (
    "social_worker",  # a social worker's support decision (processes/referrals.py)
    "foster",  # a young person turning 18 with a foster carer who applies (processes/pipeline.py)
)


class ReferralLog:
    """One row per referral made: week, id, referring team, need, arrangement sought, crisis, band, route."""

    __slots__ = ("week", "referral_id", "team", "need", "arrangement", "crisis", "complexity", "route")

    def __init__(self):
        for name in self.__slots__:
            setattr(self, name, [])

    def record(self, week, referral, route: str) -> None:
        self.week.append(week)
        self.referral_id.append(referral.unique_id)
        self.team.append(referral.team)
        self.need.append(referral.need)
        self.arrangement.append(referral.arrangement)
        self.crisis.append(bool(referral.crisis))
        self.complexity.append(referral.complexity)
        self.route.append(route)

    def __len__(self):
        return len(self.week)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "week": pd.array(self.week, dtype="int32"),
                "referral_id": pd.array(self.referral_id, dtype="int64"),
                "team": pd.array(self.team, dtype="string"),
                "need": pd.array(self.need, dtype="string"),
                "arrangement": pd.array(self.arrangement, dtype="string"),
                "crisis": pd.array(self.crisis, dtype="bool"),
                "complexity": pd.array(self.complexity, dtype="int8"),
                "route": pd.Categorical(self.route, categories=REFERRAL_ROUTES),
            }
        )
