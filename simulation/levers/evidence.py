"""Mechanisms to harness knowledge and evidence (SASCI 2025, capability 3).

* ``business_case`` – a business case built on the savings measured over the
  last year makes the council likelier to invest (evidence 0-1: savings over
  ``evidence_threshold_gbp``);
* ``peer_network`` – learning from other schemes shortens assessments and makes
  matches likelier to be agreed, ramping up over ``ramp_years``;
* ``channel_tracking`` – tracking recruitment channels converts more enquiries
  into applications, ramping up over ``ramp_years``.
"""

import math
from dataclasses import dataclass

from omegaconf import MISSING

from slsim.simulation.levers.base import Lever, LeverParams
from slsim.simulation.validation import YEARS_MAX, _V


@dataclass
class BusinessCaseParams(LeverParams):
    enabled: bool = MISSING
    evidence_weight: float = MISSING
    evidence_threshold_gbp: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.probs("evidence_weight")
        v.range("evidence_threshold_gbp", 0.0, 1e9, lo_open=True)


class BusinessCase(Lever):
    Params = BusinessCaseParams
    name = "business_case"

    def evidence(self, savings_last_year: float) -> float:
        threshold = self.p.evidence_threshold_gbp
        return 0.0 if math.isnan(savings_last_year) else min(1.0, max(0.0, savings_last_year / threshold))

    def investment_stay(self, stay: float, savings_last_year: float) -> float:
        return stay * (1.0 - self.p.evidence_weight * self.evidence(savings_last_year))


@dataclass
class PeerNetworkParams(LeverParams):
    enabled: bool = MISSING
    assessment_reduction: float = MISSING
    agreement_gain: float = MISSING
    ramp_years: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.range("assessment_reduction", 0.0, 0.9)
        v.range("agreement_gain", 0.0, 1.0)
        v.non_negative("ramp_years", hi=float(YEARS_MAX))


class PeerNetwork(Lever):
    Params = PeerNetworkParams
    name = "peer_network"

    def assessment_weeks(self, weeks: int, week: int) -> int:
        cut = self.p.assessment_reduction * self.ramp(week, self.p.ramp_years)
        return max(1, int(round(weeks * (1.0 - cut))))

    def agreement(self, p_agree: float, week: int) -> float:
        gain = self.p.agreement_gain * self.ramp(week, self.p.ramp_years)
        return min(1.0, p_agree * (1.0 + gain))


@dataclass
class ChannelTrackingParams(LeverParams):
    enabled: bool = MISSING
    conversion_gain: float = MISSING
    ramp_years: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.range("conversion_gain", 0.0, 5.0)
        v.non_negative("ramp_years", hi=float(YEARS_MAX))


class ChannelTracking(Lever):
    Params = ChannelTrackingParams
    name = "channel_tracking"

    def enquiry_conversion(self, p_apply: float, week: int) -> float:
        gain = self.p.conversion_gain * self.ramp(week, self.p.ramp_years)
        return min(1.0, p_apply * (1.0 + gain))


LEVERS = (BusinessCase, PeerNetwork, ChannelTracking)
