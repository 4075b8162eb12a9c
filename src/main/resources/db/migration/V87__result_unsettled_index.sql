-- The results a re-match reads (DeliveryMatcher.rematchUnsettled: those without a decision, without a match or for
-- review) are a few of all a hub holds: found by this index, not by reading every result (the NC year's 10,482 of
-- 427,681; a state's re-match after each roster change). A result enters it as it is written undecided or
-- unsettled, and leaves it when matched.
create index result_unsettled on result (result_id)
    where match_decision is null or match_decision in ('none', 'review');
