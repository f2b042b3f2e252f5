ACTOR = "billing"  # who billing's recorded actions (trial ended, suspension, resumption) are by
