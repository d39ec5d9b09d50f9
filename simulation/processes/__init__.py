"""The processes of a week, in the order the model runs them (:data:`STEP`).

Each is a function of the model that applies one rule to whole populations,
through the agents' verbs. The order is data, so a benchmark can time each
process (``benchmarks/bench_model.py --processes``):

0. **interventions** – levers (from week 1) and active events set this week's
   conditions; posts are created or removed as their funding starts or ends;
   the commissioner reviews the scheme once a year (:mod:`.interventions`);
0b. **staff turnover** – scheme workers leave; the post is vacant while it is
   recruited to, then filled (:mod:`.posts`);
1. **economy** – prices rise weekly; carer fees are uplifted every 52 weeks
   (:mod:`.economy`);
2. **staff time** – the team spends its hours by priority (monitoring →
   matching and introductions → enquiries and assessments → outreach and
   recruitment), marking which tasks are served this week (:mod:`.staff_time`);
3. **carer pipeline** – new enquiries (publicity, recruitment hours, word of
   mouth, foster transitions); served enquiries and assessments progress;
   approvals; pipeline drop-outs (:mod:`.pipeline`);
4. **referrals arrive** – social workers meet people needing a decision and
   refer some to Shared Lives (:mod:`.referrals`);
5. **matching** – waiting referrals are matched to compatible carers with a
   free place; served matching and introductions progress; both sides decide;
   placements (:mod:`.matching`);
6. **withdrawals** – people whose wait passed their tolerance are routed
   elsewhere (:mod:`.referrals`);
7. **arrangements end** – breakdown (hazard this week), then planned endings
   and deaths due this week (:mod:`.arrangements`);
8. **carers** – satisfaction moves, households age, some leave (:mod:`.carers`);
9. **social workers** – outreach and champion contacts, forgetting, turnover
   (:mod:`.social_work`).

After them the model closes the week's books and records it (weeks >= 0).
"""

from slsim.simulation.processes import (
    arrangements,
    carers,
    economy,
    interventions,
    matching,
    pipeline,
    posts,
    referrals,
    social_work,
    staff_time,
)

STEP = (
    ("interventions", interventions.week),
    ("staff_turnover", posts.turnover),
    ("economy", economy.week),
    ("staff_time", staff_time.week),
    ("carer_pipeline", pipeline.week),
    ("referrals_arrive", referrals.arrive),
    ("matching", matching.week),
    ("withdrawals", referrals.withdraw_waiting),
    ("arrangements_end", arrangements.week),
    ("carers", carers.week),
    ("social_workers", social_work.week),
)
