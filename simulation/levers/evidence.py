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

from simulation.levers.base import Lever


class BusinessCase(Lever):
    name = "business_case"

    def evidence(self, savings_last_year: float) -> float:
        threshold = self.p.evidence_threshold_gbp
        return 0.0 if math.isnan(savings_last_year) else min(1.0, max(0.0, savings_last_year / threshold))

    def investment_stay(self, stay: float, savings_last_year: float) -> float:
        return stay * (1.0 - self.p.evidence_weight * self.evidence(savings_last_year))


class PeerNetwork(Lever):
    name = "peer_network"

    def assessment_weeks(self, weeks: int, week: int) -> int:
        cut = self.p.assessment_reduction * self.ramp(week, self.p.ramp_years)
        return max(1, int(round(weeks * (1.0 - cut))))

    def agreement(self, p_agree: float, week: int) -> float:
        gain = self.p.agreement_gain * self.ramp(week, self.p.ramp_years)
        return min(1.0, p_agree * (1.0 + gain))


class ChannelTracking(Lever):
    name = "channel_tracking"

    def enquiry_conversion(self, p_apply: float, week: int) -> float:
        gain = self.p.conversion_gain * self.ramp(week, self.p.ramp_years)
        return min(1.0, p_apply * (1.0 + gain))


LEVERS = (BusinessCase, PeerNetwork, ChannelTracking)
